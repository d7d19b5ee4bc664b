package lock

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks every test for leaked goroutines.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// size shortens the long tests under -short.
func size(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}
