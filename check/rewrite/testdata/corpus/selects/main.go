// Command selects exercises select: receive, send, comma-ok, default,
// labelled break and continue, nil channels, assignment to fields, and a
// select whose cases all return.
package main

import "fmt"

func first(a, b <-chan int) int {
	select {
	case v := <-a:
		return v
	case v := <-b:
		return v * 10
	}
}

type state struct{ got int }

func main() {
	a := make(chan int, 1)
	var nilCh chan int
	a <- 1
	fmt.Println("first:", first(a, nilCh))

	out := make(chan int, 1)
	select {
	case out <- 2:
		fmt.Println("sent", <-out)
	case <-nilCh:
		fmt.Println("never")
	}

	select {
	case v := <-nilCh:
		fmt.Println("never", v)
	default:
		fmt.Println("default taken")
	}

	c := make(chan int, 3)
	for i := 1; i <= 3; i++ {
		c <- i
	}
	close(c)
	sum := 0
loop:
	for {
		select {
		case v, ok := <-c:
			if !ok {
				break loop
			}
			if v == 2 {
				continue loop
			}
			sum += v
		}
	}
	fmt.Println("sum without 2:", sum)

	var st state
	d := make(chan int, 1)
	d <- 7
	var okd bool
	select {
	case st.got, okd = <-d:
	}
	fmt.Println("assigned to a field:", st.got, okd)

	e := make(chan string, 1)
	e <- "x"
sel:
	select {
	case s := <-e:
		if s == "x" {
			break sel
		}
		fmt.Println("not reached")
	}
	fmt.Println("labelled break")

	order := []string{}
	mk := func(name string, ch chan int) chan int { order = append(order, name); return ch }
	val := func(name string, v int) int { order = append(order, name); return v }
	f := make(chan int, 1)
	select {
	case <-mk("recv", nilCh):
	case mk("send", f) <- val("value", 1):
	}
	fmt.Println("operands evaluated in order:", order)

	blocked := make(chan bool)
	go func() {
		select {}
	}()
	go func() {
		select {
		case blocked <- true:
		}
	}()
	fmt.Println("from a goroutine:", <-blocked)
}
