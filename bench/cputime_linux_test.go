package bench

import "syscall"

// threadCPUTime returns the CPU time, in nanoseconds, that the calling OS
// thread has used (getrusage RUSAGE_THREAD).
func threadCPUTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru) != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
