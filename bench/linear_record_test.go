package bench

import (
	"compress/gzip"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

var linearRecord = flag.String("linear.record", "", "record the high-concurrency histories of BenchmarkLinear into this directory (../linear/testdata/recorded) and exit")

// TestLinearRecorders records small histories from each object: the
// correct ones must give linearizable histories, the faulty ones (with the
// fault on from the start and frequent) histories that are not.
func TestLinearRecorders(t *testing.T) {
	net := netConfig{MaxDelay: 100 * time.Microsecond}
	rc := registerRecording{Clients: 6, Ops: 400, Values: 4, ReadPercent: 50, CASPercent: 10, Net: net, Seed: 1}
	if res := linear.Check(formats.EtcdModel(), recordRegister(rc, newLockedRegister(), nil)); !res.Linearizable() {
		t.Fatalf("locked register: %v", res)
	}
	kc := kvRecording{Clients: 6, Ops: 400, Keys: 3, GetPercent: 40, PutPercent: 10, Net: net, Seed: 1}
	if res := linear.Check(models.KV(), recordKV(kc, newLockedMap(), nil)); !res.Linearizable() {
		t.Fatalf("locked map: %v", res)
	}
	// With timeouts, some calls stay pending and the history must still be
	// linearizable.
	rc.Net = netConfig{MaxDelay: 50 * time.Microsecond, Timeout: 2 * time.Millisecond, StallEvery: 20, StallFor: 5 * time.Millisecond}
	h := recordRegister(rc, newLockedRegister(), nil)
	pending := 0
	for _, op := range h {
		if op.IsPending() {
			pending++
		}
	}
	if res := linear.Check(formats.EtcdModel(), h); !res.Linearizable() || pending == 0 {
		t.Fatalf("locked register with timeouts: %v, %d pending", res, pending)
	}

	// The faults show with high probability; allow a few tries.
	var wg sync.WaitGroup
	defer wg.Wait()
	rc.Net = net
	for try := 0; ; try++ {
		f := newFollowerRegister(2, time.Millisecond, &wg)
		f.faulty.Store(true)
		rc.Seed = uint64(try)
		if res := linear.Check(formats.EtcdModel(), recordRegister(rc, f, nil)); res.Verdict == linear.NotLinearizable {
			break
		}
		if try == 5 {
			t.Fatal("follower reads never gave a stale value")
		}
	}
	for try := 0; ; try++ {
		m := newLostAppendMap(2, 200*time.Microsecond, uint64(try))
		m.faulty.Store(true)
		kc.Seed = uint64(try)
		if res := linear.Check(models.KV(), recordKV(kc, m, nil)); res.Verdict == linear.NotLinearizable {
			break
		}
		if try == 5 {
			t.Fatal("the racy append never lost an update")
		}
	}
}

// TestRecordLinearHistories records the histories BenchmarkLinear reads,
// when run with -linear.record=DIR. A history is kept only if ludus and
// porcupine agree on its verdict, the verdict is the one the object
// promises, and porcupine's time is in the benchmark's range.
func TestRecordLinearHistories(t *testing.T) {
	if *linearRecord == "" {
		t.Skip("records histories only with -linear.record=DIR")
	}
	for _, spec := range recordedSpecs {
		t.Run(spec.name, func(t *testing.T) {
			for try := 0; try < 5; try++ {
				if recordOne(t, spec, uint64(try)) {
					return
				}
			}
			t.Errorf("%s: no history in range after 5 tries", spec.name)
		})
	}
}

// recordOne records one history for spec, checks it and writes it.
func recordOne(t *testing.T, spec recordedSpec, seed uint64) bool {
	var wg sync.WaitGroup
	defer wg.Wait()
	var (
		write     func(f *gzip.Writer) error
		ludus     func() linear.Verdict
		porc      func() porcupine.CheckResult
		nOps      int
		want      = linear.Linearizable
		porcLimit = 120 * time.Second
	)
	if spec.faulty {
		want = linear.NotLinearizable
	}
	if spec.reg != nil {
		rc := *spec.reg
		rc.Seed = seed
		var obj registerObject = newLockedRegister()
		var onFault func()
		if spec.faulty {
			f := newFollowerRegister(spec.every, spec.lag, &wg)
			obj, onFault = f, func() { f.faulty.Store(true) }
			rc.FaultAt = max(1, int(spec.faultAt*float64(rc.Ops)))
		}
		h := recordRegister(rc, obj, onFault)
		nOps = len(h)
		write = func(f *gzip.Writer) error { return formats.WriteJepsenEtcd(f, h) }
		ludus = func() linear.Verdict { return linear.Check(formats.EtcdModel(), h, linear.Timeout(porcLimit)).Verdict }
		porc = func() porcupine.CheckResult {
			return porcupine.CheckOperationsTimeout(porcupineModel(formats.EtcdModel(), nil), toPorcupine(h), porcLimit)
		}
	} else {
		kc := *spec.kv
		kc.Seed = seed
		var obj kvObject = newLockedMap()
		var onFault func()
		if spec.faulty {
			m := newLostAppendMap(spec.every, spec.lag, seed)
			obj, onFault = m, func() { m.faulty.Store(true) }
			kc.FaultAt = max(1, int(spec.faultAt*float64(kc.Ops)))
		}
		h := recordKV(kc, obj, onFault)
		nOps = len(h)
		write = func(f *gzip.Writer) error { return formats.WritePorcupineKV(f, h) }
		ludus = func() linear.Verdict { return linear.Check(models.KV(), h, linear.Timeout(porcLimit)).Verdict }
		key := func(in models.KVInput) string { return in.Key }
		porc = func() porcupine.CheckResult {
			return porcupine.CheckOperationsTimeout(porcupineModel(models.KV(), key), toPorcupine(h), porcLimit)
		}
	}
	// Both run at one P, timed by CPU time: the machine may be busy.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	start := cpuTime()
	got := ludus()
	lt := cpuTime() - start
	start = cpuTime()
	pr := porc()
	pt := cpuTime() - start
	t.Logf("%s try %d: %d ops; ludus %v in %v; porcupine %v in %v (CPU time, one P)", spec.name, seed, nOps, got, lt, pr, pt)
	wantP := porcupine.Ok
	if want == linear.NotLinearizable {
		wantP = porcupine.Illegal
	}
	if got != want || pr != wantP || pt < 100*time.Millisecond || pt > 20*time.Second {
		return false
	}
	name := filepath.Join(*linearRecord, spec.name)
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err := write(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return true
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// recordedSpec is one recorded history of the benchmark.
type recordedSpec struct {
	name    string
	reg     *registerRecording // a register history, or
	kv      *kvRecording       // a key-value one
	faulty  bool               // the object has a fault, switched on at faultAt
	faultAt float64            // the fraction of the calls made before the fault
	every   int                // how rarely the fault acts
	lag     time.Duration      // the follower's lag, or the racy append's pause
}

// regSpec is a register history; timeouts leave one call in about 500
// pending.
func regSpec(clients, ops int) *registerRecording {
	return &registerRecording{Clients: clients, Ops: ops, Values: 5, ReadPercent: 50, CASPercent: 10,
		Net: netConfig{MaxDelay: 200 * time.Microsecond, Timeout: 5 * time.Millisecond, StallEvery: 500, StallFor: 10 * time.Millisecond}}
}

// regSpecNoTimeouts is a register history where every call returns: with
// 20 clients and more, porcupine's search, which must place every pending
// call, is beyond minutes on a few hundred operations otherwise.
func regSpecNoTimeouts(clients, ops int) *registerRecording {
	rc := regSpec(clients, ops)
	rc.Net = netConfig{MaxDelay: 200 * time.Microsecond}
	return rc
}

// regSpecRamp is regSpecNoTimeouts with the clients starting one after
// another, half a millisecond apart: a fault on from the start then shows
// while few clients run at once. (With every client running, a history
// that fails is beyond porcupine in minutes: refuting it means trying
// every subset of the concurrent calls.)
func regSpecRamp(clients, ops int) *registerRecording {
	rc := regSpecNoTimeouts(clients, ops)
	rc.Ramp = 500 * time.Microsecond
	return rc
}

func kvSpec(clients, ops, keys int) *kvRecording {
	return &kvRecording{Clients: clients, Ops: ops, Keys: keys, GetPercent: 40, PutPercent: 5,
		Net: netConfig{MaxDelay: 100 * time.Microsecond}}
}

var recordedSpecs = []recordedSpec{
	{name: "register-c12-ok.log.gz", reg: regSpec(12, 3000)},
	{name: "register-c12-bad.log.gz", reg: regSpec(12, 3000), faulty: true, faultAt: 0.1, every: 10, lag: 5 * time.Millisecond},
	{name: "register-c20-ok.log.gz", reg: regSpecNoTimeouts(20, 300)},
	{name: "register-c20-bad.log.gz", reg: regSpecNoTimeouts(20, 300), faulty: true, faultAt: 0, every: 3, lag: 5 * time.Millisecond},
	{name: "register-c30-ok.log.gz", reg: regSpecNoTimeouts(30, 120)},
	{name: "register-c30-bad.log.gz", reg: regSpecRamp(30, 120), faulty: true, faultAt: 0.3, every: 3, lag: 5 * time.Millisecond},
	{name: "kv-c40-ok.txt.gz", kv: kvSpec(40, 1200, 10)},
	{name: "kv-c40-bad.txt.gz", kv: kvSpec(40, 1200, 10), faulty: true, faultAt: 0.5, every: 50, lag: time.Millisecond},
	{name: "kv-c60-ok.txt.gz", kv: kvSpec(60, 1800, 12)},
	{name: "kv-c60-bad.txt.gz", kv: kvSpec(60, 1800, 12), faulty: true, faultAt: 0.5, every: 50, lag: time.Millisecond},
}
