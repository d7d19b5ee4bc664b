package remote

import (
	"testing"
	"time"
)

// TestNoJudgementAfterAStall: on a tick that comes long after the previous
// one (this process was stalled), a node does not declare the others down
// before it has read their heartbeats; on an on-time tick it does.
func TestNoJudgementAfterAStall(t *testing.T) {
	cfg := fastConfig(t)
	cfg.Heartbeat, cfg.NodeTimeout = time.Hour, 2*time.Hour // no tick of its own during the test
	_, ns := cluster(t, cfg, "a", "b")
	a := ns[0]
	a.mu.Lock()
	a.members["b"].last = time.Now().Add(-3 * time.Hour) // silent for longer than NodeTimeout
	a.mu.Unlock()
	now := time.Now()
	a.tick(now, now.Add(-5*time.Hour)) // the previous tick was five hours ago: a stall
	if len(a.Nodes()) != 1 {
		t.Fatal("b declared down on the first tick after a stall")
	}
	a.tick(now, now.Add(-cfg.Heartbeat)) // on time
	if len(a.Nodes()) != 0 {
		t.Fatal("b, silent past NodeTimeout, not declared down on an on-time tick")
	}
}
