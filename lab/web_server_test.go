package lab

import (
	"strings"
	"testing"
)

func TestWebServerVerdicts(t *testing.T) {
	st := func(med, lo, hi float64) Stats { return Stats{N: 3, Median: med, Min: lo, Max: hi} }
	mk := func(loopMem, gorMem, loopRate, gorRate, poolFirst, gorFirst float64, peak int64) webServerMeasurements {
		return webServerMeasurements{
			clients: 256, requests: 200, idle: 1000, workers: 32, loops: 2, rounds: 3,
			servers: []*wsServer{
				{name: "loop", perConn: loopMem, served: 1000, rate: st(loopRate, loopRate*0.9, loopRate*1.1), p99: st(0.002, 0.002, 0.003)},
				{name: "pool", rate: st(50000, 45000, 55000), first: st(poolFirst, poolFirst*0.9, poolFirst*1.1), peakBusy: peak},
				{name: "goroutines", perConn: gorMem, served: 1000, rate: st(gorRate, gorRate*0.9, gorRate*1.1), first: st(gorFirst, gorFirst*0.9, gorFirst*1.1)},
			},
		}
	}
	sameVerdicts(t, "textbook", mk(200, 6000, 90000, 100000, 0.05, 0.003, 32).verdicts(), Holds, Holds)
	sameVerdicts(t, "contradicted", mk(7000, 6000, 40000, 100000, 0.003, 0.003, 33).verdicts(), Fails, Fails)
	sameVerdicts(t, "in between", mk(4000, 6000, 90000, 100000, 0.0045, 0.003, 32).verdicts(), Inconclusive, Inconclusive)
	c := mk(200, 6000, 90000, 100000, 0.05, 0.003, 32).verdicts()
	if !strings.Contains(c[0].Detail, "thread pool") && !strings.Contains(c[0].Detail, "pool") || c[1].Measurements["pool_peak_busy"] != 32 {
		t.Errorf("detail %q, measurements %v", c[0].Detail, c[1].Measurements)
	}
	m := mk(200, 6000, 40000, 100000, 0.003, 0.003, 32)
	for _, s := range m.servers {
		s.rate.N, s.first.N = 1, 1 // one round: its noise is unknown
	}
	sameVerdicts(t, "one round", m.verdicts(), Inconclusive, Inconclusive)
	m = mk(200, 6000, 90000, 100000, 0.05, 0.003, 32)
	m.clients = 16 // no more clients than workers: nothing to queue
	if v := m.verdicts()[1].Verdict; v != Inconclusive {
		t.Errorf("clients <= workers: %s", v)
	}
}

func TestWebServerQuick(t *testing.T) {
	claims := quickClaims(t, webServerExperiment(), CPUs())
	c := claims[0]
	if c.Measurements["event_loop_requests_per_s"] <= 0 || c.Measurements["pool_first_reply_p90_s"] <= 0 || c.Detail == "" {
		t.Errorf("%+v", c)
	}
	for _, c := range claims {
		t.Logf("%s: %s", c.Verdict, c.Evidence)
	}
	t.Logf("\n%s", c.Detail)
}
