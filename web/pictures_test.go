package web

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/labludus/ludus/check"
	"github.com/labludus/ludus/lab"
)

// wellFormed fails t unless svg parses as XML with an <svg> root.
func wellFormed(t *testing.T, name, svg string) {
	t.Helper()
	if !strings.HasPrefix(svg, "<svg ") || !strings.HasSuffix(svg, "</svg>") {
		t.Fatalf("%s: not an SVG document: %.80q", name, svg)
	}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: malformed SVG: %v", name, err)
		}
	}
}

func failureOfScenario(t *testing.T, id string) *check.Failure {
	t.Helper()
	r := check.Run(findScenario(id).body)
	if r.Failure == nil {
		t.Fatalf("%s: no failure", id)
	}
	return r.Failure
}

// TestAnalyzeBankRace: in the guide's race the checker prints, both
// goroutines read main's 1000, B writes 800, then A writes 1500 from its
// stale read: B's write is the lost one.
func TestAnalyzeBankRace(t *testing.T) {
	f := failureOfScenario(t, "bank-race")
	an := analyze(f.Trace)
	lostAt := -1
	for i := range an.Lost {
		lostAt = i
	}
	if len(an.Lost) != 1 || f.Trace[lostAt].Op != "balance.Store(800)" || f.Trace[lostAt].Goroutine != "B" {
		t.Fatalf("lost writes %v in\n%s", an.Lost, f)
	}
	for i := range an.Stale {
		if f.Trace[i].Goroutine != "A" || f.Trace[i].Op != "balance.Load() -> 1000" {
			t.Errorf("stale read at %d: %v", i, f.Trace[i])
		}
	}
	if len(an.Notes) != 1 || !strings.Contains(an.Notes[0], "B's balance.Store(800), is lost") || !strings.Contains(an.Notes[0], "A wrote 1500") {
		t.Errorf("notes: %q", an.Notes)
	}
	reads := 0
	for _, l := range an.Links {
		if l.Kind == linkReadsFrom && f.Trace[l.From].Goroutine == "main" {
			reads++
		}
	}
	if reads != 2 {
		t.Errorf("want A and B linked to main's store, got links %+v", an.Links)
	}
	svg, _ := swimlanes{Title: "bank", Steps: f.Trace, Outcome: "assertion failed"}.svg()
	wellFormed(t, "bank swimlanes", svg)
	for _, want := range []string{`class="step lost"`, `class="step stale"`, ">LOST<", "marker-end=\"url(#arrow-read)\"", ">A<", ">B<", ">main<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("swimlanes lack %s", want)
		}
	}
}

// TestAnalyzeLinks: the mutex fix links an unlock to the other goroutine's
// lock, and no write is lost; the channel hand-off links the send to the
// receive.
func TestAnalyzeLinks(t *testing.T) {
	steps := []check.Step{
		{Goroutine: "A", Op: "mu.Lock()"}, {Goroutine: "A", Op: "balance.Load() -> 1000"}, {Goroutine: "A", Op: "balance.Store(1500)"},
		{Goroutine: "A", Op: "mu.Unlock()"}, {Goroutine: "B", Op: "mu.Lock()"}, {Goroutine: "B", Op: "balance.Load() -> 1500"},
		{Goroutine: "B", Op: "balance.Store(1300)"}, {Goroutine: "B", Op: "mu.Unlock()"},
	}
	an := analyze(steps)
	if len(an.Lost) != 0 {
		t.Errorf("mutex: lost %v", an.Lost)
	}
	want := []link{{From: 3, To: 4, Kind: linkLock}, {From: 2, To: 5, Kind: linkReadsFrom}}
	for _, w := range want {
		if !slices.ContainsFunc(an.Links, func(l link) bool { return l.From == w.From && l.To == w.To && l.Kind == w.Kind }) {
			t.Errorf("mutex: no %v link %d->%d in %+v", w.Kind, w.From, w.To, an.Links)
		}
	}

	for name, steps := range map[string][]check.Step{
		"receiver first": {{Goroutine: "main", Op: "<-ch (blocks)"}, {Goroutine: "worker", Op: "ch <- 42 (to main)"}},
		"sender first":   {{Goroutine: "worker", Op: "ch <- 42 (blocks)"}, {Goroutine: "main", Op: "<-ch -> 42 (from worker)"}},
		"buffered":       {{Goroutine: "worker", Op: "ch <- 42"}, {Goroutine: "main", Op: "<-ch -> 42"}},
	} {
		an := analyze(steps)
		if len(an.Links) != 1 || an.Links[0].Kind != linkChan {
			t.Errorf("%s: links %+v", name, an.Links)
		}
	}
	// FIFO: two buffered sends reach two receives in order.
	an = analyze([]check.Step{{Goroutine: "P", Op: "ch <- 1"}, {Goroutine: "Q", Op: "ch <- 2"},
		{Goroutine: "C", Op: "<-ch -> 1"}, {Goroutine: "C", Op: "<-ch -> 2"}})
	if len(an.Links) != 2 || an.Links[0].From != 0 || an.Links[0].To != 2 || an.Links[1].From != 1 || an.Links[1].To != 3 {
		t.Errorf("buffered FIFO links %+v", an.Links)
	}
}

// TestWaitFor reads the cycle of the checker's deadlock and draws it.
func TestWaitFor(t *testing.T) {
	f := failureOfScenario(t, "deadlock")
	cycle := parseCycle(f.Message)
	want := []waitEdge{{"A", "mu1", "mu2", "B"}, {"B", "mu2", "mu1", "A"}}
	if !slices.Equal(cycle, want) {
		t.Fatalf("cycle %+v from %q", cycle, f.Message)
	}
	v := fromFailure(f)
	svg := waitForSVG("cycle", cycle, v.Blocked)
	wellFormed(t, "wait-for", svg)
	for _, s := range []string{">A<", ">B<", ">mu1<", ">mu2<", "main is blocked too: Wait() for all goroutines", "A waits for mu2", "mu2 is held by B"} {
		if !strings.Contains(svg, s) {
			t.Errorf("wait-for graph lacks %q", s)
		}
	}
	three := "A holds x and waits for y, held by B; B holds y and waits for z, held by C; C holds z and waits for x, held by A"
	if c := parseCycle("the body returned but 3 goroutines are still blocked in a deadlock: " + three + "\nblocked:"); len(c) != 3 {
		t.Errorf("leak with a deadlock: %+v", c)
	}
	wellFormed(t, "three", waitForSVG("three", parseCycle(three), nil))
	for _, bad := range []string{"all goroutines are blocked", "A holds x and waits for y, held by B; B holds z and waits for x, held by A", ""} {
		if c := parseCycle(bad); c != nil {
			t.Errorf("parseCycle(%q) = %+v, want nil", bad, c)
		}
	}
}

func TestBarChart(t *testing.T) {
	c := barChart{Title: "speedup <by> workers", Unit: "x", Bars: []bar{
		{Label: "1 worker", Value: 1, Ideal: 1}, {Label: "2 workers", Value: 1.8, Ideal: 2}}}
	svg := c.svg()
	wellFormed(t, "bars", svg)
	if !strings.Contains(svg, "speedup &lt;by&gt; workers") || !strings.Contains(svg, "1.80x") || !strings.Contains(svg, "ideal 2.00x") {
		t.Errorf("bar chart text: %s", svg)
	}
	if strings.Contains(svg, "log scale") {
		t.Error("linear values drawn on a log scale")
	}
	hist := []bar{{Label: "1300", Value: 19000}, {Label: "800", Value: 12, Bad: true}}
	if !wantsLog(hist) {
		t.Error("19000 against 12 should be drawn on a log scale")
	}
	p := chart(0, pictureHistogram, barChart{Title: "h", Bars: hist})
	wellFormed(t, "histogram", p.SVG)
	if !strings.Contains(p.SVG, "(log scale)") || !strings.Contains(p.SVG, colLost) {
		t.Error("histogram: no log scale note or no failure colour")
	}
	wellFormed(t, "empty", barChart{Title: "nothing"}.svg())
	for v, want := range map[float64]string{0.0123: "12.3ms", 2.5: "2.50s", 0.0000042: "4.2µs", 0: "0s"} {
		if got := formatValue(v, "s"); got != want {
			t.Errorf("formatValue(%v, s) = %q, want %q", v, got, want)
		}
	}
	if formatValue(3e6, "/s") != "3.0M/s" || formatValue(1.5*(1<<20), "B") != "1.5 MiB" || formatValue(7, "") != "7" {
		t.Error("formatValue units")
	}
}

// TestHistoryFromStressTable reads the table the lab's stress test prints
// and draws linear's view of it.
func TestHistoryFromStressTable(t *testing.T) {
	table, err := os.ReadFile("testdata/stress_table.txt")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := parseStressTable(string(table))
	if err != nil {
		t.Fatal(err)
	}
	want := []tableOp{{Client: 1, Text: "add(1)", Call: 1, Return: 3}, {Client: 2, Text: "add(1)", Call: 2, Return: 4}, {Client: 0, Text: "get() -> 1", Call: 5, Return: 6}}
	if !slices.Equal(ops, want) {
		t.Fatalf("ops %+v, want %+v", ops, want)
	}
	var page bytes.Buffer
	if err := writeHistoryHTML(&page, ops); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "not linearizable") {
		t.Errorf("history page does not say not linearizable")
	}
	page.Reset()
	queue := []tableOp{{Client: 1, Text: "enqueue(3)", Call: 1, Return: 2}, {Client: 2, Text: "dequeue() -> empty", Call: 3, Return: 4}}
	if err := writeHistoryHTML(&page, queue); err != nil || !strings.Contains(page.String(), "not linearizable") {
		t.Errorf("queue history: %v", err)
	}
	if err := writeHistoryHTML(&page, []tableOp{{Text: "frobnicate()"}}); err == nil {
		t.Error("an unknown operation drew a history")
	}
	for _, bad := range []string{"", "check: deadlock: x", "a | b\n", " | goroutine 1\nparallel | add(1)\n"} {
		if _, err := parseStressTable(bad); err == nil {
			t.Errorf("parseStressTable(%q) succeeded", bad)
		}
	}
}

// TestOutline: every item of the guide has an experiment of the lab, and
// every experiment of the lab has its place in the guide.
func TestOutline(t *testing.T) {
	var ids []string
	for _, e := range lab.Builtin() {
		ids = append(ids, e.ID)
	}
	out := outline(ids)
	for _, it := range out {
		if it.Section == "Other experiments" {
			t.Errorf("experiments outside the guide's outline: %v; give each its place in guideOutline (web/outline.go)", it.Experiments)
		}
		if len(it.Experiments) == 0 {
			t.Errorf("%s %s: no experiment", it.Section, it.Topic)
		}
	}
	got := outline([]string{"race-condition", "brand-new"})
	if last := got[len(got)-1]; last.Section != "Other experiments" || !slices.Equal(last.Experiments, []string{"brand-new"}) {
		t.Errorf("an unknown experiment is not listed: %+v", last)
	}
}

// TestPicturesOfEveryExperiment draws the pictures of a real quick run of
// every experiment (testdata/report.json, from "ludus lab --quick
// --json"): each experiment with a chart spec gets its charts, all are
// well-formed, and the checker's traces become swimlanes.
func TestPicturesOfEveryExperiment(t *testing.T) {
	data, err := os.ReadFile("testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	var rep lab.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]string{}
	for _, o := range rep.Experiments {
		if o.Error != "" {
			t.Fatalf("%s errored in the test data: %s", o.ID, o.Error)
		}
		pics := pictures(o)
		if _, ok := chartSpecs[o.ID]; ok && len(pics) == 0 {
			t.Errorf("%s: no picture", o.ID)
		}
		for _, p := range pics {
			kinds[o.ID] = append(kinds[o.ID], p.Kind.String())
			if p.Kind != pictureHistory {
				wellFormed(t, o.ID+" "+p.Title, p.SVG)
			}
			if p.Claim < 0 || p.Claim >= len(o.Claims) {
				t.Errorf("%s: picture for claim %d of %d", o.ID, p.Claim, len(o.Claims))
			}
		}
	}
	for id, want := range map[string][]string{
		"race-condition": {"histogram", "swimlanes"}, "deadlock": {"bars", "swimlanes", "waitfor"},
		"minimize-locks": {"bars", "swimlanes"}, "io-bound": {"bars"}, "stress-test": {"history"},
		"event-loop": {"bars"}, "web-server": {"bars"}, "remote-actors": {"bars"}, "concurrency-models": {"bars"},
	} {
		for _, k := range want {
			if !slices.Contains(kinds[id], k) {
				t.Errorf("%s: pictures %v lack %s", id, kinds[id], k)
			}
		}
	}
	for id := range chartSpecs {
		if _, ok := kinds[id]; !ok {
			t.Errorf("the test data has no outcome of %s", id)
		}
	}
}
