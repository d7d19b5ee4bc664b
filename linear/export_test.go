package linear

import "time"

// SetTwinsAfter sets how soon searches look for twins and returns a function
// that restores the default. Tests only.
func SetTwinsAfter(n int64) (restore func()) {
	old := twinsAfter
	twinsAfter = n
	return func() { twinsAfter = old }
}

// SetInternTrial sets how many lookups the interner makes before it may
// switch to fresh ids, and returns a function that restores the default.
// Tests only.
func SetInternTrial(n int) (restore func()) {
	old := internTrial
	internTrial = n
	return func() { internTrial = old }
}

// SetPortfolio makes the second search order join after delay and the
// walkers alternate every turn iterations (0: by time), and returns a
// function that restores the defaults. Tests only.
func SetPortfolio(delay time.Duration, turn int) (restore func()) {
	oldDelay, oldTurn := portfolioDelay, walkerTurn
	portfolioDelay, walkerTurn = delay, turn
	return func() { portfolioDelay, walkerTurn = oldDelay, oldTurn }
}
