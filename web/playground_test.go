package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/lab"
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

// sessionJSON is a playground session's state as the API returns it, with
// the fields the tests read.
type sessionJSON struct {
	Session  string           `json:"session"`
	Path     []string         `json:"path"`
	Trace    []stepJSON       `json:"trace"`
	Choices  []stepJSON       `json:"choices"`
	Done     bool             `json:"done"`
	Failure  *failureJSON     `json:"failure"`
	Objects  []objectState    `json:"objects"`
	Lanes    string           `json:"lanes"`
	Notes    []string         `json:"notes"`
	WaitFor  string           `json:"waitfor"`
	Explored *explorationJSON `json:"explored"`
}

func (s sessionJSON) object(name string) string {
	for _, o := range s.Objects {
		if o.Name == name {
			return o.State
		}
	}
	return "<none>"
}

// step runs goroutine for one step in session id.
func step(t *testing.T, hs *httptest.Server, id, goroutine string) (sessionJSON, int) {
	t.Helper()
	resp := post(t, hs, "/api/playground/sessions/"+id+"/step", fmt.Sprintf(`{"goroutine": %q}`, goroutine))
	return decode[sessionJSON](t, resp), resp.StatusCode
}

// TestPlaygroundRace plays the guide's race through the API: a wrong
// choice is refused with the reason, the lost update is reached by
// choosing, the variable's state follows, undo and reset walk back.
func TestPlaygroundRace(t *testing.T) {
	_, hs := newTestServer(t, Options{Experiments: []lab.Experiment{fakeExperiment("a", holds)}})
	resp := post(t, hs, "/api/playground/sessions", `{"scenario": "bank-race"}`)
	st := decode[sessionJSON](t, resp)
	if resp.StatusCode != http.StatusCreated || st.Session == "" || len(st.Choices) == 0 || st.Done {
		t.Fatalf("new session: %d %+v", resp.StatusCode, st)
	}
	wellFormed(t, "lanes", st.Lanes)
	id := st.Session

	if _, code := step(t, hs, id, "Z"); code != http.StatusConflict {
		t.Errorf("stepping a goroutine that does not exist: %d", code)
	}
	if _, code := step(t, hs, id, ""); code != http.StatusConflict {
		t.Errorf("stepping no goroutine: %d", code)
	}
	// A reads, B reads, B writes, A writes; starts and main as they come.
	plan := []string{"A", "B", "B", "A"}
	for i := 0; !st.Done; i++ {
		if i == 60 {
			t.Fatalf("60 steps without an end: %+v", st)
		}
		g := st.Choices[0].Goroutine
		for _, c := range st.Choices {
			if len(plan) > 0 && c.Goroutine == plan[0] {
				g = c.Goroutine
				if strings.Contains(c.Op, "balance") {
					plan = plan[1:]
				}
				break
			}
		}
		var code int
		if st, code = step(t, hs, id, g); code != 200 {
			t.Fatalf("step %s: %d", g, code)
		}
		if len(plan) == 2 && st.object("balance") != "1000" {
			t.Errorf("after both reads balance is %q", st.object("balance"))
		}
	}
	if st.Failure == nil || !strings.Contains(st.Failure.Message, "balance = 1500, want 1300") || st.object("balance") != "1500" {
		t.Fatalf("the race's end: %+v, balance %s", st.Failure, st.object("balance"))
	}
	if !strings.Contains(st.Lanes, `class="step lost"`) || len(st.Notes) != 1 {
		t.Errorf("the lost write is not marked: notes %q", st.Notes)
	}
	n := len(st.Path)
	undone := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions/"+id+"/undo", ""))
	if len(undone.Path) != n-1 || undone.Done {
		t.Errorf("undo: path %d -> %d, done %v", n, len(undone.Path), undone.Done)
	}
	reset := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions/"+id+"/reset", "{}"))
	if len(reset.Path) != 0 || len(reset.Trace) != 0 {
		t.Errorf("reset: %+v", reset)
	}
	resp = post(t, hs, "/api/playground/sessions/"+id+"/undo", "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("undo at the start: %d", resp.StatusCode)
	}
}

// TestPlaygroundChecker: the checker counts every schedule of the race
// and jumps to a failing one; close ends the session; bad requests are
// refused.
func TestPlaygroundChecker(t *testing.T) {
	_, hs := newTestServer(t, Options{Experiments: []lab.Experiment{fakeExperiment("a", holds)}})
	id := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions", `{"scenario": "bank-race"}`)).Session
	ex := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions/"+id+"/explore", ""))
	e := ex.Explored
	if e == nil || !e.Complete || e.Interleavings < 6 || e.Failing == 0 || e.Failing >= e.Interleavings ||
		e.Reduced == 0 || e.Reduced > e.Interleavings || e.ReducedFailing == 0 || !e.CanJump || e.First == nil {
		t.Fatalf("explore: %+v", e)
	}
	jumped := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions/"+id+"/jump", ""))
	if !jumped.Done || jumped.Failure == nil || jumped.Failure.Kind != "assertion failed" {
		t.Errorf("jump: %+v", jumped)
	}
	if got := decode[sessionJSON](t, get(t, hs, "/api/playground/sessions/"+id)); len(got.Path) != len(jumped.Path) {
		t.Errorf("GET after the jump: path %v, want %v", got.Path, jumped.Path)
	}

	resp := post(t, hs, "/api/playground/sessions/"+id+"/close", "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || statusCode(t, hs, "/api/playground/sessions/"+id) != http.StatusNotFound {
		t.Errorf("close: %d", resp.StatusCode)
	}
	for body, want := range map[string]int{`{"scenario": "nope"}`: 400, `{"scenario": "bank-race", "x": 1}`: 400, `{`: 400} {
		resp := post(t, hs, "/api/playground/sessions", body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST sessions %s: %d, want %d", body, resp.StatusCode, want)
		}
	}
	resp = post(t, hs, "/api/playground/sessions/"+strings.Repeat("0", 32)+"/step", `{"goroutine": "A"}`)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("step in an unknown session: %d", resp.StatusCode)
	}
}

// TestPlaygroundScenarios walks every scenario through the API to its end
// along the first choice, and checks what the checker says of each.
func TestPlaygroundScenarios(t *testing.T) {
	_, hs := newTestServer(t, Options{Experiments: []lab.Experiment{fakeExperiment("a", holds)}})
	list := decode[map[string][]scenario](t, get(t, hs, "/api/playground/scenarios"))
	if len(list["scenarios"]) != len(scenarios) {
		t.Fatalf("scenarios: %+v", list)
	}
	for _, sc := range scenarios {
		st := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions", fmt.Sprintf(`{"scenario": %q}`, sc.ID)))
		id := st.Session
		ex := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions/"+id+"/explore", "")).Explored
		fails := sc.ID == "bank-race" || sc.ID == "deadlock"
		if ex == nil || !ex.Complete || (ex.Failing > 0) != fails || ex.CanJump != fails {
			t.Errorf("%s: explored %+v", sc.ID, ex)
		}
		if !fails {
			resp := post(t, hs, "/api/playground/sessions/"+id+"/jump", "")
			e := decode[apiError](t, resp)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(e.Error, "no schedule") {
				t.Errorf("%s: jump without a failure: %d %q", sc.ID, resp.StatusCode, e.Error)
			}
			continue
		}
		end := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions/"+id+"/jump", ""))
		if sc.ID == "deadlock" && (end.Failure == nil || end.Failure.Kind != "deadlock" || end.WaitFor == "") {
			t.Errorf("deadlock: %+v", end.Failure)
		}
		if sc.ID == "deadlock" {
			wellFormed(t, "deadlock's cycle", end.WaitFor)
			if !strings.Contains(end.Lanes, "blocked: ") {
				t.Error("the deadlock's lanes do not show who is blocked")
			}
		}
	}
	// The channel hand-off shows its channel.
	st := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions", `{"scenario": "channel"}`))
	for i := 0; !st.Done && i < 30; i++ {
		st, _ = step(t, hs, st.Session, st.Choices[len(st.Choices)-1].Goroutine)
	}
	if !st.Done || st.Failure != nil || st.object("ch") == "<none>" {
		t.Errorf("channel hand-off: done %v, failure %+v, objects %+v", st.Done, st.Failure, st.Objects)
	}
}

// TestPlaygroundLeavesNoGoroutines: a session is data only; walking and
// exploring leave no goroutine behind, and an expired session is gone.
func TestPlaygroundLeavesNoGoroutines(t *testing.T) {
	s := mustNew(t, Options{Experiments: []lab.Experiment{fakeExperiment("a", holds)}, SessionTTL: time.Minute})
	now := time.Now()
	s.sessions.mu.Lock()
	s.sessions.now = func() time.Time { return now }
	s.sessions.mu.Unlock()
	hs := httptest.NewServer(s)
	st := decode[sessionJSON](t, post(t, hs, "/api/playground/sessions", `{"scenario": "deadlock"}`))
	for i := 0; !st.Done && i < 40; i++ {
		st, _ = step(t, hs, st.Session, st.Choices[0].Goroutine)
	}
	decode[sessionJSON](t, post(t, hs, "/api/playground/sessions/"+st.Session+"/explore", ""))
	s.sessions.mu.Lock()
	now = now.Add(2 * time.Minute)
	s.sessions.mu.Unlock()
	if code := statusCode(t, hs, "/api/playground/sessions/"+st.Session); code != http.StatusNotFound {
		t.Errorf("an expired session answered %d", code)
	}
	hs.Close()
	s.Close()
	hs.Client().CloseIdleConnections()
	goleak.VerifyNone(t)
}
