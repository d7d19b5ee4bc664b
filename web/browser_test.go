package web

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/labludus/ludus/lab"
)

// chromium finds the browser the test drives: $LUDUS_CHROMIUM, or
// Debian's chromium (or another Chromium build) on the PATH.
func chromium() string {
	if p := os.Getenv("LUDUS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts headless Chromium with a fresh profile and the flags that
// keep it off the network, and returns a context for chromedp.
func browser(t *testing.T, width, height int64) context.Context {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("headless Chromium is not installed: install Debian's package chromium (apt-get install -y chromium) to run the browser test")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(int(width), int(height)),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	// The first action starts the browser and ties it to ctx, which must
	// not have a deadline; the actions after it run under one.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("starting %s: %v", path, err)
	}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	// The window cannot be narrower than Chromium allows (500 px): the
	// viewport is set as a device's, a phone's below 600 px.
	emulate := []chromedp.EmulateViewportOption{}
	if width < 600 {
		emulate = append(emulate, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	if err := do(ctx, chromedp.EmulateViewport(width, height, emulate...)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// artifacts is where the screenshots go: $LUDUS_WEB_ARTIFACTS, or a new
// temporary directory that outlives the test so that they can be looked
// at.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LUDUS_WEB_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ludus-web-screenshots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// stepTimeout bounds each batch of browser actions.
const stepTimeout = 45 * time.Second

// do runs steps in the browser, within stepTimeout.
func do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// waitTrue waits until the JavaScript expression js is true.
func waitTrue(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout))
}

// eval evaluates the JavaScript expression js in the page.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// TestBrowser drives the pages in headless Chromium, at 1280x800 and at a
// phone's 390 px: it loads the index, runs an experiment from its button
// and waits for the verdicts, opens the experiment's page with the
// checker's trace drawn as swimlanes, and plays the bank race in the
// playground to its lost update by clicking.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	dir := artifacts(t)
	exps, err := lab.Select(lab.Builtin(), []string{"race-condition", "deadlock"})
	if err != nil {
		t.Fatal(err)
	}
	// A stress test's failing run, from the lab's own output: whether a
	// real run finds the race is up to the machine's scheduler.
	table, err := os.ReadFile("testdata/stress_table.txt")
	if err != nil {
		t.Fatal(err)
	}
	exps = append(exps, fakeExperiment("stress-history", func(context.Context) (lab.Verdict, string, error) { return lab.Holds, string(table), nil }))
	// An experiment that runs until its run is cancelled.
	started := make(chan struct{}, 1)
	exps = append(exps, fakeExperiment("until-cancelled", blocking(started)))
	srv := mustNew(t, Options{Experiments: exps, Quick: true})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	defer srv.Close()
	resp := post(t, hs, "/api/run", `{"only": ["stress-history"]}`)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browser(t, size.width, size.height)
			first := size.name == "desktop"
			indexRunsAnExperiment(t, ctx, hs.URL, dir, size.name, size.width, first)
			experimentShowsTrace(t, ctx, hs.URL, dir, size.name, size.width)
			experimentShowsHistory(t, ctx, hs.URL, dir, size.name, size.width)
			playgroundPlaysTheRace(t, ctx, hs.URL, dir, size.name, size.width)
			if first {
				closedTabCancels(t, ctx, hs.URL, srv, started)
			}
		})
	}
}

// closedTabCancels starts a run from a second tab, closes the tab, and
// expects the run to end.
func closedTabCancels(t *testing.T, ctx context.Context, base string, srv *Server, started <-chan struct{}) {
	tab, closeTab := chromedp.NewContext(ctx)
	defer closeTab()
	if err := do(tab,
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.CSS(`#exp-until-cancelled button.run-one`)),
	); err != nil {
		t.Fatalf("starting a run in a second tab: %v", err)
	}
	select {
	case <-started:
	case <-time.After(stepTimeout):
		t.Fatal("the run did not start")
	}
	if srv.runs.status() == nil {
		t.Fatal("no run in progress")
	}
	if err := chromedp.Cancel(tab); err != nil { // closes the tab
		t.Fatal(err)
	}
	deadline := time.Now().Add(stepTimeout)
	for srv.runs.status() != nil {
		if time.Now().After(deadline) {
			t.Fatal("the run went on after its tab was closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	last := srv.runs.results()["until-cancelled"]
	if !strings.Contains(last.Error, "context canceled") {
		t.Errorf("the cancelled experiment's outcome: %+v", last.Outcome)
	}
}

func indexRunsAnExperiment(t *testing.T, ctx context.Context, base, dir, size string, width int64, run bool) {
	if err := do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#exp-race-condition`)),
		chromedp.WaitVisible(chromedp.CSS(`#outline > li h2`)),
	); err != nil {
		t.Fatalf("index: %v", err)
	}
	if run {
		if err := do(ctx,
			chromedp.Click(chromedp.CSS(`#exp-race-condition button.run-one`)),
			waitTrue(`document.querySelector('#run-status').textContent.startsWith('done')`),
			waitTrue(`document.querySelectorAll('#exp-race-condition .claims .badge.holds, #exp-race-condition .claims .badge.fails, #exp-race-condition .claims .badge.inconclusive').length === 6`),
		); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#run-status`)))
			t.Fatalf("running race-condition from the index: %v (status %q)", err, status)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#outline > li').length`); n < len(guideOutline) {
		t.Errorf("the index shows %d outline items, want %d", n, len(guideOutline))
	}
	checkNoOverflow(t, ctx, "index", width)
	screenshot(t, ctx, dir, "index-"+size)
}

func experimentShowsTrace(t *testing.T, ctx context.Context, base, dir, size string, width int64) {
	if err := do(ctx,
		chromedp.Navigate(base+"/experiments/race-condition"),
		chromedp.WaitVisible(chromedp.CSS(`figure.pic.swimlanes svg`)),
	); err != nil {
		t.Fatalf("experiment page: %v", err)
	}
	kinds := eval[string](t, ctx, `[...document.querySelectorAll('figure.pic')].map(f => f.dataset.kind).join(',')`)
	if !strings.Contains(kinds, "histogram") || !strings.Contains(kinds, "swimlanes") {
		t.Errorf("pictures of race-condition: %s, want histograms and swimlanes", kinds)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('figure.pic.swimlanes g.step.lost').length`); n != 1 {
		t.Errorf("the trace marks %d lost writes, want 1", n)
	}
	checkNoOverflow(t, ctx, "experiment", width)
	screenshot(t, ctx, dir, "experiment-race-condition-"+size)
	// The swimlanes alone, for the README.
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`figure.pic.swimlanes`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "swimlanes-"+size+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// experimentShowsHistory opens a stress test's failing run: linear's own
// history view, embedded.
func experimentShowsHistory(t *testing.T, ctx context.Context, base, dir, size string, width int64) {
	if err := do(ctx,
		chromedp.Navigate(base+"/experiments/stress-history"),
		chromedp.WaitVisible(chromedp.CSS(`figure.pic.history iframe`)),
		waitTrue(`(document.querySelector('figure.pic.history iframe').contentDocument || {}).querySelector && document.querySelector('figure.pic.history iframe').contentDocument.querySelectorAll('#axis .op').length === 3`),
	); err != nil {
		t.Fatalf("history view: %v", err)
	}
	if title := eval[string](t, ctx, `document.querySelector('figure.pic.history iframe').contentDocument.querySelector('#title').textContent`); !strings.Contains(title, "not linearizable") {
		t.Errorf("history view's title: %q", title)
	}
	checkNoOverflow(t, ctx, "history", width)
	screenshot(t, ctx, dir, "experiment-history-"+size)
}

// playgroundPlaysTheRace clicks through the bank race: A reads, B reads,
// B writes, A writes, then whatever main does, and expects the lost
// update. The first click goes through the next-step box drawn in the
// lanes, the others through the buttons.
func playgroundPlaysTheRace(t *testing.T, ctx context.Context, base, dir, size string, width int64) {
	if err := do(ctx,
		chromedp.Navigate(base+"/playground?scenario=bank-race"),
		chromedp.WaitVisible(chromedp.CSS(`#choices button.choice`)),
	); err != nil {
		t.Fatalf("playground: %v", err)
	}
	playRace(t, ctx)
	outcome := eval[string](t, ctx, `document.querySelector('#outcome').textContent`)
	lost := eval[int](t, ctx, `document.querySelectorAll('#lanes g.step.lost').length`)
	if !strings.Contains(outcome, "balance = 1500, want 1300") || lost != 1 {
		t.Errorf("after the race: outcome %q, %d lost writes marked", outcome, lost)
	}
	if state := eval[string](t, ctx, `document.querySelector('#objects tr[data-object="balance"] td.state').textContent`); state != "1500" {
		t.Errorf("balance shows %q, want 1500", state)
	}
	checkNoOverflow(t, ctx, "playground", width)
	screenshot(t, ctx, dir, "playground-bank-race-"+size)

	// Ask the checker, then jump to its failing schedule.
	if err := do(ctx,
		chromedp.Click(chromedp.CSS(`#explore`)),
		waitTrue(`document.querySelector('#explored strong') !== null`),
	); err != nil {
		t.Fatal(err)
	}
	counted := eval[string](t, ctx, `document.querySelector('#explored').textContent`)
	if !strings.Contains(counted, "interleavings") || !strings.Contains(counted, "fail") {
		t.Errorf("the checker's count: %q", counted)
	}
	if err := do(ctx,
		chromedp.Click(chromedp.CSS(`#reset`)),
		waitTrue(`document.querySelector('#outcome').hidden`),
		chromedp.Click(chromedp.CSS(`#jump`)),
		waitTrue(`!document.querySelector('#outcome').hidden`),
	); err != nil {
		t.Fatal(err)
	}
	if outcome := eval[string](t, ctx, `document.querySelector('#outcome').textContent`); !strings.Contains(outcome, "want 1300") {
		t.Errorf("after the jump: %q", outcome)
	}
	checkNoOverflow(t, ctx, "playground after the jump", width)
	screenshot(t, ctx, dir, "playground-checker-"+size)
}

// playRace clicks the playground through the bank race until the end:
// A loads, B loads, B stores, A stores. A goroutine's other steps on the
// way (its start) are taken as they come, and main runs whenever no
// planned step can.
func playRace(t *testing.T, ctx context.Context) {
	t.Helper()
	plan := [][2]string{{"A", "load"}, {"B", "load"}, {"B", "write"}, {"A", "write"}}
	viaLanes := true
	for step := 0; ; step++ {
		if step == 60 {
			t.Fatal("60 steps and the race has not ended")
		}
		if eval[bool](t, ctx, `!document.querySelector('#outcome').hidden`) {
			break
		}
		choices := eval[[]string](t, ctx, `[...document.querySelectorAll('#choices button.choice')].map(b => b.dataset.goroutine + '|' + b.querySelector('.what').textContent)`)
		pick := ""
		for _, c := range choices {
			g, op, _ := strings.Cut(c, "|")
			if len(plan) > 0 && g == plan[0][0] {
				pick = g
				if strings.Contains(op, plan[0][1]) && strings.Contains(op, "balance") {
					plan = plan[1:]
				}
				break
			}
		}
		for _, c := range choices {
			if g, _, _ := strings.Cut(c, "|"); pick == "" && (g == "main" || len(plan) == 0) {
				pick = g
			}
		}
		if pick == "" {
			t.Fatalf("step %d: no choice fits the plan %v among %v", step, plan, choices)
		}
		sel := fmt.Sprintf(`#choices button.choice[data-goroutine=%q]`, pick)
		if viaLanes {
			sel = fmt.Sprintf(`#lanes g.choice[data-goroutine=%q]`, pick)
			viaLanes = false
		}
		if err := do(ctx,
			chromedp.Click(chromedp.CSS(sel)),
			waitTrue(fmt.Sprintf(`document.querySelector('#lanes').dataset.choices === '%d'`, step+1)),
		); err != nil {
			t.Fatalf("step %d, clicking %s among %v: %v", step, sel, choices, err)
		}
	}
	if len(plan) > 0 {
		t.Fatalf("the race was not played: %v left", plan)
	}
}

// checkNoOverflow fails when the page is wider than the screen: at 390 px
// everything must fit or scroll inside its own box. (A phone's layout
// viewport grows to fit a page that overflows, so the page is measured
// against the screen's width, not the window's.)
func checkNoOverflow(t *testing.T, ctx context.Context, page string, screen int64) {
	t.Helper()
	if w := eval[int64](t, ctx, `document.documentElement.scrollWidth`); w > screen {
		t.Errorf("%s: the page is %d px wide on a %d px screen", page, w, screen)
	}
}
