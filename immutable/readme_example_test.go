package immutable_test

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/labludus/ludus/immutable"
)

// The README's immutable snippet (the body of readmeImmutable), run.
func Example_readme() {
	readmeImmutable()
	// Output: fast 10 a [2 3] true
}

func readmeImmutable() {
	var cur atomic.Pointer[immutable.Map[string, string]]
	cur.Store(&immutable.Map[string, string]{}) // Load returns nil until the first Store
	next := cur.Load().Set("mode", "fast")      // copies one path of the trie
	cur.Store(&next)
	mode, _ := cur.Load().Get("mode") // from any goroutine, no lock

	byPrice := immutable.NewSortedMap[int, string]().Set(20, "b").Set(10, "a")
	lo, cheapest, _ := byPrice.Min() // in key order: Min, Max, Range, All, Backward
	v := immutable.Vector[int]{}.Append(2).Prepend(1).Append(3)
	fmt.Println(mode, lo, cheapest, slices.Collect(v.Slice(1, 3).Values()),
		immutable.Equal(next, *cur.Load())) // == compares identity; Equal, contents
}
