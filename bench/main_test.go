package bench

import (
	"testing"

	"go.uber.org/goleak"
)

// ants starts a default pool at init, with two background goroutines that
// live as long as the process; goleak ignores those by their entry points
// so that it still catches a leak of anyone else's.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
		goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
	)
}
