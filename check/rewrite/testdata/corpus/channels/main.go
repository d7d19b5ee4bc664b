// Command channels exercises every channel form: make of named and
// directional types, send, receive, comma-ok, close, len, cap, for range
// (with labels, continue, assignment to a field), channels in struct
// fields, maps and slices, passed to and returned from functions.
package main

import (
	"errors"
	"fmt"
)

type Ints chan int
type RecvOnly <-chan int

type box struct {
	in  chan int
	out chan<- string
}

type myErr struct{ msg string }

func (e *myErr) Error() string { return e.msg }

func producer(n int) <-chan int {
	ch := make(chan int, n)
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
	return ch
}

func consume(ch <-chan int) (sum int) {
	for v := range ch {
		sum += v
	}
	return sum
}

func fill(ch chan<- int, n int) {
	for i := 0; i < n; i++ {
		ch <- i * i
	}
	close(ch)
}

func main() {
	fmt.Println("range over a returned channel:", consume(producer(5)))

	named := make(Ints, 3)
	named <- 1
	named <- 2
	fmt.Println("len", len(named), "cap", cap(named))
	var ro RecvOnly = (chan int)(named)
	fmt.Println("receive from a named receive-only type:", <-ro)
	close(named)
	v, ok := <-named
	fmt.Println("comma-ok", v, ok)
	v, ok = <-named
	fmt.Println("comma-ok after drain", v, ok)
	var w, okw = <-named
	fmt.Println("var comma-ok", w, okw)

	squares := make(chan int)
	go fill(squares, 4)
	total := 0
outer:
	for s := range squares {
		if s == 1 {
			continue outer
		}
		total += s
	}
	fmt.Println("squares without 1:", total)

	b := &box{in: make(chan int, 2)}
	out := make(chan string, 4)
	b.out = out
	b.in <- 10
	b.in <- 20
	close(b.in)
	for x := range b.in {
		b.out <- fmt.Sprint("field ", x)
	}
	close(out)
	for s := range out {
		fmt.Println(s)
	}

	chans := map[string]chan int{"a": make(chan int, 1)}
	chans["a"] <- 3
	fmt.Println("from a map:", <-chans["a"])
	list := []chan int{make(chan int, 1), make(chan int, 1)}
	list[1] <- 4
	fmt.Println("from a slice:", <-list[1], "len of the other", len(list[0]))

	var target struct{ last int }
	numbers := producer(3)
	for target.last = range numbers {
	}
	fmt.Println("range assigning to a field:", target.last)
	count := 0
	for range producer(4) {
		count++
	}
	fmt.Println("range without variables:", count)

	errs := make(chan error, 2)
	errs <- &myErr{"typed"}
	errs <- errors.New("plain")
	fmt.Println("interface channel:", (<-errs).Error(), (<-errs).Error())

	chch := make(chan chan int, 1)
	inner := make(chan int, 1)
	chch <- inner
	inner <- 5
	fmt.Println("channel of channels:", <-<-chch)

	send := func(c chan<- int) { c <- 6; close(c) }
	c := make(chan int, 1)
	send(c)
	x, more := <-c
	y, more2 := <-c
	fmt.Println("send-only parameter:", x, more, y, more2)
	var so chan<- int = make(chan int, 2)
	so <- 1
	fmt.Println("len of a send-only channel:", len(so))
}
