package lockfree

import (
	"bufio"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
)

// systemMemory returns the machine's physical memory (sysinfo), or the
// memory limit of the process's cgroup if that is smaller, with a name for
// the figure; 0 if neither can be read.
func systemMemory() (uint64, string) {
	var limit uint64
	var source string
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) == nil {
		limit, source = uint64(si.Totalram)*uint64(si.Unit), "machine's physical memory"
	}
	if c, ok := cgroupMemoryLimit(); ok && (limit == 0 || c < limit) {
		limit, source = c, "cgroup's memory limit"
	}
	return limit, source
}

// cgroupMemoryLimit returns the tightest memory.max on the path from the
// process's cgroup (v2) up to the root of the cgroup file system the
// process sees, or, on a cgroup v1 system, the memory controller's limit.
func cgroupMemoryLimit() (uint64, bool) {
	const root = "/sys/fs/cgroup"
	var limit uint64
	found := false
	take := func(file string) {
		if v, ok := readLimit(file); ok && (!found || v < limit) {
			limit, found = v, true
		}
	}
	if dir, ok := cgroupV2Path(); ok {
		for {
			take(path.Join(root, dir, "memory.max"))
			if dir == "/" || dir == "." || dir == "" {
				break
			}
			dir = path.Dir(dir)
		}
	}
	take(path.Join(root, "memory", "memory.limit_in_bytes"))
	return limit, found
}

// cgroupV2Path returns the process's cgroup v2 path from /proc/self/cgroup
// (the line "0::/path").
func cgroupV2Path() (string, bool) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return p, true
		}
	}
	return "", false
}

// readLimit parses a cgroup limit file: a byte count, or "max" for none.
func readLimit(file string) (uint64, bool) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return v, err == nil
}
