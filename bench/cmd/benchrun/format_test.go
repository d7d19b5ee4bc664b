package main

import (
	"math"
	"testing"
)

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{10.6e-9, "sec/op", "10.6 ns"},
		{0.25e-9, "sec/op", "0.250 ns"},
		{1.2345e-6, "sec/op", "1.23 µs"},
		{0.0314, "sec/op", "31.4 ms"},
		{2.5, "sec/op", "2.50 s"},
		{0, "B/op", "0 B"},
		{2316, "B/op", "2.26 KiB"},
		{24e6, "B/op", "22.9 MiB"},
		{1, "allocs/op", "1.00"},
		{1.21e6, "msgs/s", "1.21M"},
		{30500, "steps/s", "30.5k"},
		{math.NaN(), "sec/op", "?"},
	} {
		if got := formatValue(tc.v, tc.unit); got != tc.want {
			t.Errorf("formatValue(%v, %s) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

func TestTidyUnit(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		scale    float64
	}{
		{"ns/op", "sec/op", 1e-9}, {"cpu-ns/op", "cpu-sec/op", 1e-9}, {"sec/op", "sec/op", 1},
		{"MB/s", "B/s", 1e6}, {"B/op", "B/op", 1}, {"msgs/s", "msgs/s", 1},
	} {
		if got, scale := tidyUnit(tc.in); got != tc.want || scale != tc.scale {
			t.Errorf("tidyUnit(%q) = %q, %v; want %q, %v", tc.in, got, scale, tc.want, tc.scale)
		}
	}
	if got := formatValue(22.5e-9, "cpu-sec/op"); got != "22.5 ns" {
		t.Errorf("formatValue(cpu-sec/op) = %q", got)
	}
}

func TestFormatRatio(t *testing.T) {
	for v, want := range map[float64]string{2.4712: "2.47", 0.07043: "0.0704", 123.4: "123", math.Inf(1): "?"} {
		if got := formatRatio(v); got != want {
			t.Errorf("formatRatio(%v) = %q, want %q", v, got, want)
		}
	}
	if got := formatCI(math.Inf(1)); got != "± ∞" {
		t.Errorf("formatCI(Inf) = %q", got)
	}
	if got := formatCI(0.23); got != "±23%" {
		t.Errorf("formatCI(0.23) = %q", got)
	}
}
