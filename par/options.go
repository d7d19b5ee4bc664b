package par

import (
	"runtime"

	"github.com/labludus/ludus/errmode"
)

// Option configures one call of For, Map, Reduce, ForCtx or MapCtx.
type Option func(*config)

type config struct {
	workers int
	grain   int
	errors  ErrorMode
}

// ErrorMode says what ForCtx and MapCtx do when fn returns an error (the
// same type as pool.ErrorMode).
type ErrorMode = errmode.Mode

const (
	// FirstError (the default): the first error cancels the context given
	// to fn, no new item starts, and the call returns that error.
	FirstError = errmode.FirstError
	// AllErrors: errors cancel nothing; every index runs, and the call
	// returns every error, joined with errors.Join in index order.
	AllErrors = errmode.AllErrors
)

// Errors sets what ForCtx and MapCtx do with errors (default FirstError).
// For, Map and Reduce, whose fn returns no error, ignore it.
func Errors(m ErrorMode) Option {
	return func(c *config) { c.errors = m }
}

// Workers sets the number of goroutines that run the loop, the caller
// included. n <= 0 selects the default, runtime.GOMAXPROCS(0) read at the
// time of the call. n may exceed GOMAXPROCS, which helps only when fn
// blocks.
func Workers(n int) Option {
	return func(c *config) { c.workers = n }
}

// Grain sets the smallest number of consecutive indexes a worker takes at
// once; inputs of at most k items run in the calling goroutine alone.
// Raise it when one item is so cheap (a few nanoseconds) that even the
// final, smallest ranges are not worth an atomic operation, or to keep
// items that share a cache line on one core. k <= 0 selects the default, 1.
func Grain(k int) Option {
	return func(c *config) { c.grain = k }
}

func configure(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.workers <= 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	if c.grain <= 0 {
		c.grain = 1
	}
	return c
}
