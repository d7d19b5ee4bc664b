package web

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/check"
)

// TestSessionsExpire: a session lives ttl after its last request, the
// least recently used goes first beyond the bound, and Close ends them all.
func TestSessionsExpire(t *testing.T) {
	now := time.Unix(1000, 0)
	ss := newSessions(time.Minute, 2, func() time.Time { return now })
	sc := scenarios[0]
	a, err := ss.add(sc)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(40 * time.Second)
	b, _ := ss.add(sc)
	now = now.Add(40 * time.Second) // a idle 80s, b 40s
	if _, err := ss.get(a.id); !errors.Is(err, errNoSession) {
		t.Errorf("a session idle past its TTL: %v", err)
	}
	if _, err := ss.get(b.id); err != nil {
		t.Errorf("a live session: %v", err)
	}
	now = now.Add(50 * time.Second) // b was used 50s ago: still alive
	if _, err := ss.get(b.id); err != nil {
		t.Errorf("a request keeps a session alive: %v", err)
	}
	c, _ := ss.add(sc)
	now = now.Add(time.Second)
	if _, err := ss.get(c.id); err != nil { // c used after b
		t.Fatal(err)
	}
	d, _ := ss.add(sc) // over the bound of 2: b, the least recently used, goes
	if _, err := ss.get(b.id); !errors.Is(err, errNoSession) {
		t.Errorf("least recently used session kept over the bound: %v", err)
	}
	if ss.len() != 2 {
		t.Errorf("%d sessions, want 2 (c, d)", ss.len())
	}
	if a.id == b.id || len(d.id) != 32 {
		t.Errorf("session ids %q %q %q", a.id, b.id, d.id)
	}
	ss.close()
	if ss.len() != 0 {
		t.Error("sessions survived close")
	}
	if _, err := ss.add(sc); err == nil {
		t.Error("a session added after close")
	}
}

// TestScenariosCode: every scenario shows its own body's source, and the
// checker finds what each is there to show.
func TestScenariosCode(t *testing.T) {
	want := map[string]check.FailureKind{"bank-race": check.AssertionFailed, "deadlock": check.Deadlock}
	for _, sc := range scenarios {
		if sc.Code == "" || strings.Contains(sc.Code, "// end") || strings.HasPrefix(sc.Code, "\t") {
			t.Errorf("%s: code %q", sc.ID, sc.Code)
		}
		r := check.Run(sc.body, check.Exhaustive())
		kind, fails := want[sc.ID]
		switch {
		case fails && (r.Failure == nil || r.Failure.Kind != kind):
			t.Errorf("%s: failure %v, want %v", sc.ID, r.Failure, kind)
		case !fails && (r.Failure != nil || !r.Exhausted):
			t.Errorf("%s: %v (exhausted %v), want no failure over every schedule", sc.ID, r.Failure, r.Exhausted)
		}
	}
	if !strings.Contains(findScenario("bank-race").Code, "balance.Store(read + 500)") {
		t.Errorf("bank-race code:\n%s", findScenario("bank-race").Code)
	}
}
