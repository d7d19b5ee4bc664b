package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/labludus/ludus/lab"
)

// runner runs the lab's experiments for the web, one run at a time, with
// the same lab.Run and the same outcomes as the terminal lab, and keeps
// each experiment's last outcome in memory.
type runner struct {
	exps    []lab.Experiment
	quick   bool          // runs are quick unless their request says otherwise
	timeout time.Duration // per experiment; zero: lab's default
	// plainCheck runs ludus check for the claims about plain Go (nil: they are inconclusive)
	plainCheck lab.PlainChecker

	mu      sync.Mutex
	current *activeRun            // the run in progress (or stopping); nil when idle
	last    map[string]lastResult // each experiment's latest outcome, by ID
	machine lab.Machine
	runs    int  // runs started, to number them
	closed  bool // Close was called: no new runs
	wg      sync.WaitGroup
}

// lastResult is an experiment's latest outcome with when and how it ran.
type lastResult struct {
	lab.Outcome
	ElapsedMS float64   `json:"elapsed_ms"`
	Quick     bool      `json:"quick"`
	At        time.Time `json:"at"`
}

// activeRun is a run in progress. Its events are kept whole so that a tab
// that starts watching late sees everything from the start; consecutive
// step events replace each other, so the log grows with the experiments,
// not with their progress messages.
type activeRun struct {
	ID          int       `json:"run"`
	Experiments []string  `json:"experiments"`
	Quick       bool      `json:"quick"`
	Started     time.Time `json:"started"`
	Current     string    `json:"current,omitempty"` // experiment running now
	Index       int       `json:"index"`             // 1-based position of Current
	Step        string    `json:"step,omitempty"`
	Stopping    bool      `json:"stopping,omitempty"` // cancelled, waiting for the experiment to notice

	cancel  context.CancelFunc
	events  []runEvent    // guarded by runner.mu
	changed chan struct{} // closed and replaced whenever events change
	ended   bool          // the "end" event is in events
}

// runEvent is one server-sent event of a run.
type runEvent struct {
	seq  int
	name string // "run", "start", "step", "outcome", "end"
	data []byte // JSON
}

// errRunning is returned (wrapped) when a run is asked for during another.
var errRunning = errors.New("a run is already in progress")

func newRunner(exps []lab.Experiment, quick bool, timeout time.Duration) *runner {
	return &runner{exps: exps, quick: quick, timeout: timeout, last: map[string]lastResult{}, machine: lab.ThisMachine()}
}

// runRequest is the body of POST /api/run.
type runRequest struct {
	// Only selects experiments by ID; empty runs them all.
	Only []string `json:"only"`
	// Quick asks for short runs (lab --quick); absent means the server's
	// default (Options.Quick).
	Quick *bool `json:"quick"`
}

// start begins a run of the selected experiments; it ends when ctx ends
// or when every experiment has run.
func (rn *runner) start(ctx context.Context, req runRequest) (*activeRun, error) {
	sel, err := lab.Select(rn.exps, req.Only)
	if err != nil {
		return nil, err
	}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	if rn.closed {
		return nil, errors.New("the server is shutting down")
	}
	if c := rn.current; c != nil {
		return nil, fmt.Errorf("%w: %s", errRunning, c.describe())
	}
	rn.runs++
	quick := rn.quick
	if req.Quick != nil {
		quick = *req.Quick
	}
	ctx, cancel := context.WithCancel(ctx)
	run := &activeRun{ID: rn.runs, Quick: quick, Started: time.Now(), cancel: cancel, changed: make(chan struct{})}
	for _, e := range sel {
		run.Experiments = append(run.Experiments, e.ID)
	}
	rn.current = run
	rn.publishLocked(run, "run", run)
	rn.wg.Go(func() { rn.execute(ctx, run, sel) })
	return run, nil
}

// describe says what a run is doing, for the refusal of a second one.
func (a *activeRun) describe() string {
	s := fmt.Sprintf("run %d started %s ago", a.ID, time.Since(a.Started).Round(time.Second))
	if a.Current != "" {
		s += fmt.Sprintf(", now at %s (%d of %d)", a.Current, a.Index, len(a.Experiments))
	}
	if a.Stopping {
		s += ", stopping"
	}
	return s + "; watch it at GET /api/run/events"
}

func (rn *runner) execute(ctx context.Context, run *activeRun, sel []lab.Experiment) {
	defer run.cancel()
	opts := lab.Options{Quick: run.Quick, Timeout: rn.timeout, PlainCheck: rn.plainCheck}
	index := 0
	opts.OnStart = func(e lab.Experiment) {
		index++
		rn.mu.Lock()
		defer rn.mu.Unlock()
		run.Current, run.Index, run.Step = e.ID, index, ""
		rn.publishLocked(run, "start", map[string]any{"id": e.ID, "index": index, "total": len(sel)})
	}
	opts.OnStep = func(e lab.Experiment, step string) {
		rn.mu.Lock()
		defer rn.mu.Unlock()
		run.Step = step
		rn.publishLocked(run, "step", map[string]any{"id": e.ID, "step": step})
	}
	opts.OnDone = func(o lab.Outcome) {
		res := lastResult{Outcome: o, ElapsedMS: float64(o.Elapsed.Microseconds()) / 1000, Quick: run.Quick, At: time.Now()}
		rn.mu.Lock()
		defer rn.mu.Unlock()
		rn.last[o.ID] = res
		rn.publishLocked(run, "outcome", res)
	}
	rep, err := lab.Run(ctx, sel, opts)
	end := map[string]any{"report": rep}
	if err != nil {
		end["error"] = err.Error()
	}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	run.Current, run.Step = "", ""
	rn.publishLocked(run, "end", end)
	run.ended = true
	rn.current = nil
}

// publishLocked appends an event to run's log and wakes its watchers.
func (rn *runner) publishLocked(run *activeRun, name string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		data, _ = json.Marshal(apiError{Error: err.Error()})
	}
	seq := 1
	if n := len(run.events); n > 0 {
		seq = run.events[n-1].seq + 1
		if name == "step" && run.events[n-1].name == "step" {
			run.events = run.events[:n-1]
		}
	}
	run.events = append(run.events, runEvent{seq: seq, name: name, data: data})
	close(run.changed)
	run.changed = make(chan struct{})
}

// eventsAfter returns run's events after seq, a channel closed at the next
// change, and whether the run has ended.
func (rn *runner) eventsAfter(run *activeRun, seq int) ([]runEvent, <-chan struct{}, bool) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	i, _ := slices.BinarySearchFunc(run.events, seq+1, func(e runEvent, s int) int { return e.seq - s })
	return slices.Clone(run.events[i:]), run.changed, run.ended
}

// status returns the run in progress (a copy), or nil.
func (rn *runner) status() *activeRun {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	if rn.current == nil {
		return nil
	}
	c := *rn.current
	c.events, c.changed, c.cancel = nil, nil, nil
	return &c
}

// stop cancels run, as when its tab closes.
func (rn *runner) stop(run *activeRun) {
	rn.mu.Lock()
	if rn.current == run && !run.ended {
		run.Stopping = true
	}
	rn.mu.Unlock()
	run.cancel()
}

// results returns the last outcomes, by ID.
func (rn *runner) results() map[string]lastResult {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	return maps.Clone(rn.last)
}

// close cancels the run in progress and waits for it.
func (rn *runner) close() {
	rn.mu.Lock()
	rn.closed = true
	run := rn.current
	rn.mu.Unlock()
	if run != nil {
		rn.stop(run)
	}
	rn.wg.Wait()
}

// keepAlive is how often an idle event stream gets a comment line, so that
// a closed tab is noticed even while an experiment is quiet.
const keepAlive = 10 * time.Second

// stream writes run's events to w as server-sent events until the run
// ends or ctx ends. It reports whether the whole run was written.
func (rn *runner) stream(ctx context.Context, w http.ResponseWriter, run *activeRun) bool {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a run outlasts any write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	seq := 0
	for {
		evs, changed, ended := rn.eventsAfter(run, seq)
		for _, ev := range evs {
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", ev.seq, ev.name, ev.data); err != nil {
				return false
			}
			seq = ev.seq
		}
		if err := rc.Flush(); err != nil {
			return false
		}
		if ended {
			return true
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return false
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return false
			}
		}
	}
}

// handleRunStart starts a run and streams it to the client that asked:
// the run belongs to this request, so closing the tab (or aborting the
// fetch) cancels it. A second run while one is in progress is refused
// with 409 Conflict.
func (s *Server) handleRunStart(w http.ResponseWriter, r *http.Request) {
	var req runRequest
	if err := readJSON(r, &req); err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	run, err := s.runs.start(r.Context(), req)
	switch {
	case errors.Is(err, errRunning):
		writeError(w, http.StatusConflict, err)
		return
	case errors.Is(err, lab.ErrUnknownExperiment):
		writeError(w, http.StatusBadRequest, err)
		return
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, err)
		return
	}
	if !s.runs.stream(r.Context(), w, run) {
		s.runs.stop(run)
		s.log.Printf("run %d cancelled: its client went away", run.ID)
	}
}

// handleRunWatch streams the run in progress to another tab, from its
// first event; it does not own the run. With no run, it sends one "idle"
// event and ends.
func (s *Server) handleRunWatch(w http.ResponseWriter, r *http.Request) {
	s.runs.mu.Lock()
	run := s.runs.current
	s.runs.mu.Unlock()
	if run == nil {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprint(w, "event: idle\ndata: {}\n\n")
		return
	}
	s.runs.stream(r.Context(), w, run)
}

func (s *Server) handleRunStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"running": s.runs.status()})
}

// handleReport returns the last outcome of every experiment that has run,
// in the lab's order, as the schema of "ludus lab --json".
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	last := s.runs.results()
	rep := lab.Report{Machine: s.runs.machine, Experiments: []lab.Outcome{}}
	for _, e := range s.exps {
		if res, ok := last[e.ID]; ok {
			rep.Experiments = append(rep.Experiments, res.Outcome)
		}
	}
	writeJSON(w, http.StatusOK, rep)
}

// experimentJSON is an experiment as the API lists it.
type experimentJSON struct {
	ID      string      `json:"id"`
	Section string      `json:"section"`
	Claims  []claimJSON `json:"claims"`
	Last    *lastResult `json:"last,omitempty"`
}

// claimJSON is a claim an experiment declares.
type claimJSON struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

func (s *Server) experimentsJSON() []experimentJSON {
	last := s.runs.results()
	out := make([]experimentJSON, 0, len(s.exps))
	for _, e := range s.exps {
		ej := experimentJSON{ID: e.ID, Section: e.Section, Claims: []claimJSON{}}
		for _, c := range e.ClaimSpecs() {
			ej.Claims = append(ej.Claims, claimJSON{ID: c.ID, Text: c.Text})
		}
		if res, ok := last[e.ID]; ok {
			ej.Last = &res
		}
		out = append(out, ej)
	}
	return out
}

func (s *Server) handleExperiments(w http.ResponseWriter, r *http.Request) {
	ids := make([]string, len(s.exps))
	for i, e := range s.exps {
		ids[i] = e.ID
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"machine":     s.runs.machine,
		"outline":     outline(ids),
		"experiments": s.experimentsJSON(),
		"running":     s.runs.status(),
		"quick":       s.opts.Quick,
	})
}

// experiment finds the experiment named by the request's {id}.
func (s *Server) experiment(w http.ResponseWriter, r *http.Request) (experimentJSON, bool) {
	id := r.PathValue("id")
	for _, e := range s.experimentsJSON() {
		if e.ID == id {
			return e, true
		}
	}
	writeError(w, http.StatusNotFound, fmt.Errorf("no experiment %q", id))
	return experimentJSON{}, false
}

func (s *Server) handleExperiment(w http.ResponseWriter, r *http.Request) {
	e, ok := s.experiment(w, r)
	if !ok {
		return
	}
	pics := []picture{}
	if e.Last != nil {
		pics = append(pics, pictures(e.Last.Outcome)...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"experiment": e, "pictures": pics})
}

// handlePictureSVG serves picture n of an experiment's last outcome as an
// SVG file.
func (s *Server) handlePictureSVG(w http.ResponseWriter, r *http.Request) {
	e, ok := s.experiment(w, r)
	if !ok {
		return
	}
	n, err := pathIndex(r, "n")
	var pics []picture
	if e.Last != nil {
		pics = pictures(e.Last.Outcome)
	}
	if err != nil || n >= len(pics) || pics[n].SVG == "" {
		writeError(w, http.StatusNotFound, fmt.Errorf("experiment %s has no picture %q drawn as SVG (run it first)", e.ID, r.PathValue("n")))
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, pics[n].SVG)
}

// handleHistory serves linear's history view of a claim whose detail is a
// stress test's failing run. The page is linear.WriteHTML's, with its
// inline script and style; it is meant for an iframe of the lab's pages.
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	e, ok := s.experiment(w, r)
	if !ok {
		return
	}
	n, err := pathIndex(r, "n")
	if err != nil || e.Last == nil || n >= len(e.Last.Claims) {
		writeError(w, http.StatusNotFound, fmt.Errorf("experiment %s has no claim %q with a result", e.ID, r.PathValue("n")))
		return
	}
	ops, err := parseStressTable(e.Last.Claims[n].Detail)
	if err != nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("claim %d of %s has no history: %w", n, e.ID, err))
		return
	}
	var page bytes.Buffer
	if err := writeHistoryHTML(&page, ops); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	_, _ = w.Write(page.Bytes())
}
