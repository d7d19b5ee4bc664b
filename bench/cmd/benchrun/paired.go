package main

import (
	"bufio"
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Goals are judged on paired ratios. A round runs every benchmark of a
// section in one process, seconds apart, so the ratio of two
// implementations within a round cancels most of the load the machine
// carried at that moment; the spread of those per-round ratios is the
// noise a goal is judged against, much narrower than the two medians'
// separate confidence intervals on a shared machine.

// sampleKey names one benchmark of one implementation at one -cpu value.
type sampleKey struct {
	row, col string
	cpu      int
}

// parseRound reads one benchmark process's output into values by unit,
// with benchstat's unit names (see tidyUnit).
func parseRound(out []byte, cpu int) map[sampleKey]map[string]float64 {
	res := map[sampleKey]map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // not a result line
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if cpu != 1 {
			name = strings.TrimSuffix(name, "-"+strconv.Itoa(cpu))
		}
		k := sampleKey{row: name, cpu: cpu}
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			k.row, k.col = name[:i], name[i+1:]
		}
		vals := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			unit, scale := tidyUnit(f[i+1])
			vals[unit] = v * scale
		}
		res[k] = vals
	}
	return res
}

// pairedRatios returns num/den of the goal's unit for row at cpu, one per
// round in which both were measured.
func (m *measurement) pairedRatios(row string, cpu int, unit, num, den string) []float64 {
	var out []float64
	for _, r := range m.rounds {
		if r.cpu != cpu {
			continue
		}
		vals := parseRound(r.out, cpu)
		n, okn := vals[sampleKey{row, num, cpu}][unit]
		d, okd := vals[sampleKey{row, den, cpu}][unit]
		if okn && okd && d != 0 {
			out = append(out, n/d)
		}
	}
	return out
}

// medianInterval returns the distribution-free confidence interval, at 95%
// or more, of the median of xs: the order statistics x(k) and x(n+1-k)
// for the largest k whose two tails together have binomial probability at
// most 5%. With 6 samples that is the smallest and largest, with 12 the
// third from each end. ok is false for fewer than 6 samples, which cannot
// give 95%.
func medianInterval(xs []float64) (lo, hi float64, ok bool) {
	n := len(xs)
	s := slices.Clone(xs)
	slices.Sort(s)
	k := 0
	// tail is P(Bin(n, 1/2) < k+1), grown one term at a time.
	tail, term := 0.0, math.Pow(0.5, float64(n))
	for j := 0; j < n/2; j++ {
		tail += term
		if 2*tail > 0.05 {
			break
		}
		k = j + 1
		term = term * float64(n-j) / float64(j+1)
	}
	if k == 0 {
		return 0, 0, false
	}
	return s[k-1], s[n-k], true
}
