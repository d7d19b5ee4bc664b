// Command loopvar prints what closures captured in loops see. The module is
// at go 1.21, so each loop has one variable (go 1.22 would give one per
// iteration and print 0 1 2): the rewritten program must print the same as
// the original.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var fs []func() int
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i })
	}
	for _, f := range fs {
		fmt.Print(f(), " ")
	}
	fmt.Println()

	var gs []func() string
	for _, s := range []string{"a", "b", "c"} {
		gs = append(gs, func() string { return s })
	}
	for _, g := range gs {
		fmt.Print(g(), " ")
	}
	fmt.Println()

	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	close(ch)
	var ps []*int
	for v := range ch {
		ps = append(ps, &v)
	}
	for _, p := range ps {
		fmt.Print(*p, " ")
	}
	fmt.Println()

	var wg sync.WaitGroup
	res := make([]int, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(j int) {
			defer wg.Done()
			res[j] = j * j
		}(i)
	}
	wg.Wait()
	fmt.Println(res)
}
