package lockfree

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadLimit(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		content string
		want    uint64
		ok      bool
	}{
		{"1073741824\n", 1 << 30, true},
		{"max\n", 0, false},
		{"", 0, false},
		{"12abc", 0, false},
	} {
		file := filepath.Join(dir, "memory.max")
		if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, ok := readLimit(file); got != tc.want || ok != tc.ok {
			t.Errorf("readLimit(%q) = %d, %v; want %d, %v", tc.content, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := readLimit(filepath.Join(dir, "absent")); ok {
		t.Error("readLimit of a missing file reported a limit")
	}
}
