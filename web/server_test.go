package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/lab"
)

// fakeExperiment is an experiment with one claim whose run is fn; it
// reports one progress step first.
func fakeExperiment(id string, fn func(ctx context.Context) (lab.Verdict, string, error)) lab.Experiment {
	e := lab.Experiment{ID: id, Section: "Test section " + id, Specs: []lab.ClaimSpec{{ID: "works", Text: id + " works."}}}
	e.Run = func(ctx context.Context, env *lab.Env) (lab.Result, error) {
		env.Step("measuring %s", id)
		v, detail, err := fn(ctx)
		if err != nil {
			return lab.Result{}, err
		}
		c := e.NewClaim("works")
		c.Verdict, c.Evidence, c.Detail = v, "evidence of "+id, detail
		c.Measurements["n"] = 1
		return lab.Result{Claims: []lab.Claim{c}}, nil
	}
	return e
}

func holds(context.Context) (lab.Verdict, string, error) { return lab.Holds, "", nil }

// blocking is an experiment that runs until its context ends, and says
// on started that it has begun.
func blocking(started chan<- struct{}) func(ctx context.Context) (lab.Verdict, string, error) {
	return func(ctx context.Context) (lab.Verdict, string, error) {
		started <- struct{}{}
		<-ctx.Done()
		return "", "", ctx.Err()
	}
}

func mustNew(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOptions: zero values mean the documented defaults, negative ones are
// errors.
func TestOptions(t *testing.T) {
	s := mustNew(t, Options{})
	defer s.Close()
	if len(s.exps) != len(lab.Builtin()) || s.sessions.ttl != 30*time.Minute || s.sessions.max != 256 || s.runs.timeout != 0 || s.log == nil {
		t.Errorf("defaults: %d experiments, ttl %v, max %d, timeout %v", len(s.exps), s.sessions.ttl, s.sessions.max, s.runs.timeout)
	}
	none := mustNew(t, Options{Experiments: []lab.Experiment{}})
	defer none.Close()
	if len(none.exps) != 0 {
		t.Errorf("an empty list of experiments served %d", len(none.exps))
	}
	for name, o := range map[string]Options{
		"Timeout": {Timeout: -time.Second}, "SessionTTL": {SessionTTL: -1}, "MaxSessions": {MaxSessions: -1},
	} {
		if _, err := New(o); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("negative %s: %v", name, err)
		}
	}
	var logged strings.Builder
	one := mustNew(t, Options{MaxSessions: 1, Log: log.New(&logged, "", 0)})
	defer one.Close()
	one.sessions.add(scenarios[0])
	one.sessions.add(scenarios[0])
	if !strings.Contains(logged.String(), "the least recently used was dropped") {
		t.Errorf("an evicted session was not logged: %q", logged.String())
	}
}

func newTestServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Log == nil {
		opts.Log = log.New(io.Discard, "", 0)
	}
	s := mustNew(t, opts)
	hs := httptest.NewServer(s)
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return s, hs
}

// post sends a same-origin POST as a browser would.
func post(t *testing.T, hs *httptest.Server, path, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, hs.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", hs.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func get(t *testing.T, hs *httptest.Server, path string) *http.Response {
	t.Helper()
	resp, err := hs.Client().Get(hs.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// statusCode GETs path and returns the status, closing the body.
func statusCode(t *testing.T, hs *httptest.Server, path string) int {
	t.Helper()
	resp := get(t, hs, path)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	defer resp.Body.Close()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("%s: %v", resp.Request.URL, err)
	}
	return v
}

type sse struct {
	name string
	data map[string]any
}

// readEvents reads server-sent events from r until the "end" event or EOF.
func readEvents(t *testing.T, r io.Reader, events chan<- sse) {
	defer close(events)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var name string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[7:]
		case strings.HasPrefix(line, "data: "):
			var d map[string]any
			if err := json.Unmarshal([]byte(line[6:]), &d); err != nil {
				t.Errorf("event %s: %v", name, err)
				return
			}
			events <- sse{name, d}
			if name == "end" {
				return
			}
		}
	}
}

func TestPagesAndHeaders(t *testing.T) {
	_, hs := newTestServer(t, Options{Experiments: []lab.Experiment{fakeExperiment("a", holds)}})
	for path, want := range map[string]string{
		"/":                         "text/html",
		"/experiments/a":            "text/html",
		"/playground":               "text/html",
		"/static/app.js":            "javascript",
		"/static/app.css":           "text/css",
		"/api/experiments":          "application/json",
		"/api/playground/scenarios": "application/json",
	} {
		resp := get(t, hs, path)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), want) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", path)
		}
	}
	for path, want := range map[string]int{"/nothing": 404, "/api/experiments/nope": 404, "/static/nope.js": 404} {
		resp := get(t, hs, path)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// The pages reach nothing but this server: no URL with a host.
	for _, name := range []string{"index.html", "experiment.html", "playground.html", "app.js", "index.js", "experiment.js", "playground.js", "app.css"} {
		b, err := staticFiles.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"http://", "https://", "//cdn", "@import"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("static/%s mentions %q: the page must work offline", name, bad)
			}
		}
	}
}

// TestHostCheck: a request naming another host is refused unless AnyHost
// (a page of another site that rebinds its name to 127.0.0.1 sends its own
// name as Host).
func TestHostCheck(t *testing.T) {
	for _, anyHost := range []bool{false, true} {
		_, hs := newTestServer(t, Options{Experiments: []lab.Experiment{fakeExperiment("a", holds)}, AnyHost: anyHost})
		for host, loop := range map[string]bool{"evil.example": false, "evil.example:7040": false, "localhost:7040": true,
			"127.0.0.1": true, "[::1]:7040": true, "app.localhost": true, "10.0.0.1:7040": false} {
			req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/experiments", nil)
			req.Host = host
			resp, err := hs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := 200
			if !loop && !anyHost {
				want = 403
			}
			if resp.StatusCode != want {
				t.Errorf("AnyHost=%v, Host %s: %d, want %d", anyHost, host, resp.StatusCode, want)
			}
		}
	}
}

// TestRequestsThatStartWork: only POST, only from the same origin, only
// JSON of bounded size naming known experiments.
func TestRequestsThatStartWork(t *testing.T) {
	_, hs := newTestServer(t, Options{Experiments: []lab.Experiment{fakeExperiment("a", holds)}})
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req, _ := http.NewRequest(method, hs.URL+"/api/run", nil)
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s /api/run: %d", method, resp.StatusCode)
		}
	}
	for name, hdr := range map[string][2]string{
		"cross-site fetch":           {"Sec-Fetch-Site", "cross-site"},
		"other origin":               {"Origin", "http://evil.example"},
		"same-site, not same-origin": {"Sec-Fetch-Site", "same-site"},
	} {
		for _, path := range []string{"/api/run", "/api/playground/sessions"} {
			req, _ := http.NewRequest(http.MethodPost, hs.URL+path, strings.NewReader(`{}`))
			req.Header.Set(hdr[0], hdr[1])
			resp, err := hs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", name, path, resp.StatusCode)
			}
		}
	}
	for body, want := range map[string]int{
		`{"only": ["nope"]}`: 400,
		`{"only": "a"}`:      400,
		`{"bogus": 1}`:       400,
		`{"only": ["a"]} {}`: 400,
		`{"only": ["a"]`:     400,
		`{"only": ["` + strings.Repeat("x", maxBody) + `"]}`: 413,
	} {
		resp := post(t, hs, "/api/run", body)
		e := decode[apiError](t, resp)
		if resp.StatusCode != want || e.Error == "" {
			t.Errorf("POST /api/run %.40q: %d %q, want %d", body, resp.StatusCode, e.Error, want)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/api/run", strings.NewReader(`only=a`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("a form post: %d, want 400", resp.StatusCode)
	}
}

// TestRunStreamsAndRemembers runs two experiments: the stream carries
// run, start, step, outcome and end in order, and the outcomes are then
// the experiments' last results and the report.
func TestRunStreamsAndRemembers(t *testing.T) {
	exps := []lab.Experiment{fakeExperiment("a", holds), fakeExperiment("b", func(context.Context) (lab.Verdict, string, error) {
		return lab.Fails, "", nil
	}), fakeExperiment("c", holds)}
	_, hs := newTestServer(t, Options{Experiments: exps})
	resp := post(t, hs, "/api/run", `{"only": ["a", "b"], "quick": true}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("POST /api/run: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan sse)
	go readEvents(t, resp.Body, events)
	var names []string
	var end sse
	for ev := range events {
		names = append(names, ev.name+":"+fmt.Sprint(ev.data["id"]))
		end = ev
	}
	resp.Body.Close()
	want := "run:<nil> start:a step:a outcome:a start:b step:b outcome:b end:<nil>"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("events\n%s\nwant\n%s", got, want)
	}
	if end.name != "end" || end.data["error"] != nil {
		t.Fatalf("end event %+v", end)
	}

	rep := decode[lab.Report](t, get(t, hs, "/api/report"))
	if len(rep.Experiments) != 2 || rep.Experiments[0].Claims[0].Verdict != lab.Holds || rep.Experiments[1].Claims[0].Verdict != lab.Fails {
		t.Errorf("report %+v", rep.Experiments)
	}
	list := decode[struct {
		Experiments []experimentJSON `json:"experiments"`
		Outline     []outlineItem    `json:"outline"`
		Running     *activeRun       `json:"running"`
	}](t, get(t, hs, "/api/experiments"))
	if len(list.Experiments) != 3 || list.Experiments[0].Last == nil || !list.Experiments[0].Last.Quick || list.Experiments[2].Last != nil || list.Running != nil {
		t.Errorf("experiments %+v", list.Experiments)
	}
	if list.Experiments[0].Claims[0].ID != "works" || list.Experiments[0].Claims[0].Text != "a works." {
		t.Errorf("claims %+v", list.Experiments[0].Claims)
	}
	one := decode[struct {
		Experiment experimentJSON `json:"experiment"`
		Pictures   []picture      `json:"pictures"`
	}](t, get(t, hs, "/api/experiments/b"))
	if one.Experiment.Last == nil || len(one.Experiment.Last.Claims) != 1 || one.Experiment.Last.Claims[0].Evidence != "evidence of b" || one.Pictures == nil {
		t.Errorf("experiment b: %+v, last %+v", one, one.Experiment.Last)
	}
}

// TestOneRunAtATime: while a run is in progress a second is refused with
// 409 and told which run it is; another tab can watch the run; when the
// tab that started it goes away, the run is cancelled, and a new run may
// start.
func TestOneRunAtATime(t *testing.T) {
	started := make(chan struct{}, 1)
	s, hs := newTestServer(t, Options{Experiments: []lab.Experiment{fakeExperiment("slow", blocking(started)), fakeExperiment("a", holds)}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/api/run", strings.NewReader(`{"only": ["slow"]}`))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started

	second := post(t, hs, "/api/run", `{}`)
	e := decode[apiError](t, second)
	if second.StatusCode != http.StatusConflict || !strings.Contains(e.Error, "already in progress") || !strings.Contains(e.Error, "now at slow (1 of 1)") {
		t.Errorf("second run: %d %q", second.StatusCode, e.Error)
	}
	status := decode[map[string]*activeRun](t, get(t, hs, "/api/run"))
	if status["running"] == nil || status["running"].Current != "slow" {
		t.Errorf("status %+v", status["running"])
	}

	// A watcher sees the run from its start.
	wctx, wcancel := context.WithCancel(context.Background())
	defer wcancel()
	wreq, _ := http.NewRequestWithContext(wctx, http.MethodGet, hs.URL+"/api/run/events", nil)
	wresp, err := hs.Client().Do(wreq)
	if err != nil {
		t.Fatal(err)
	}
	defer wresp.Body.Close()
	watched := make(chan sse, 16)
	go readEvents(t, wresp.Body, watched)
	if ev := <-watched; ev.name != "run" {
		t.Errorf("watcher's first event: %s", ev.name)
	}

	// The owner goes away: the experiment's context ends, the run ends,
	// the watcher sees its end with the error.
	cancel()
	var last sse
	for ev := range watched {
		last = ev
	}
	if last.name != "end" || !strings.Contains(fmt.Sprint(last.data["report"]), "error:context canceled") {
		t.Errorf("watcher's last event: %+v", last)
	}
	waitFor(t, "the run to end", func() bool { return s.runs.status() == nil })
	resp2 := post(t, hs, "/api/run", `{"only": ["a"]}`)
	io.Copy(io.Discard, resp2.Body)
	resp2.Body.Close()
	if resp2.StatusCode != 200 {
		t.Errorf("a run after the cancelled one: %d", resp2.StatusCode)
	}

	// With no run, a watcher is told so at once.
	idle := get(t, hs, "/api/run/events")
	b, _ := io.ReadAll(idle.Body)
	idle.Body.Close()
	if !strings.HasPrefix(string(b), "event: idle") {
		t.Errorf("idle watch: %q", b)
	}
}

// TestCloseCancelsTheRun: Server.Close cancels the run in progress and
// returns after it has stopped.
func TestCloseCancelsTheRun(t *testing.T) {
	started := make(chan struct{}, 1)
	s := mustNew(t, Options{Experiments: []lab.Experiment{fakeExperiment("slow", blocking(started))}, Log: log.New(io.Discard, "", 0)})
	hs := httptest.NewServer(s)
	defer hs.Close()
	resp := post(t, hs, "/api/run", `{}`)
	defer resp.Body.Close()
	<-started
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if s.runs.status() != nil {
		t.Error("a run survived Close")
	}
	again := post(t, hs, "/api/run", `{}`)
	again.Body.Close()
	if again.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a run after Close: %d", again.StatusCode)
	}
}

// TestStepEventsCoalesce: a burst of progress steps leaves one step event
// in the run's log, so a late watcher does not replay them all.
func TestStepEventsCoalesce(t *testing.T) {
	rn := newRunner(nil, false, 0)
	run := &activeRun{changed: make(chan struct{})}
	rn.publishLocked(run, "start", map[string]any{"id": "x"})
	for i := range 1000 {
		rn.publishLocked(run, "step", map[string]any{"id": "x", "step": i})
	}
	rn.publishLocked(run, "outcome", map[string]any{"id": "x"})
	evs, _, _ := rn.eventsAfter(run, 0)
	if len(evs) != 3 || evs[1].name != "step" || !strings.Contains(string(evs[1].data), `"step":999`) || evs[2].seq != 1002 {
		t.Errorf("events %+v", evs)
	}
	if later, _, _ := rn.eventsAfter(run, evs[1].seq); len(later) != 1 || later[0].name != "outcome" {
		t.Errorf("events after the step: %+v", later)
	}
}

func TestPictureAndHistoryEndpoints(t *testing.T) {
	table := "not linearizable (seed 0x1, scenario 1; 3 operations)\n         | goroutine 1      | goroutine 2\n---------+------------------+-------------\nparallel | add(1) [1,3]     | add(1) [2,4]\n---------+------------------+-------------\npost     | get() -> 1 [5,6] |\n"
	exps := []lab.Experiment{fakeExperiment("stress", func(context.Context) (lab.Verdict, string, error) { return lab.Holds, table, nil })}
	_, hs := newTestServer(t, Options{Experiments: exps})
	if code := statusCode(t, hs, "/api/experiments/stress/claims/0/history"); code != 404 {
		t.Errorf("history before a run: %d", code)
	}
	resp := post(t, hs, "/api/run", `{}`)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	resp = get(t, hs, "/api/experiments/stress/claims/0/history")
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "not linearizable") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("history: %d %s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	for _, path := range []string{"/api/experiments/stress/claims/1/history", "/api/experiments/stress/claims/x/history", "/api/experiments/stress/pictures/0", "/api/experiments/nope/pictures/0"} {
		if code := statusCode(t, hs, path); code != 404 {
			t.Errorf("GET %s: %d, want 404", path, code)
		}
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
