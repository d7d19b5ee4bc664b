package web

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/labludus/ludus/check"
)

// maxPath bounds a session's path: every step replays the path from the
// start, so the bound keeps a request's cost bounded too. The scenarios
// end in a few dozen steps.
const maxPath = 1000

// session is one learner's walk through a scenario. It holds only data:
// each request replays the path on the engine, and no goroutine of the
// checker outlives the request.
type session struct {
	id       string
	scenario *scenario

	mu       sync.Mutex   // serializes the session's requests
	path     []string     // the goroutine chosen at each decision so far
	pos      position     // where the path leads
	explored *explorePair // what exploring the scenario found, once asked
	lastUsed time.Time    // guarded by sessions.mu
}

// explorePair is a scenario explored twice: every interleaving, and up to
// reordering independent steps (DPOR).
type explorePair struct {
	All, Reduced exploration
	// FailingPath is the path to the first failing interleaving, or nil.
	FailingPath []string
}

// sessions holds the playground's sessions in memory. A session expires
// after ttl without a request; at most max live at once, and the least
// recently used is dropped for a new one.
type sessions struct {
	ttl     time.Duration
	max     int
	now     func() time.Time
	evicted func(alive int) // told when a live session is dropped for a new one; may be nil

	mu     sync.Mutex
	m      map[string]*session
	closed bool
}

func newSessions(ttl time.Duration, max int, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, max: max, now: now, m: map[string]*session{}}
}

var errNoSession = errors.New("no such playground session: it expired or never existed; start a new one")

// sweepLocked drops the expired sessions.
func (ss *sessions) sweepLocked(now time.Time) {
	for id, s := range ss.m {
		if now.Sub(s.lastUsed) > ss.ttl {
			delete(ss.m, id)
		}
	}
}

func (ss *sessions) add(sc *scenario) (*session, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	s := &session{id: hex.EncodeToString(b[:]), scenario: sc}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return nil, errors.New("the server is shutting down")
	}
	now := ss.now()
	ss.sweepLocked(now)
	for len(ss.m) >= ss.max {
		var oldest *session
		for _, o := range ss.m {
			if oldest == nil || o.lastUsed.Before(oldest.lastUsed) {
				oldest = o
			}
		}
		delete(ss.m, oldest.id)
		if ss.evicted != nil {
			ss.evicted(ss.max)
		}
	}
	s.lastUsed = now
	ss.m[s.id] = s
	return s, nil
}

func (ss *sessions) get(id string) (*session, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := ss.now()
	ss.sweepLocked(now)
	s, ok := ss.m[id]
	if !ok {
		return nil, errNoSession
	}
	s.lastUsed = now
	return s, nil
}

func (ss *sessions) remove(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

func (ss *sessions) len() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweepLocked(ss.now())
	return len(ss.m)
}

func (ss *sessions) close() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.closed = true
	clear(ss.m)
}

// stepJSON is a trace step or a choice in the API.
type stepJSON struct {
	Goroutine string `json:"goroutine"`
	Op        string `json:"op"`
	Location  string `json:"location,omitempty"`
}

func stepsJSON(steps []check.Step) []stepJSON {
	out := make([]stepJSON, len(steps))
	for i, s := range steps {
		out[i] = stepJSON(s)
	}
	return out
}

// failureJSON is a failure in the API.
type failureJSON struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Replay  string `json:"replay"`
	Text    string `json:"text"` // as check prints it
}

func failureOf(f *check.Failure) *failureJSON {
	if f == nil {
		return nil
	}
	return &failureJSON{Kind: f.Kind.String(), Message: f.Message, Replay: f.Replay, Text: f.String()}
}

// explorationJSON is what the checker says about a scenario.
type explorationJSON struct {
	Interleavings  int          `json:"interleavings"` // every schedule
	Failing        int          `json:"failing"`       // of those, how many fail
	Reduced        int          `json:"reduced"`       // schedules DPOR needs to cover them all
	ReducedFailing int          `json:"reduced_failing"`
	Complete       bool         `json:"complete"` // both explorations ran every schedule
	Strategy       string       `json:"strategy"`
	Limit          string       `json:"limit,omitempty"` // what cut a search short
	First          *failureJSON `json:"first,omitempty"` // the first failing schedule
	CanJump        bool         `json:"can_jump"`
}

// sessionState is the playground's view of a session: the JSON every
// session request returns.
type sessionState struct {
	Session   string           `json:"session"`
	Scenario  string           `json:"scenario"`
	Path      []string         `json:"path"`
	Trace     []stepJSON       `json:"trace"`
	Choices   []stepJSON       `json:"choices"`
	Done      bool             `json:"done"`
	Failure   *failureJSON     `json:"failure,omitempty"`
	Objects   []objectState    `json:"objects"`
	Lanes     string           `json:"lanes"` // the swimlanes, SVG
	Notes     []string         `json:"notes,omitempty"`
	WaitFor   string           `json:"waitfor,omitempty"` // a deadlock's cycle, SVG
	Explored  *explorationJSON `json:"explored,omitempty"`
	ExpiresIn float64          `json:"expires_in_s"`
}

func (s *Server) state(ss *session) sessionState {
	st := sessionState{Session: ss.id, Scenario: ss.scenario.ID, Path: append([]string{}, ss.path...),
		Trace: stepsJSON(ss.pos.Trace), Choices: stepsJSON(ss.pos.Choices), Done: ss.pos.Done,
		Failure: failureOf(ss.pos.Failure), Objects: statesFromTrace(ss.pos.Objects, ss.pos.Trace), ExpiresIn: s.sessions.ttl.Seconds()}
	lanes := swimlanes{Title: ss.scenario.Title + ": the schedule so far", Steps: ss.pos.Trace, Next: ss.pos.Choices, NoWhere: true}
	if f := ss.pos.Failure; f != nil {
		v := fromFailure(f)
		lanes.Blocked, lanes.Outcome = v.Blocked, v.Kind+": "+v.Message
		if cycle := parseCycle(f.Message); cycle != nil {
			st.WaitFor = waitForSVG("The wait-for cycle", cycle, v.Blocked)
		}
	}
	st.Lanes, st.Notes = lanesSVG(lanes)
	if e := ss.explored; e != nil {
		st.Explored = &explorationJSON{Interleavings: e.All.Schedules, Failing: e.All.Failed,
			Reduced: e.Reduced.Schedules, ReducedFailing: e.Reduced.Failed, Complete: e.All.Complete && e.Reduced.Complete,
			Strategy: e.Reduced.Strategy, Limit: cmp.Or(e.All.Limit, e.Reduced.Limit), First: failureOf(e.All.Failure), CanJump: e.FailingPath != nil}
	}
	return st
}

// statesFromTrace returns objs with a state for every object the engine
// describes without one (an atomic): the value the trace last loaded from
// it or stored into it, or "" if the trace shows none.
func statesFromTrace(objs []objectState, trace []check.Step) []objectState {
	out := make([]objectState, len(objs))
	copy(out, objs)
	for i := range out {
		if out[i].State != "" {
			continue
		}
		for j := len(trace) - 1; j >= 0; j-- {
			if a := classify(trace[j].Op); a.Object == out[i].Name && (a.Kind == accRead || a.Kind == accWrite) {
				out[i].State = a.Value
				break
			}
		}
	}
	return out
}

func lanesSVG(sl swimlanes) (string, []string) {
	svg, an := sl.svg()
	return svg, an.Notes
}

func (s *Server) handleScenarios(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"scenarios": scenarios})
}

// sessionRequest is the body of the session requests that take one.
type sessionRequest struct {
	Scenario  string `json:"scenario"`  // POST /api/playground/sessions
	Goroutine string `json:"goroutine"` // .../step
}

func (s *Server) handleSessionNew(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	sc := findScenario(req.Scenario)
	if sc == nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("no scenario %q", req.Scenario))
		return
	}
	pos, err := s.driver.walk(sc.body, nil)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	ss, err := s.sessions.add(sc)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.pos = pos
	writeJSON(w, http.StatusCreated, s.state(ss))
}

func (s *Server) session(w http.ResponseWriter, r *http.Request) (*session, bool) {
	ss, err := s.sessions.get(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, err)
		return nil, false
	}
	return ss, true
}

func (s *Server) handleSessionGet(w http.ResponseWriter, r *http.Request) {
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	writeJSON(w, http.StatusOK, s.state(ss))
}

// handleSessionAction does one of: step (run the goroutine named in the
// body for one step), undo, reset, explore (count every schedule and the
// failing ones), jump (go to the first failing schedule) and close.
func (s *Server) handleSessionAction(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	ss, ok := s.session(w, r)
	if !ok {
		return
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var err error
	status := http.StatusConflict
	switch action := r.PathValue("action"); action {
	case "step":
		err = s.stepTo(ss, append(append([]string{}, ss.path...), req.Goroutine))
	case "undo":
		if len(ss.path) == 0 {
			err = errors.New("nothing to undo: this is the start")
			break
		}
		err = s.stepTo(ss, ss.path[:len(ss.path)-1])
	case "reset":
		err = s.stepTo(ss, nil)
	case "explore":
		err, status = s.explore(ss), http.StatusInternalServerError
	case "jump":
		if err, status = s.explore(ss), http.StatusInternalServerError; err != nil {
			break
		}
		status = http.StatusConflict
		if ss.explored.FailingPath == nil {
			err = errors.New("no schedule of this scenario fails: there is nothing to jump to")
			break
		}
		err = s.stepTo(ss, ss.explored.FailingPath)
	case "close":
		s.sessions.remove(ss.id)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		err, status = fmt.Errorf("no action %q (step, undo, reset, explore, jump, close)", action), http.StatusNotFound
	}
	if err != nil {
		writeError(w, status, err)
		return
	}
	writeJSON(w, http.StatusOK, s.state(ss))
}

// stepTo walks the session's scenario along path and makes it the
// session's path.
func (s *Server) stepTo(ss *session, path []string) error {
	if len(path) > maxPath {
		return fmt.Errorf("a schedule of more than %d steps: the playground stops here", maxPath)
	}
	if n := len(path); n > 0 && path[n-1] == "" {
		return errors.New(`step: name the goroutine to run, as {"goroutine": "A"}`)
	}
	pos, err := s.driver.walk(ss.scenario.body, path)
	if err != nil {
		return err
	}
	ss.path, ss.pos = path, pos
	return nil
}

// explore counts the scenario's schedules and failures, once per session,
// and finds the path to the first failing one.
func (s *Server) explore(ss *session) error {
	if ss.explored != nil {
		return nil
	}
	all, err := s.driver.explore(ss.scenario.body, false)
	if err != nil {
		return err
	}
	reduced, err := s.driver.explore(ss.scenario.body, true)
	if err != nil {
		return err
	}
	e := &explorePair{All: all, Reduced: reduced}
	if f := all.Failure; f != nil {
		e.FailingPath = s.pathTo(ss.scenario.body, f.Trace)
	}
	ss.explored = e
	return nil
}

// pathTo turns a failing schedule's trace into the choices that lead to
// it: from the start, at each decision it picks the goroutine of the
// trace's next step. It returns nil if the walk leaves the trace (a
// trace that is only a step-limit failure's tail, say).
func (s *Server) pathTo(body func(*check.T), trace []check.Step) []string {
	path := []string{}
	for range maxPath {
		pos, err := s.driver.walk(body, path)
		if err != nil || len(pos.Trace) > len(trace) || !slices.Equal(pos.Trace, trace[:len(pos.Trace)]) {
			return nil
		}
		if pos.Done {
			return path
		}
		if len(pos.Trace) == len(trace) {
			return nil
		}
		path = append(path, trace[len(pos.Trace)].Goroutine)
	}
	return nil
}

// pathIndex reads a non-negative integer path value.
func pathIndex(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: not an index: %q", name, r.PathValue(name))
	}
	return n, nil
}
