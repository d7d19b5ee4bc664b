// Command channels is the guide's Go channels example: a goroutine computes
// a value and sends it on a channel; the receiver waits for it.
package main

import (
	"fmt"
	"io"
	"os"
)

// expensiveCalc sums the squares below n: work worth doing elsewhere.
func expensiveCalc() int {
	sum := 0
	for i := range 1_000_000 {
		sum += i * i % 7
	}
	return sum
}

func run(w io.Writer) int {
	ch := make(chan int)
	go func() { ch <- expensiveCalc() }()
	value := <-ch // blocks until the goroutine sends: the send is the synchronisation
	fmt.Fprintf(w, "value = %d\n", value)
	return value
}

func main() {
	run(os.Stdout)
}
