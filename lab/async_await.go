package lab

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/labludus/ludus/async"
)

func asyncAwaitExperiment() Experiment {
	return Experiment{
		ID:      "async-await",
		Section: "Async/Await",
		Specs: []ClaimSpec{
			{ID: "sequential-sum", Text: "Awaiting getUser(42) then getOrders(42) takes about the sum of their latencies."},
			{ID: "concurrent-longest", Text: "Awaiting both at once (Promise.all) takes about the longest latency."},
		},
		Run: runAsyncAwait,
	}
}

type asyncAwaitMeasurements struct {
	userLatency, ordersLatency float64 // seconds, set by the server
	sequential, concurrent     Stats   // seconds, one sample per round
}

func runAsyncAwait(ctx context.Context, env *Env) (Result, error) {
	m := asyncAwaitMeasurements{
		userLatency:   float64(env.Scale(120, 15)) / 1000,
		ordersLatency: float64(env.Scale(80, 10)) / 1000,
	}
	api := newSlowAPI(map[string]time.Duration{
		"/users/42":  time.Duration(m.userLatency * float64(time.Second)),
		"/orders/42": time.Duration(m.ordersLatency * float64(time.Second)),
	})
	defer api.Close()
	reps := env.Scale(5, 2)

	// One untimed round trip opens the connections both paths reuse.
	if _, _, err := getUserAndOrdersConcurrently(ctx, api); err != nil {
		return Result{}, err
	}
	env.Step("sequential and concurrent awaits against %s, in turn", api.URL)
	s, err := TimeInterleaved(ctx, reps,
		func() error {
			if _, err := api.get(ctx, "/users/42"); err != nil {
				return err
			}
			_, err := api.get(ctx, "/orders/42")
			return err
		},
		func() error {
			_, _, err := getUserAndOrdersConcurrently(ctx, api)
			return err
		})
	if err != nil {
		return Result{}, err
	}
	m.sequential, m.concurrent = s[0], s[1]
	return Result{Claims: m.verdicts()}, nil
}

// getUserAndOrdersConcurrently is the guide's Promise.all: both requests
// start at once as futures, and async.All awaits them together (the first
// failure cancels the other request).
func getUserAndOrdersConcurrently(ctx context.Context, api *slowAPI) (user, orders string, err error) {
	get := func(path string) func(context.Context) (string, error) {
		return func(ctx context.Context) (string, error) { return api.get(ctx, path) }
	}
	both, err := async.All(ctx, async.Go(ctx, get("/users/42")), async.Go(ctx, get("/orders/42")))
	if err != nil {
		return "", "", err
	}
	return both[0], both[1], nil
}

// verdicts is a pure function of the measurements: each time is compared
// with the latencies' prediction, round by round (see Judge).
func (m asyncAwaitMeasurements) verdicts() []Claim {
	exp := asyncAwaitExperiment()
	sum := m.userLatency + m.ordersLatency
	longest := max(m.userLatency, m.ordersLatency)
	meas := func(c Claim) Claim {
		c.Measurements["user_latency_s"], c.Measurements["orders_latency_s"] = m.userLatency, m.ordersLatency
		m.sequential.Spread().Measure(c.Measurements, "sequential_s")
		m.concurrent.Spread().Measure(c.Measurements, "concurrent_s")
		return c
	}
	// Real requests cost a little more than their latency; anything within
	// 30% (plus 10 ms of scheduling) of the prediction counts as "about".
	about := func(got, want float64) bool { return got >= want*0.95 && got <= want*1.3+0.010 }

	seq := meas(exp.NewClaim("sequential-sum"))
	seq.Evidence = fmt.Sprintf("with latencies of %s and %s (sum %s), the sequential calls took %s.",
		seconds(m.userLatency), seconds(m.ordersLatency), seconds(sum), seconds(m.sequential.Median))
	var note string
	seq.Verdict, note = Judge(m.sequential.Spread(), seconds,
		func(x float64) bool { return about(x, sum) },
		func(x float64) bool { return x < longest*1.3+0.010 })
	seq.Evidence += note

	con := meas(exp.NewClaim("concurrent-longest"))
	con.Evidence = fmt.Sprintf("the concurrent calls took %s against a longest latency of %s: %.1fx faster than sequential.",
		seconds(m.concurrent.Median), seconds(longest), ratio(m.sequential.Median, m.concurrent.Median))
	con.Verdict, note = Judge(m.concurrent.Spread(), seconds,
		func(x float64) bool { return about(x, longest) && x < 0.9*sum },
		func(x float64) bool { return x >= 0.95*sum })
	con.Evidence += note
	return []Claim{seq, con}
}

// slowAPI is an HTTP server on 127.0.0.1 whose endpoints answer after a
// set latency, as a remote API or database would.
type slowAPI struct {
	*httptest.Server
}

func newSlowAPI(latency map[string]time.Duration) *slowAPI {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := latency[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			fmt.Fprintf(w, "%s: ok", strings.TrimPrefix(r.URL.Path, "/"))
		case <-r.Context().Done():
		}
	}))
	return &slowAPI{srv}
}

func (a *slowAPI) get(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := a.Client().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return string(body), nil
}
