//go:build unix

package lab

import (
	"syscall"
	"time"
)

// ProcessCPUTime returns the CPU time (user and system) this process has
// used so far, and false where the platform cannot tell.
func ProcessCPUTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
