package lab

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"
)

// Stats summarises repeated measurements of one quantity.
type Stats struct {
	N                int
	Median, Min, Max float64
}

// Summarize computes Stats over samples. It does not modify samples.
func Summarize(samples []float64) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Stats{N: n, Median: med, Min: s[0], Max: s[n-1]}
}

// Repeat runs fn n times and summarises the values it returns. It stops
// early, with the context's error, when ctx is done, and with fn's error
// when fn fails.
func Repeat(ctx context.Context, n int, fn func() (float64, error)) (Stats, error) {
	if n <= 0 {
		return Stats{}, fmt.Errorf("lab: Repeat needs n > 0, got %d", n)
	}
	samples := make([]float64, 0, n)
	for range n {
		if err := ctx.Err(); err != nil {
			return Stats{}, err
		}
		v, err := fn()
		if err != nil {
			return Stats{}, err
		}
		samples = append(samples, v)
	}
	return Summarize(samples), nil
}

// Time runs fn n times and summarises its wall-clock durations in seconds.
func Time(ctx context.Context, n int, fn func() error) (Stats, error) {
	return Repeat(ctx, n, func() (float64, error) {
		start := time.Now()
		err := fn()
		return time.Since(start).Seconds(), err
	})
}

// TimeInterleaved times several variants of one workload, n rounds of one
// run of each in turn, and summarises each variant's durations in seconds.
// Interleaving spreads a change in the machine's load (another process
// starting, a CPU slowing down) over every variant instead of letting it
// land on one of them.
func TimeInterleaved(ctx context.Context, n int, variants ...func() error) ([]Stats, error) {
	if n <= 0 {
		return nil, fmt.Errorf("lab: TimeInterleaved needs n > 0, got %d", n)
	}
	samples := make([][]float64, len(variants))
	for range n {
		for i, v := range variants {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			start := time.Now()
			if err := v(); err != nil {
				return nil, err
			}
			samples[i] = append(samples[i], time.Since(start).Seconds())
		}
	}
	stats := make([]Stats, len(variants))
	for i, s := range samples {
		stats[i] = Summarize(s)
	}
	return stats, nil
}

// WithGOMAXPROCS runs fn with runtime.GOMAXPROCS set to procs and restores
// the previous value afterwards, even if fn panics. GOMAXPROCS is process
// wide, so the runner never runs two experiments at once.
func WithGOMAXPROCS(procs int, fn func() error) error {
	old := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(old)
	return fn()
}

// CPUs returns the number of logical CPUs this process may use.
func CPUs() int { return runtime.NumCPU() }

// ratio returns a/b, or 0 when b is 0, so that verdict code never divides
// by zero on a degenerate measurement.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
