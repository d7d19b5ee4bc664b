package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine is what a section records about where it was measured.
type machine struct {
	cpuModel string // "model name" of /proc/cpuinfo
	cpus     int    // logical CPUs the process may use
	memory   string // MemTotal of /proc/meminfo, in GiB
	kernel   string // /proc/sys/kernel/osrelease
	goVer    string // `go version` of the toolchain that built the benchmarks
	commit   string // the ludus commit, with a note if the tree has changes
}

func readMachine(ctx context.Context, dir string) machine {
	m := machine{cpus: runtime.NumCPU(), cpuModel: "unknown CPU", memory: "?", kernel: runtime.GOOS}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.cpuModel = procField(b, "model name", m.cpuModel)
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(procField(b, "MemTotal", "0"), " kB"), 64)
		m.memory = fmt.Sprintf("%.1f GiB", kb/(1<<20))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = "Linux " + strings.TrimSpace(string(b))
	}
	m.goVer = strings.TrimPrefix(output(ctx, dir, "go", "version"), "go version ")
	m.commit = output(ctx, dir, "git", "rev-parse", "--short", "HEAD")
	if m.commit == "" {
		m.commit = "unknown commit"
	} else if output(ctx, dir, "git", "status", "--porcelain", "--untracked-files=no", "--", "..") != "" {
		m.commit += " (with uncommitted changes in the tree)"
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file with that key.
func procField(b []byte, key, def string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return def
}

func output(ctx context.Context, dir, name string, args ...string) string {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// loadAverage returns the 1-minute load average, or -1 where there is none.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// loads keeps the load averages seen during a run.
type loads struct {
	before, after float64
	during        []float64 // one sample after each benchmark process
}

func (l loads) String() string {
	if l.before < 0 {
		return "not available on this system"
	}
	lo, hi := l.after, l.after
	for _, v := range l.during {
		lo, hi = min(lo, v), max(hi, v)
	}
	return fmt.Sprintf("%.2f before the run, %.2f to %.2f during it, %.2f after", l.before, lo, hi, l.after)
}
