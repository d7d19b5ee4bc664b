// Package bench compares ludus with its peers side by side. It is a separate
// module so that the library itself never depends on the peers.
//
// Run it with
//
//	go test -run '^$' -bench . -count 6 -cpu 1,2 . | tee new.txt
//	go run golang.org/x/perf/cmd/benchstat new.txt
//
// and read bench/RESULTS.md for the figures this project recorded.
package bench
