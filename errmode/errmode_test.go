package errmode_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/errmode"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCollectorOrdersByTask(t *testing.T) {
	var c errmode.Collector
	if err := c.Join(); err != nil {
		t.Fatalf("empty Join = %v", err)
	}
	if err := c.Join(nil, nil); err != nil {
		t.Fatalf("Join of nils = %v", err)
	}
	var wg sync.WaitGroup
	for i := 99; i >= 0; i-- {
		wg.Go(func() {
			if i%10 == 3 {
				c.Add(i, fmt.Errorf("e%d", i))
			}
			c.Add(i, nil) // ignored
		})
	}
	wg.Wait()
	err := c.Join(context.Canceled)
	want := "e3\ne13\ne23\ne33\ne43\ne53\ne63\ne73\ne83\ne93\ncontext canceled"
	if err == nil || err.Error() != want {
		t.Fatalf("Join = %q, want %q", err, want)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatal("errors.Is does not see the trailing cause")
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[errmode.Mode]string{
		errmode.FirstError: "first error", errmode.AllErrors: "all errors", 7: "errmode.Mode(?)",
	} {
		if m.String() != want {
			t.Errorf("%d.String() = %q, want %q", m, m.String(), want)
		}
	}
}
