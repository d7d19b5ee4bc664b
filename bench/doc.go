// Package bench compares ludus with its peers side by side. It is a separate
// module so that the library itself never depends on the peers.
//
// Each benchmark's last name element names the implementation it measures:
// b.Run("ludus", ...) beside b.Run("sync", ...) or b.Run("errgroup", ...);
// "ludus-..." names a variant of ludus (detection off, say).
//
// The figures in bench/RESULTS.md are made by one script,
//
//	bench/run.sh <section>...
//
// (the command in cmd/benchrun), which runs a section's benchmarks, ludus
// and peers in the same processes, in at least 5 interleaved rounds, one
// process per -cpu value, summarises them with benchstat as medians and
// ratios of medians, checks the section's goals and rewrites the section
// with the machine, Go version, GOMAXPROCS, load average and commands.
//
// A -cpu figure runs at the GOMAXPROCS it names: TestMain (main_test.go)
// sets it before any benchmark starts, and runs itself once per value when
// given several, because testing takes a benchmark's first sample before
// it sets GOMAXPROCS. BenchmarkGOMAXPROCS is the probe that checks it. A
// hand run is therefore as honest as a scripted one:
//
//	go test -run '^$' -bench BenchmarkLock -count 6 -cpu 1,2 . | tee new.txt
//	go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da new.txt
package bench
