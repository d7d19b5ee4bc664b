package panics_test

import (
	"errors"
	"fmt"

	"github.com/labludus/ludus/panics"
)

func parse(s string) int {
	if s == "" {
		panic(errors.New("empty input"))
	}
	return len(s)
}

// Try turns a panic into an error that names the value and the line that
// panicked; the stack is kept for %+v.
func ExampleTry() {
	err := panics.Try(func() { parse("") })
	f, _ := err.Site()
	fmt.Println(err.Value)
	fmt.Println(f.Function)
	// Output:
	// empty input
	// github.com/labludus/ludus/panics_test.parse
}

// New is called in the deferred function that recovered.
func ExampleNew() {
	run := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = panics.New(r)
			}
		}()
		var s []int
		_ = s[3]
		return nil
	}
	err := run()
	var pe *panics.Error
	fmt.Println(errors.As(err, &pe), pe.Value)
	// Output:
	// true runtime error: index out of range [3] with length 0
}
