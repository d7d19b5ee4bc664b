package remote

import "go.uber.org/goleak"

// roleEnv, when set, makes the test binary run one role of a
// multi-process test instead of the tests (see runRole).
const roleEnv = "LUDUS_REMOTE_ROLE"

// natsProcessGoroutines are goroutines that NATS starts once per process
// and never stops; goleak ignores exactly those.
var natsProcessGoroutines = []goleak.Option{}

func runRole(role string) int { return 2 }
