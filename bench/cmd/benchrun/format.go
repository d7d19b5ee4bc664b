package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// formatValue prints a median in the unit's natural scale with three
// significant digits: 10.6 ns, 1.25 ms, 2.26 KiB, 1.21M msgs/s.
func formatValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "?"
	case strings.HasSuffix(unit, "sec/op"):
		return seconds(v)
	case unit == "B/op":
		return binary(v)
	}
	return si(v) // the table's title names the unit
}

// seconds prints a time with the largest prefix that keeps it >= 1.
func seconds(v float64) string {
	for _, p := range []struct {
		name  string
		scale float64
	}{{"s", 1}, {"ms", 1e3}, {"µs", 1e6}} {
		if math.Abs(v*p.scale) >= 1 {
			return sig3(v*p.scale) + " " + p.name
		}
	}
	return sig3(v*1e9) + " ns"
}

func binary(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB"}
	i := 0
	for math.Abs(v) >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return sig3(v) + " " + units[i]
}

func si(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return sig3(v/1e9) + "G"
	case a >= 1e6:
		return sig3(v/1e6) + "M"
	case a >= 1e4:
		return sig3(v/1e3) + "k"
	}
	return sig3(v)
}

// sig3 prints three significant digits, without an exponent.
func sig3(v float64) string {
	if v == 0 {
		return "0"
	}
	digits := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	if digits < 0 {
		digits = 0
	}
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// formatCI prints a confidence interval as benchstat does.
func formatCI(ci float64) string {
	if math.IsInf(ci, 1) {
		return "± ∞"
	}
	return fmt.Sprintf("±%.0f%%", ci*100)
}

// formatRatio prints a ratio with the precision it deserves.
func formatRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "?"
	}
	if r >= 100 {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	return sig3(r)
}

func formatRange(r ratio) string {
	if !r.ok {
		return "none"
	}
	return formatRatio(r.lo) + " to " + formatRatio(r.hi)
}

// tidyUnit returns the name and scale benchstat gives a unit as the
// benchmarks print it: times in ns become seconds (ns/op is sec/op,
// cpu-ns/op is cpu-sec/op), MB/s becomes B/s. Settings and goals may use
// either name.
func tidyUnit(unit string) (string, float64) {
	switch {
	case strings.Contains(unit, "ns/"):
		return strings.Replace(unit, "ns/", "sec/", 1), 1e-9
	case strings.HasSuffix(unit, "MB/s"):
		return strings.TrimSuffix(unit, "MB/s") + "B/s", 1e6
	}
	return unit, 1
}
