package web

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// barChart is a horizontal bar chart: one bar per measurement, optionally
// grouped, each with the value the guide's claim predicts for it (the ideal
// mark). Histograms of trial outcomes are bar charts of counts.
type barChart struct {
	Title string
	// Unit formats values: "s" (seconds), "x" (a ratio), "/s" (a rate),
	// "B" (bytes) or "" (a count).
	Unit string
	Bars []bar
	// Log draws the value axis on a log scale; set it when values span
	// orders of magnitude (a race that shows 12 times in 20000 trials).
	Log bool
}

type bar struct {
	Group string // bars with the same Group are drawn under one heading
	Label string
	Value float64
	// Ideal, when not zero, is marked on the bar's row: what the claim
	// predicts this bar should measure.
	Ideal float64
	// Bad colours the bar as a failure (a lost update's outcome).
	Bad bool
}

// Layout of a bar chart, in px.
const (
	barRow    = 22  // height of one bar's row
	barGroupH = 20  // height of a group heading
	barPlotW  = 280 // width of the plotting area
	barRight  = 90  // room right of the plot for the value label
)

// svg draws the chart. It never fails: an empty chart is a titled note.
func (c barChart) svg() string {
	labelW := 60.0
	for _, b := range c.Bars {
		labelW = max(labelW, float64(utf8.RuneCountInString(b.Label))*sansChar+16)
	}
	labelW = min(labelW, 240)
	height := 34.0
	group := ""
	for i, b := range c.Bars {
		if b.Group != "" && (i == 0 || b.Group != group) {
			height += barGroupH
		}
		group = b.Group
		height += barRow
	}
	legend := slices.ContainsFunc(c.Bars, func(b bar) bool { return b.Ideal > 0 })
	if legend {
		height += 22
	}
	width := labelW + barPlotW + barRight
	s := newSVG(width, height+8, c.Title)
	s.text(0, 16, "start", colInk, ` font-weight="600"`, c.Title+c.scaleNote())
	scale := c.scale()
	y := 30.0
	group = ""
	for i, b := range c.Bars {
		if b.Group != "" && (i == 0 || b.Group != group) {
			s.text(0, y+14, "start", colMuted, ` font-weight="600"`, b.Group)
			y += barGroupH
		}
		group = b.Group
		c.drawBar(s, b, labelW, y, scale)
		y += barRow
	}
	if legend {
		s.line(labelW, y+12, labelW+14, y+12, colIdeal, ` stroke-width="2" stroke-dasharray="3 2"`)
		s.text(labelW+20, y+16, "start", colMuted, "", "ideal: what the claim predicts")
	}
	return s.String()
}

func (c barChart) drawBar(s *svg, b bar, labelW, y float64, scale func(float64) float64) {
	s.titled(fmt.Sprintf("%s%s: %s%s", b.Group+map[bool]string{true: ", "}[b.Group != ""], b.Label, formatValue(b.Value, c.Unit), idealNote(b.Ideal, c.Unit)), "bar", func() {
		s.text(labelW-8, y+15, "end", colInk, "", clipText(b.Label, int((labelW-8)/sansChar)))
		w := scale(b.Value)
		fill := colBar
		if b.Bad {
			fill = colLost
		}
		s.rect(labelW, y+4, w, barRow-8, 2, fill, "none", "")
		s.text(labelW+w+6, y+15, "start", colInk, "", formatValue(b.Value, c.Unit))
		if b.Ideal > 0 {
			x := labelW + scale(b.Ideal)
			s.line(x, y+1, x, y+barRow-1, colIdeal, ` stroke-width="2" stroke-dasharray="3 2"`)
		}
	})
}

func idealNote(ideal float64, unit string) string {
	if ideal <= 0 {
		return ""
	}
	return " (ideal " + formatValue(ideal, unit) + ")"
}

func (c barChart) scaleNote() string {
	if c.Log {
		return " (log scale)"
	}
	return ""
}

// scale maps a value to a bar length in px.
func (c barChart) scale() func(float64) float64 {
	top := 0.0
	low := math.Inf(1)
	for _, b := range c.Bars {
		top = max(top, b.Value, b.Ideal)
		if b.Value > 0 {
			low = min(low, b.Value)
		}
	}
	if top <= 0 {
		return func(float64) float64 { return 0 }
	}
	if !c.Log {
		return func(v float64) float64 { return max(v, 0) / top * barPlotW }
	}
	// Log scale from a decade below the smallest value, so that the
	// smallest bar is still visible.
	floor := math.Pow(10, math.Floor(math.Log10(min(low, top)))-1)
	span := math.Log10(top) - math.Log10(floor)
	return func(v float64) float64 {
		if v <= floor {
			return 0
		}
		return (math.Log10(v) - math.Log10(floor)) / span * barPlotW
	}
}

// wantsLog reports whether values span more than two orders of magnitude.
func wantsLog(bars []bar) bool {
	lo, hi := math.Inf(1), 0.0
	for _, b := range bars {
		if b.Value > 0 {
			lo, hi = min(lo, b.Value), max(hi, b.Value)
		}
	}
	return hi > 0 && hi/lo > 100
}

// formatValue prints v in unit the way the lab's evidence does.
func formatValue(v float64, unit string) string {
	switch unit {
	case "s":
		return durationText(v)
	case "x":
		return strconv.FormatFloat(v, 'f', 2, 64) + "x"
	case "/s":
		return humanNumber(v) + "/s"
	case "B":
		return humanBytes(v)
	case "ns":
		return strconv.FormatFloat(v, 'f', 1, 64) + " ns"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func durationText(sec float64) string {
	switch a := math.Abs(sec); {
	case a == 0:
		return "0s"
	case a < 1e-3:
		return strconv.FormatFloat(sec*1e6, 'f', 1, 64) + "µs"
	case a < 1:
		return strconv.FormatFloat(sec*1e3, 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(sec, 'f', 2, 64) + "s"
}

func humanNumber(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 1, 64) + "G"
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case a >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func humanBytes(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1<<30:
		return strconv.FormatFloat(v/(1<<30), 'f', 1, 64) + " GiB"
	case a >= 1<<20:
		return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) + " MiB"
	case a >= 1<<10:
		return strconv.FormatFloat(v/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " B"
}

// sortedKeys returns m's keys in order.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
