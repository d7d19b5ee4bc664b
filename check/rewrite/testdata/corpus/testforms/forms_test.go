package testforms

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

var setUp bool

func TestMain(m *testing.M) {
	setUp = true
	os.Exit(m.Run())
}

func check(tb testing.TB, c *Cache, k string, want int) {
	tb.Helper()
	if v, ok := c.Get(k); !ok || v != want {
		tb.Errorf("Get(%q) = %d, %v; want %d", k, v, ok, want)
	}
}

func TestCache(t *testing.T) {
	if !setUp {
		t.Fatal("TestMain did not run")
	}
	var c Cache
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c.Put(fmt.Sprint("k", i), i)
			if _, ok := c.Get(fmt.Sprint("k", i)); !ok {
				t.Fatal("lost a write") // t.Fatal in a goroutine
			}
		}(i)
	}
	wg.Wait()
	check(t, &c, "k0", 0)
	check(t, &c, "k1", 1)
}

func TestSubtests(t *testing.T) {
	var c Cache
	c.Put("a", 1)
	for _, k := range []string{"a"} {
		k := k
		t.Run(k, func(t *testing.T) {
			t.Parallel()
			check(t, &c, k, 1)
		})
	}
	t.Run("cleanup", func(t *testing.T) {
		cleaned := false
		t.Cleanup(func() { cleaned = true })
		if cleaned {
			t.Error("cleanup ran early")
		}
	})
}

func TestDeadlineAndContext(t *testing.T) {
	if _, ok := t.Deadline(); ok {
		t.Log("the test has a deadline")
	}
	ctx := t.Context()
	select {
	case <-ctx.Done():
		t.Fatal("the test's context is done while the test runs")
	case <-time.After(time.Millisecond):
	}
	if t.Name() != "TestDeadlineAndContext" || t.Failed() || t.Skipped() {
		t.Errorf("name %q failed %v skipped %v", t.Name(), t.Failed(), t.Skipped())
	}
}

func TestSkip(t *testing.T) {
	t.Skip("skipped on purpose")
}
