package linear

import (
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// limiter keeps the memory a check holds, over all its searches, under a
// cap. Searches report what they hold as it changes; a search that would go
// over the cap stops, and the check answers Unknown with ErrMemoryLimit.
type limiter struct {
	max  int64        // bytes; 0 means no cap
	used atomic.Int64 // bytes held by all searches
	hit  atomic.Bool  // some search was refused memory
}

// update records that a search now holds now bytes instead of was, and
// reports whether the total is within the cap.
func (l *limiter) update(was, now int64) bool {
	total := l.used.Add(now - was)
	if l.max > 0 && total > l.max {
		l.hit.Store(true)
		return false
	}
	return true
}

// allows reports whether a search may allocate extra bytes more.
func (l *limiter) allows(extra int64) bool {
	if l.max > 0 && l.used.Load()+extra > l.max {
		l.hit.Store(true)
		return false
	}
	return true
}

// err describes the limit reached.
func (l *limiter) err() error {
	return fmt.Errorf("%w: the check's tables reached the cap of %s (MaxMemory)", ErrMemoryLimit, mib(l.max))
}

// DefaultMaxMemory is the memory cap a check gets when MaxMemory is not
// given: a quarter of the machine's physical memory, or of the memory
// limit of the cgroup the process runs in if that is lower; 4 GiB where
// neither can be read.
func DefaultMaxMemory() int64 {
	defaultMemOnce.Do(func() {
		total := physicalMemory()
		if lim := cgroupMemoryLimit(); lim > 0 && (total == 0 || lim < total) {
			total = lim
		}
		defaultMem = 4 << 30
		if total > 0 {
			defaultMem = total / 4
		}
	})
	return defaultMem
}

var (
	defaultMemOnce sync.Once
	defaultMem     int64
)

// cgroupMemoryLimit reads the memory limit of the process's cgroup (v2,
// then v1); 0 if there is none or it cannot be read.
func cgroupMemoryLimit() int64 {
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		// "max", or v1's "no limit" (a page-rounded MaxInt64), means none.
		if err == nil && v > 0 && v < 1<<60 {
			return v
		}
	}
	return 0
}

// deepSize estimates the memory v refers to beyond its own inline size:
// string bytes, slice backing arrays, map entries and pointed-to values,
// three levels deep, sampling at most 8 elements of a slice or map.
func deepSize(v reflect.Value) int64 { return deepSizeAt(v, 3) }

func deepSizeAt(v reflect.Value, depth int) int64 {
	if depth == 0 || !v.IsValid() {
		return 0
	}
	switch v.Kind() {
	case reflect.String:
		return int64(v.Len())
	case reflect.Slice:
		if v.IsNil() {
			return 0
		}
		elem := int64(v.Type().Elem().Size())
		return int64(v.Cap())*elem + sampleElems(v.Len(), func(i int) int64 { return deepSizeAt(v.Index(i), depth-1) })
	case reflect.Array:
		return sampleElems(v.Len(), func(i int) int64 { return deepSizeAt(v.Index(i), depth-1) })
	case reflect.Map:
		if v.IsNil() {
			return 0
		}
		kv := int64(v.Type().Key().Size() + v.Type().Elem().Size())
		size := 48 + int64(v.Len())*(kv+8)*2 // buckets at about half load
		keys := v.MapKeys()
		return size + sampleElems(len(keys), func(i int) int64 {
			return deepSizeAt(keys[i], depth-1) + deepSizeAt(v.MapIndex(keys[i]), depth-1)
		})
	case reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		return int64(v.Type().Elem().Size()) + deepSizeAt(v.Elem(), depth-1)
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		return int64(e.Type().Size()) + deepSizeAt(e, depth-1)
	case reflect.Struct:
		var n int64
		for i := range v.NumField() {
			n += deepSizeAt(v.Field(i), depth)
		}
		return n
	}
	return 0
}

// sampleElems sums f over at most 8 of n elements, spread evenly, scaled
// to all n.
func sampleElems(n int, f func(i int) int64) int64 {
	if n == 0 {
		return 0
	}
	k := min(n, 8)
	var sum int64
	for j := range k {
		sum += f(j * n / k)
	}
	return sum * int64(n) / int64(k)
}

// mib renders a byte count in MiB, or in bytes below 1 MiB.
func mib(n int64) string {
	if n < 1<<20 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	return strconv.FormatInt(n>>20, 10) + " MiB"
}
