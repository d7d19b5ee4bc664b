package bench

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain makes every -cpu figure run at the GOMAXPROCS it is labelled
// with (see procs_test.go), then runs the tests and benchmarks under goleak.
//
// ants starts a default pool at init, with two background goroutines that
// live as long as the process; goleak ignores those by their entry points
// so that it still catches a leak of anyone else's.
func TestMain(m *testing.M) {
	flag.Parse()
	if procs, ok := splitCPUList(); ok {
		os.Exit(runPerCPU(procs))
	}
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
	)
}

// Why -cpu needs help. testing measures a benchmark's first sample, the
// one taken while it decides b.N (and, with b.Loop, the whole first
// sample), before it sets GOMAXPROCS to the first -cpu value: that sample
// runs at whatever the previous benchmark left, the last -cpu value, or
// the machine's core count for the first benchmark of the process. With Go
// 1.26.8 and `-cpu 1,2`, every b.Loop benchmark's first "cpu 1" sample,
// and with -count 1 all of them, ran at 2 Ps.
//
// The cure has two parts. A process given one -cpu value sets GOMAXPROCS
// to it before any benchmark starts, so nothing is ever left at another
// value. A process given several, with benchmarks to run, runs itself once
// per value, one after another, each child with that single value; the
// output is what `go test` prints for the same flags, one -cpu value after
// another instead of one benchmark after another.

// childEnv marks a child started by runPerCPU, so that it never starts
// children of its own.
const childEnv = "LUDUS_BENCH_CPU_CHILD"

// splitCPUList reports the -test.cpu values when this process must run one
// child per value: benchmarks were asked for, and more than one value was
// given. With one value it sets GOMAXPROCS to it and returns false.
func splitCPUList() ([]int, bool) {
	cpu := flag.Lookup("test.cpu")
	if cpu == nil || cpu.Value.String() == "" {
		return nil, false
	}
	var procs []int
	for _, f := range strings.Split(cpu.Value.String(), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, false // testing reports the bad flag itself
		}
		procs = append(procs, n)
	}
	if len(procs) == 1 || os.Getenv(childEnv) != "" {
		runtime.GOMAXPROCS(procs[0])
		return nil, false
	}
	bench := flag.Lookup("test.bench")
	if bench == nil || bench.Value.String() == "" {
		return nil, false // tests alone set GOMAXPROCS before each run
	}
	return procs, true
}

// runPerCPU runs this test binary once per -cpu value, with the same
// arguments otherwise, and returns the exit code: the first non-zero one.
func runPerCPU(procs []int) int {
	code := 0
	for _, p := range procs {
		cmd := exec.Command(os.Args[0], withCPU(os.Args[1:], p)...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		cmd.Env = append(os.Environ(), childEnv+"=1")
		if err := cmd.Run(); err != nil {
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() < 0 {
				fmt.Fprintf(os.Stderr, "bench: the -cpu %d run: %v\n", p, err)
			}
			if code == 0 {
				code = 1
				if exit != nil && exit.ExitCode() > 0 {
					code = exit.ExitCode()
				}
			}
		}
	}
	return code
}

// withCPU returns args with its -test.cpu flag (either spelling, with its
// value joined by '=' or following) replaced by -test.cpu=p.
func withCPU(args []string, p int) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		name, _, joined := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if name == "test.cpu" && strings.HasPrefix(args[i], "-") {
			if !joined {
				i++ // the value is the next argument
			}
			continue
		}
		out = append(out, args[i])
	}
	return append(out, "-test.cpu="+strconv.Itoa(p))
}
