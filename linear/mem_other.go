//go:build !linux

package linear

// physicalMemory is the machine's memory in bytes; 0 if unknown (off
// Linux, the default cap falls back to 4 GiB).
func physicalMemory() int64 { return 0 }
