//go:build race

package check

// raceEnabled scales the randomized soundness tests down under the race
// detector, which slows the engine about tenfold.
const raceEnabled = true
