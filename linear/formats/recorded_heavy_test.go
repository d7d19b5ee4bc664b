//go:build !race

package formats_test

import (
	"path/filepath"
	"testing"
)

// TestRecordedVerdictsHeavy checks the recorded histories that take seconds
// (see heavyRecorded).
func TestRecordedVerdictsHeavy(t *testing.T) {
	for name := range heavyRecorded {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkRecorded(t, filepath.Join("..", "testdata", "recorded", name))
		})
	}
}
