package linear

// SetTwinsAfter sets how soon searches look for twins and returns a function
// that restores the default. Tests only.
func SetTwinsAfter(n int64) (restore func()) {
	old := twinsAfter
	twinsAfter = n
	return func() { twinsAfter = old }
}
