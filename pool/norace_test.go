//go:build !race

package pool_test

// raceEnabled is set in builds with the race detector, whose bookkeeping
// allocates and so hides what the pool itself allocates.
const raceEnabled = false
