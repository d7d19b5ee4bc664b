// Command spawn exercises go statements: Go's evaluation order (function
// value, receiver and arguments evaluated by the parent), method values,
// go close(ch), builtins, generics, variadics and multi-value arguments.
package main

import (
	"fmt"
	"sort"
	"sync"
)

type counter struct{ n int }

func (c counter) show(wg *sync.WaitGroup, out chan<- string) {
	defer wg.Done()
	out <- fmt.Sprint("value receiver sees ", c.n)
}

func (c *counter) showPtr(wg *sync.WaitGroup, out chan<- string) {
	defer wg.Done()
	out <- fmt.Sprint("pointer receiver sees ", c.n)
}

type shower interface {
	show(*sync.WaitGroup, chan<- string)
}

func pair() (int, string) { return 7, "seven" }

func gen[T any](wg *sync.WaitGroup, out chan<- string, v T) {
	defer wg.Done()
	out <- fmt.Sprintf("generic %T %v", v, v)
}

func sum(wg *sync.WaitGroup, out chan<- string, xs ...int) {
	defer wg.Done()
	t := 0
	for _, x := range xs {
		t += x
	}
	out <- fmt.Sprint("sum ", t)
}

func half(wg *sync.WaitGroup, out chan<- string, f float64) {
	defer wg.Done()
	out <- fmt.Sprint("half ", f/2)
}

func isBool(wg *sync.WaitGroup, out chan<- string, b flag) {
	defer wg.Done()
	out <- fmt.Sprint("flag ", b)
}

type flag bool

func two(a int, b string) {
	_ = fmt.Sprint(a, b)
}

func main() {
	out := make(chan string, 100)
	var wg sync.WaitGroup
	x := 1
	f := func(v int) {
		defer wg.Done()
		out <- fmt.Sprint("arg evaluated by the parent: ", v)
	}
	wg.Add(1)
	go f(x) // x is read now
	x = 2
	wg.Wait()

	c := counter{n: 1}
	wg.Add(2)
	go c.show(&wg, out)    // receiver copied now
	go c.showPtr(&wg, out) // &c taken now
	wg.Wait()
	c.n = 5
	var s shower = c
	wg.Add(1)
	go s.show(&wg, out)
	wg.Wait()

	m := c.show // method value
	wg.Add(1)
	go m(&wg, out)
	wg.Wait()

	done := make(chan struct{})
	go close(done)
	<-done
	out <- "closed by a goroutine"

	wg.Add(4)
	go gen(&wg, out, 3)
	go gen[string](&wg, out, "s")
	go sum(&wg, out, 1, 2, 3)
	go sum(&wg, out, []int{4, 5}...)
	wg.Wait()
	wg.Add(2)
	go half(&wg, out, 3)
	go isBool(&wg, out, x == 2)
	wg.Wait()

	fin := make(chan bool)
	go func(a int, b string) {
		two(a, b)
		fin <- a == 7 && b == "seven"
	}(pair())
	out <- fmt.Sprint("multi-value argument ", <-fin)

	res := make(chan int)
	go func() int { res <- 9; return 9 }()
	out <- fmt.Sprint("literal with a result ", <-res)

	var once sync.Once
	ch := make(chan int, 1)
	go once.Do(func() { ch <- 1 })
	out <- fmt.Sprint("once ", <-ch)

	fs := []func(){func() { out <- "from a slice of funcs"; wg.Done() }}
	wg.Add(1)
	go fs[0]()
	wg.Wait()

	close(out)
	var lines []string
	for l := range out {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}
