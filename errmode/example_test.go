package errmode_test

import (
	"errors"
	"fmt"
	"sync"

	"github.com/labludus/ludus/errmode"
)

// Tasks fail in any order; the joined error lists them in task order.
func ExampleCollector() {
	var c errmode.Collector
	var wg sync.WaitGroup
	for i, name := range []string{"a.txt", "b.txt", "c.txt"} {
		wg.Go(func() {
			if name != "b.txt" {
				c.Add(i, errors.New(name+": not found"))
			}
		})
	}
	wg.Wait()
	fmt.Println(c.Join())
	// Output:
	// a.txt: not found
	// c.txt: not found
}
