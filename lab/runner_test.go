package lab

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

func fixed(id string, verdict Verdict) Experiment {
	return Experiment{
		ID: id, Section: "section " + id, Specs: []ClaimSpec{{ID: "c-" + id, Text: "claim of " + id}},
		Run: func(ctx context.Context, env *Env) (Result, error) {
			env.Step("working on %s", id)
			return Result{Claims: []Claim{{ID: "c-" + id, Verdict: verdict, Evidence: "made up",
				Measurements: map[string]float64{"x": 1.5}}}}, nil
		},
	}
}

// oneClaim declares a single claim, for experiments whose claim is beside
// the point.
var oneClaim = []ClaimSpec{{ID: "c", Text: "a claim"}}

func TestRunKeepsOrderAndIsolatesFailures(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	exps := []Experiment{
		fixed("a", Holds),
		{ID: "erroring", Specs: oneClaim, Run: func(context.Context, *Env) (Result, error) {
			return Result{}, errors.New("boom")
		}},
		{ID: "panicking", Specs: oneClaim, Run: func(context.Context, *Env) (Result, error) {
			runtime.GOMAXPROCS(1) // the runner must restore it
			panic("kaboom")
		}},
		{ID: "no-run", Specs: oneClaim},
		{ID: "wrong-count", Specs: []ClaimSpec{{ID: "c1", Text: "one"}, {ID: "c2", Text: "two"}}, Run: fixed("x", Holds).Run},
		{ID: "bad-verdict", Specs: []ClaimSpec{{ID: "c-y", Text: "claim of y"}}, Run: fixed("y", "maybe").Run},
		fixed("b", Fails),
	}
	var started, steps []string
	rep, err := Run(context.Background(), exps, Options{
		OnStart: func(e Experiment) { started = append(started, e.ID) },
		OnStep:  func(e Experiment, s string) { steps = append(steps, e.ID+":"+s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS = %d after the run, want %d restored", got, procs)
	}
	var ids []string
	for _, o := range rep.Experiments {
		ids = append(ids, o.ID)
	}
	want := []string{"a", "erroring", "panicking", "no-run", "wrong-count", "bad-verdict", "b"}
	if !reflect.DeepEqual(ids, want) || !reflect.DeepEqual(started, want) {
		t.Fatalf("ran %v (started %v), want %v", ids, started, want)
	}
	errs := map[string]string{"erroring": "boom", "panicking": "panic: kaboom", "no-run": "no Run",
		"wrong-count": `claim "c-x", which it does not declare`, "bad-verdict": `verdict "maybe"`}
	for _, o := range rep.Experiments {
		if sub, bad := errs[o.ID]; bad {
			if !strings.Contains(o.Error, sub) || o.Claims == nil || len(o.Claims) != 0 {
				t.Errorf("%s: error %q, claims %v; want an error containing %q and no claims", o.ID, o.Error, o.Claims, sub)
			}
		} else if o.Error != "" || len(o.Claims) != 1 {
			t.Errorf("%s: error %q, %d claims; want success", o.ID, o.Error, len(o.Claims))
		}
	}
	if !strings.Contains(rep.Experiments[2].Error, "runner_test.go") {
		t.Errorf("panic report lacks the stack: %q", rep.Experiments[2].Error)
	}
	if !rep.Errored() {
		t.Error("Errored() = false with errored experiments")
	}
	if !reflect.DeepEqual(steps, []string{"a:working on a", "wrong-count:working on x", "bad-verdict:working on y", "b:working on b"}) {
		t.Errorf("steps = %v", steps)
	}
}

// TestClaimsMatchedByID: verdicts are matched to the declared claims by ID,
// whatever order the experiment returns them in, and anything that could
// mislabel a result is an error that names the claim.
func TestClaimsMatchedByID(t *testing.T) {
	specs := []ClaimSpec{{ID: "first", Text: "The first sentence."}, {ID: "second", Text: "The second sentence."}}
	exp := Experiment{ID: "two", Specs: specs}
	verdict := func(id string, v Verdict) Claim {
		c := exp.NewClaim(id)
		c.Verdict, c.Evidence = v, "evidence of "+id
		return c
	}
	// Returned in the opposite order: each verdict still lands on its claim.
	got, err := matchClaims(specs, []Claim{verdict("second", Fails), verdict("first", Holds)})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ID != "first" || got[0].Verdict != Holds || got[0].Claim != "The first sentence." || got[0].Evidence != "evidence of first" ||
		got[1].ID != "second" || got[1].Verdict != Fails || got[1].Claim != "The second sentence." {
		t.Fatalf("matched %+v", got)
	}
	// The ID alone is enough: the runner fills in the sentence.
	if got, err := matchClaims(specs, []Claim{{ID: "second", Verdict: Holds}, {ID: "first", Verdict: Holds}}); err != nil || got[1].Claim != "The second sentence." {
		t.Fatalf("ID-only verdicts: %+v, %v", got, err)
	}
	wrongText := verdict("first", Holds)
	wrongText.Claim = "The second sentence."
	for name, tc := range map[string]struct {
		specs []ClaimSpec
		got   []Claim
		want  string
	}{
		"undeclared":         {specs, []Claim{verdict("first", Holds), verdict("third", Holds)}, `claim "third", which it does not declare (declared: "first", "second")`},
		"twice":              {specs, []Claim{verdict("first", Holds), verdict("first", Fails)}, `two verdicts for claim "first"`},
		"missing":            {specs, []Claim{verdict("second", Holds)}, `no verdict for claim "first"`},
		"mislabelled":        {specs, []Claim{wrongText, verdict("second", Holds)}, `claim "first": the verdict's sentence "The second sentence." is not the declared "The first sentence."`},
		"bad verdict":        {specs, []Claim{verdict("first", "maybe"), verdict("second", Holds)}, `claim "first" has verdict "maybe"`},
		"no claims":          {nil, nil, "declares no claims"},
		"declared twice":     {[]ClaimSpec{specs[0], specs[0]}, nil, `declares claim "first" twice`},
		"no ID":              {[]ClaimSpec{{Text: "x"}}, nil, "claim 0 has no ID"},
		"no sentence":        {[]ClaimSpec{{ID: "x"}}, nil, `claim "x" has no sentence`},
		"verdict without ID": {specs, []Claim{{Claim: "The first sentence.", Verdict: Holds}}, `a verdict without a claim ID (sentence "The first sentence.")`},
	} {
		got, err := matchClaims(tc.specs, tc.got)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: matched %+v, error %v; want an error containing %q", name, got, err, tc.want)
		}
	}
}

func TestRunTimesOutAStuckExperiment(t *testing.T) {
	stuck := Experiment{ID: "stuck", Specs: oneClaim, Run: func(ctx context.Context, _ *Env) (Result, error) {
		<-ctx.Done()
		return Result{}, ctx.Err()
	}}
	rep, err := Run(context.Background(), []Experiment{stuck, fixed("after", Holds)}, Options{Timeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Experiments[0].Error, "deadline exceeded") || rep.Experiments[1].Error != "" {
		t.Fatalf("outcomes = %+v", rep.Experiments)
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	first := fixed("first", Holds)
	run := first.Run
	first.Run = func(c context.Context, e *Env) (Result, error) { cancel(); return run(c, e) }
	rep, err := Run(ctx, []Experiment{first, fixed("second", Holds)}, Options{})
	if !errors.Is(err, context.Canceled) || len(rep.Experiments) != 1 {
		t.Fatalf("err = %v, %d outcomes; want Canceled after the first", err, len(rep.Experiments))
	}
}

func TestSelect(t *testing.T) {
	exps := []Experiment{fixed("a", Holds), fixed("b", Holds), fixed("c", Holds)}
	got, err := Select(exps, []string{"c", "a"})
	if err != nil || len(got) != 2 || got[0].ID != "a" || got[1].ID != "c" {
		t.Fatalf("Select(c,a) = %v, %v; want a, c in registry order", got, err)
	}
	if all, _ := Select(exps, nil); len(all) != 3 {
		t.Fatalf("Select(nil) = %d experiments, want all 3", len(all))
	}
	_, err = Select(exps, []string{"a", "nope"})
	if !errors.Is(err, ErrUnknownExperiment) || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "a, b, c") {
		t.Fatalf("Select(nope) error = %v", err)
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	rep, err := Run(context.Background(), []Experiment{fixed("a", Inconclusive),
		{ID: "e", Section: "s", Specs: oneClaim, Run: func(context.Context, *Env) (Result, error) { return Result{}, errors.New("bad") }}},
		Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for i := range rep.Experiments {
		rep.Experiments[i].Elapsed = 0
	}
	if !reflect.DeepEqual(back, rep) {
		t.Fatalf("round trip changed the report:\n%+v\n%+v", back, rep)
	}
	// The schema's field names, checked on the generic form.
	var generic map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	machine := generic["machine"].(map[string]any)
	for _, k := range []string{"cpus", "goos", "goarch", "go"} {
		if _, ok := machine[k]; !ok {
			t.Errorf("machine lacks %q", k)
		}
	}
	exps := generic["experiments"].([]any)
	claim := exps[0].(map[string]any)["claims"].([]any)[0].(map[string]any)
	for _, k := range []string{"claim", "verdict", "evidence", "measurements"} {
		if _, ok := claim[k]; !ok {
			t.Errorf("claim lacks %q", k)
		}
	}
	if _, ok := exps[0].(map[string]any)["error"]; ok {
		t.Error("a successful experiment has an error field")
	}
	if exps[1].(map[string]any)["error"] != "bad" {
		t.Errorf("errored experiment: %v", exps[1])
	}
	if claims, ok := exps[1].(map[string]any)["claims"].([]any); !ok || len(claims) != 0 {
		t.Errorf("errored experiment's claims = %v, want []", exps[1].(map[string]any)["claims"])
	}
}

func TestBuiltinIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Builtin() {
		if e.ID == "" || e.Section == "" || e.Run == nil {
			t.Errorf("experiment %+v is incomplete", e)
		}
		if err := checkSpecs(e.ClaimSpecs()); err != nil {
			t.Errorf("%s: %v", e.ID, err)
		}
		if seen[e.ID] {
			t.Errorf("duplicate ID %q", e.ID)
		}
		seen[e.ID] = true
	}
	for _, id := range []string{"concurrency-vs-parallelism", "async-await", "race-condition"} {
		if !seen[id] {
			t.Errorf("builtin experiments lack %q", id)
		}
	}
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want Stats
	}{
		{nil, Stats{}},
		{[]float64{3}, Stats{N: 1, Median: 3, Min: 3, Max: 3, Samples: []float64{3}}},
		{[]float64{5, 1, 3}, Stats{N: 3, Median: 3, Min: 1, Max: 5, Samples: []float64{5, 1, 3}}},
		{[]float64{4, 1, 3, 2}, Stats{N: 4, Median: 2.5, Min: 1, Max: 4, Samples: []float64{4, 1, 3, 2}}},
	} {
		if got := Summarize(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	in := []float64{2, 1}
	Summarize(in)
	if in[0] != 2 {
		t.Error("Summarize sorted its input")
	}
}

func TestRepeatStopsOnErrorAndContext(t *testing.T) {
	calls := 0
	_, err := Repeat(context.Background(), 5, func() (float64, error) {
		calls++
		if calls == 2 {
			return 0, errors.New("second fails")
		}
		return 1, nil
	})
	if err == nil || calls != 2 {
		t.Fatalf("err = %v after %d calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Repeat(ctx, 3, func() (float64, error) { return 1, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Repeat: %v", err)
	}
	if _, err := Repeat(context.Background(), 0, nil); err == nil {
		t.Fatal("Repeat(0) succeeded")
	}
}

func TestWithGOMAXPROCSRestores(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	func() {
		defer func() { _ = recover() }()
		_ = WithGOMAXPROCS(1, func() error {
			if runtime.GOMAXPROCS(0) != 1 {
				t.Error("not 1 inside")
			}
			panic("x")
		})
	}()
	if runtime.GOMAXPROCS(0) != before {
		t.Fatalf("GOMAXPROCS not restored after a panic")
	}
}

// quickClaims runs e once in quick mode on cpus CPUs and returns its
// verdicts as the runner matches them to e's declared claims (by ID, in
// declaration order); a mismatch fails the test.
func quickClaims(t *testing.T, e Experiment, cpus int) []Claim {
	t.Helper()
	res, err := e.Run(context.Background(), &Env{Quick: true, CPUs: cpus})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := matchClaims(e.ClaimSpecs(), res.Claims)
	if err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestQuickRuns runs every builtin experiment in quick mode: each must
// return one valid claim per declared claim, without error.
func TestQuickRuns(t *testing.T) {
	for _, e := range Builtin() {
		t.Run(e.ID, func(t *testing.T) {
			rep, err := Run(context.Background(), []Experiment{e}, Options{Quick: true})
			if err != nil {
				t.Fatal(err)
			}
			o := rep.Experiments[0]
			if o.Error != "" {
				t.Fatalf("quick run errored: %s", o.Error)
			}
			for _, c := range o.Claims {
				if c.Claim == "" || c.Evidence == "" || len(c.Measurements) == 0 {
					t.Errorf("claim lacks text, evidence or measurements: %+v", c)
				}
			}
		})
	}
}
