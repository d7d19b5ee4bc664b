//go:build !unix

package lab

import "time"

// ProcessCPUTime returns the CPU time this process has used so far, and
// false where the platform cannot tell (as here).
func ProcessCPUTime() (time.Duration, bool) { return 0, false }
