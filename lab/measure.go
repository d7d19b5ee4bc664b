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
	// Samples are the measurements in the order they were taken (round by
	// round), so that two variants timed in the same rounds can be
	// compared round by round (RatioSpread).
	Samples []float64
}

// Summarize computes Stats over samples. It does not modify samples.
func Summarize(samples []float64) Stats {
	if len(samples) == 0 {
		return Stats{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	n := len(s)
	return Stats{N: n, Median: median(s), Min: s[0], Max: s[n-1], Samples: slices.Clone(samples)}
}

// median of sorted, non-empty s.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[n/2]
}

// Map returns the Stats of f applied to every sample (a duration turned
// into a rate, say). f must be monotonic; a decreasing f swaps Min and Max,
// which Map puts right.
func (s Stats) Map(f func(float64) float64) Stats {
	if s.N == 0 {
		return s
	}
	if len(s.Samples) == 0 { // built by hand, without samples
		lo, hi := f(s.Min), f(s.Max)
		return Stats{N: s.N, Median: f(s.Median), Min: min(lo, hi), Max: max(lo, hi)}
	}
	out := make([]float64, len(s.Samples))
	for i, x := range s.Samples {
		out[i] = f(x)
	}
	return Summarize(out)
}

// Spread is one measured quantity with its noise: the median over the
// rounds, and the lowest and highest round. A verdict drawn from the median
// is only as good as the spread lets it be (see Judge).
type Spread struct {
	Median, Low, High float64
	// N is the number of rounds; with fewer than two the noise is unknown.
	N int
}

// Spread returns the median and range of s.
func (s Stats) Spread() Spread { return Spread{Median: s.Median, Low: s.Min, High: s.Max, N: s.N} }

// RatioSpread compares a with b, two variants measured in the same rounds
// (TimeInterleaved): its median is the ratio of their medians, and its range
// runs from the lowest to the highest ratio of a single round, since a round
// disturbed by other load disturbs both variants. Without per-round
// samples of equal count it falls back to the widest ratio the ranges
// allow (a.Min/b.Max to a.Max/b.Min). A zero denominator gives 0, as ratio
// does.
func RatioSpread(a, b Stats) Spread {
	r := Spread{Median: ratio(a.Median, b.Median), N: min(a.N, b.N)}
	if len(a.Samples) == len(b.Samples) && len(a.Samples) > 0 {
		r.Low, r.High = r.Median, r.Median
		for i := range a.Samples {
			x := ratio(a.Samples[i], b.Samples[i])
			r.Low, r.High = min(r.Low, x), max(r.High, x)
		}
		return r
	}
	r.Low, r.High = ratio(a.Min, b.Max), ratio(a.Max, b.Min)
	r.Low, r.High = min(r.Low, r.Median), max(r.High, r.Median)
	return r
}

// Judge decides a claim from a measured quantity. holds and fails say which
// verdict a value supports (never both). The median decides, but a Holds or
// Fails verdict stands only if no round supports the opposite verdict: when
// the spread reaches from one side to the other, the machine's noise is as
// large as the effect, and the verdict is Inconclusive. With fewer than two
// rounds the noise is unknown, and the verdict is Inconclusive too.
//
// The note is empty when the median's verdict stands; otherwise it is a
// sentence for the evidence that shows the spread, with values written by
// format (ratio: "1.25x", seconds: "120ms").
func Judge(s Spread, format func(float64) string, holds, fails func(x float64) bool) (v Verdict, note string) {
	switch {
	case holds(s.Median):
		v = Holds
	case fails(s.Median):
		v = Fails
	default:
		return Inconclusive, ""
	}
	opposite := fails
	if v == Fails {
		opposite = holds
	}
	switch {
	case s.N < 2:
		return Inconclusive, fmt.Sprintf(" Only one round (%s), so the noise is unknown: the median alone would say %s.", format(s.Median), v)
	case opposite(s.Low) || opposite(s.High):
		return Inconclusive, fmt.Sprintf(" The %d rounds ranged from %s to %s: a spread that covers the effect, so this machine's noise decides nothing (the median alone would say %s).",
			s.N, format(s.Low), format(s.High), v)
	}
	return v, ""
}

// Measure records s under key in a claim's measurements: the median, and
// key_low and key_high for its range.
func (s Spread) Measure(m map[string]float64, key string) {
	m[key] = s.Median
	m[key+"_low"] = s.Low
	m[key+"_high"] = s.High
}

// times formats a ratio for evidence ("1.25x").
func times(x float64) string { return fmt.Sprintf("%.2fx", x) }

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
