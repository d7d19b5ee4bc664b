package remote

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/labludus/ludus/actor"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(runRole(role))
	}
	goleak.VerifyTestMain(m, natsProcessGoroutines...)
}

// Test message types, registered on every test node.
type (
	ping struct {
		N    int
		Back actor.Ref[pong] // travels inside the message
	}
	pong struct{ N int }
	// only registered on the sending side in the decoding tests.
	stranger struct{ S string }
)

// logRecorder keeps log lines, for tests that check what a node logs.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.Key + "=" + a.Value.String()); return true })
	r.mu.Lock()
	r.lines = append(r.lines, b.String())
	r.mu.Unlock()
	return nil
}

func (r *logRecorder) has(sub string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

var quiet = slog.New(slog.DiscardHandler)

// testTypes registers the test messages.
func testTypes(t testing.TB) *Types {
	ts := NewTypes()
	for _, err := range []error{Register[ping](ts, "test.ping"), Register[pong](ts, "test.pong")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

// fastConfig detects a dead node in 300ms, for tests that kill one.
func fastConfig(t testing.TB) Config {
	return Config{Types: testTypes(t), Logger: quiet, Heartbeat: 50 * time.Millisecond, NodeTimeout: 300 * time.Millisecond}
}

// joinSystem makes a System called name and joins it with cfg; both are
// closed when the test ends.
func joinSystem(t testing.TB, name string, cfg Config) (*actor.System, *Node) {
	t.Helper()
	sys, err := actor.NewSystem(actor.WithName(name), actor.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	n, err := Join(sys, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			t.Error(err)
		}
		if _, err := sys.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	return sys, n
}

// clusterFunc makes a cluster of one System per name.
type clusterFunc func(t testing.TB, cfg Config, names ...string) ([]*actor.System, []*Node)

// cluster joins one System per name: the first embeds the NATS server,
// the others join through its URL (cleanups run in reverse, so the
// server's node closes last). Every node waits to see every other.
func cluster(t testing.TB, cfg Config, names ...string) ([]*actor.System, []*Node) {
	return clusterAt(nil)(t, cfg, names...)
}

// clusterAt joins the i-th name to urls[i%len(urls)] (NATS servers run as
// processes, see natsServers), or like cluster when urls is empty.
func clusterAt(urls []string) clusterFunc {
	return func(t testing.TB, cfg Config, names ...string) ([]*actor.System, []*Node) {
		t.Helper()
		var systems []*actor.System
		var ns []*Node
		for i, name := range names {
			c := cfg
			switch {
			case len(urls) > 0:
				c.URLs = []string{urls[i%len(urls)]}
			case i > 0:
				c.URLs = []string{ns[0].URL()}
			}
			s, n := joinSystem(t, name, c)
			systems, ns = append(systems, s), append(ns, n)
		}
		waitAll(t, ns, names)
		return systems, ns
	}
}

func waitAll(t testing.TB, ns []*Node, names []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, n := range ns {
		for _, name := range names {
			if err := n.WaitNode(ctx, name); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// scenarios run on every kind of NATS: embedded, a server process, a
// cluster of three server processes with the nodes on different servers.
var scenarios = []struct {
	name string
	run  func(*testing.T, clusterFunc)
}{
	{"ping-pong", testPingPong}, {"ask", testAsk}, {"watch-stop", testWatchAndStop},
	{"three-systems", testThreeSystems}, {"node-down", testNodeDown},
}

func runScenarios(t *testing.T, mk clusterFunc) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, mk) })
	}
}

func TestEmbedded(t *testing.T) { runScenarios(t, cluster) }

// TestServerProcess: the nodes connect by URL to a NATS server running as
// its own process.
func TestServerProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	runScenarios(t, clusterAt(natsServers(t, 1)))
}

// TestServerCluster: three NATS server processes joined by routes; each
// node is attached to a different one.
func TestServerCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	runScenarios(t, clusterAt(natsServers(t, 3)))
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func within(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// pongActor answers a ping to its Back reference, and an Ask with Reply.
func pongActor(c *actor.Context[ping]) actor.Behavior[ping] {
	return func(c *actor.Context[ping], p ping) error {
		if p.Back.IsZero() {
			actor.Reply(c, pong{p.N + 1})
			return nil
		}
		return p.Back.Send(pong{p.N + 1})
	}
}

// TestPingPong: two Systems, a reference sent inside a message and used by
// its receiver, a thousand round trips, nothing lost.
func testPingPong(t *testing.T, mk clusterFunc) {
	sys, _ := mk(t, Config{Types: testTypes(t), Logger: quiet}, "a", "b")
	must[actor.Ref[ping]](t)(actor.Spawn(sys[1], "pong", pongActor))
	remotePong := must[actor.Ref[ping]](t)(Lookup[ping](context.Background(), sys[0], "b/user/pong"))
	const rounds = 1000
	done := make(chan int, 1)
	pinger := must[actor.Ref[pong]](t)(actor.Spawn(sys[0], "ping", actor.Stateless(func(c *actor.Context[pong], p pong) error {
		if p.N >= 2*rounds {
			done <- p.N
			return nil
		}
		return remotePong.Send(ping{N: p.N + 1, Back: c.Self()})
	})))
	pinger.Send(pong{0})
	select {
	case n := <-done:
		if n != 2*rounds {
			t.Fatalf("ended at %d", n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ping-pong stalled: a message was lost")
	}
	if d := sys[0].DeadLetters() + sys[1].DeadLetters(); d != 0 {
		t.Fatalf("%d dead letters", d)
	}
}

// TestAsk: Ask across with its deadline; a late reply is a dead letter on
// the asking side; the wrong reply type fails the Ask.
func testAsk(t *testing.T, mk clusterFunc) {
	sys, _ := mk(t, Config{Types: testTypes(t), Logger: quiet}, "a", "b")
	gate := make(chan struct{})
	must[actor.Ref[ping]](t)(actor.Spawn(sys[1], "slow", actor.Stateless(func(c *actor.Context[ping], p ping) error {
		switch p.N {
		case 1:
			<-gate
		case 2:
			actor.Reply(c, "not a pong")
			return nil
		}
		actor.Reply(c, pong{p.N})
		return nil
	})))
	ref := must[actor.Ref[ping]](t)(Lookup[ping](context.Background(), sys[0], "b/user/slow"))
	if v, err := actor.Ask[pong](context.Background(), ref, ping{N: 7}); err != nil || v.N != 7 {
		t.Fatalf("Ask = %v, %v", v, err)
	}
	late := make(chan actor.DeadLetter, 1)
	cancel := sys[0].OnDeadLetter(func(d actor.DeadLetter) { late <- d })
	defer cancel()
	ctx, cancelCtx := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelCtx()
	if _, err := actor.Ask[pong](ctx, ref, ping{N: 1}); !errors.Is(err, actor.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ask past its deadline = %v", err)
	}
	close(gate)
	select {
	case d := <-late:
		if !errors.Is(d.Reason, actor.ErrLateReply) || d.Message != (pong{1}) {
			t.Fatalf("late reply %+v", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the late reply was not dead-lettered")
	}
	if _, err := actor.Ask[pong](context.Background(), ref, ping{N: 2}); !errors.Is(err, actor.ErrWrongType) {
		t.Fatalf("Ask answered with the wrong type = %v", err)
	}
	if _, err := Lookup[pong](context.Background(), sys[0], "b/user/slow"); !errors.Is(err, actor.ErrWrongType) {
		t.Fatalf("Lookup with the wrong message type = %v", err)
	}
	if _, err := Lookup[ping](context.Background(), sys[0], "b/user/nobody"); !errors.Is(err, actor.ErrNoActor) {
		t.Fatalf("Lookup of nothing = %v", err)
	}
}

// TestWatchAndStop: Watch a remote actor, Stop it remotely (after its
// queued messages), get Terminated with a nil reason; Kill gives ErrKilled.
func testWatchAndStop(t *testing.T, mk clusterFunc) {
	sys, _ := mk(t, Config{Types: testTypes(t), Logger: quiet}, "a", "b")
	var handled atomic.Int64
	for _, name := range []string{"x", "y"} {
		must[actor.Ref[ping]](t)(actor.Spawn(sys[1], name, actor.Stateless(func(*actor.Context[ping], ping) error {
			handled.Add(1)
			time.Sleep(time.Millisecond)
			return nil
		})))
	}
	x := must[actor.Ref[ping]](t)(Lookup[ping](context.Background(), sys[0], "b/user/x"))
	y := must[actor.Ref[ping]](t)(Lookup[ping](context.Background(), sys[0], "b/user/y"))
	got := make(chan actor.Terminated, 2)
	watched := make(chan struct{})
	must[actor.Ref[int]](t)(actor.Spawn(sys[0], "watcher", func(c *actor.Context[int]) actor.Behavior[int] {
		for _, r := range []actor.Ref[ping]{x, y} {
			if err := c.Watch(r, func(t actor.Terminated) int { got <- t; return 0 }); err != nil {
				panic(err)
			}
		}
		close(watched)
		return func(*actor.Context[int], int) error { return nil }
	}))
	<-watched
	for range 20 {
		x.Send(ping{})
	}
	x.Stop()
	y.Kill()
	reasons := map[actor.Address]error{}
	for range 2 {
		select {
		case tm := <-got:
			reasons[tm.Ref.Address()] = tm.Reason
		case <-time.After(10 * time.Second):
			t.Fatal("no Terminated")
		}
	}
	if reasons[x.Address()] != nil || !errors.Is(reasons[y.Address()], actor.ErrKilled) {
		t.Fatalf("reasons %v", reasons)
	}
	if handled.Load() != 20 {
		t.Fatalf("handled %d of the 20 messages queued before Stop", handled.Load())
	}
	select {
	case <-x.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("Done of a stopped remote actor")
	}
}

// TestUndecodable: a message the receiver cannot decode is a dead letter
// there with the reason; the Ask that sent it fails with it at once; the
// node goes on serving.
func TestUndecodable(t *testing.T) {
	sender := fastConfig(t)
	Register[stranger](sender.Types, "test.stranger")
	type clash struct{ N string } // "test.clash" is an int on the other side
	Register[clash](sender.Types, "test.clash")
	receiver := fastConfig(t)
	type clashB struct{ N int }
	if err := Register[clashB](receiver.Types, "test.clash"); err != nil {
		t.Fatal(err)
	}
	sa, _ := joinSystem(t, "a", sender)
	receiver.URLs = []string{mustNode(t, sa).URL()}
	sb, _ := joinSystem(t, "b", receiver)
	must[actor.Ref[any]](t)(actor.Spawn(sb, "any", actor.Stateless(func(c *actor.Context[any], m any) error {
		actor.Reply(c, pong{1})
		return nil
	})))
	var mu sync.Mutex
	var reasons []error
	sb.OnDeadLetter(func(d actor.DeadLetter) { mu.Lock(); reasons = append(reasons, d.Reason); mu.Unlock() })
	ctx := context.Background()
	mustNode(t, sa).WaitNode(ctx, "b")
	ref := actor.RemoteRef[any](mustNode(t, sa).bridge, actor.Address{System: "b", Path: "/user/any"})
	if _, err := actor.Ask[pong, any](ctx, ref, stranger{"?"}); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("Ask with a type unknown to the receiver = %v", err)
	}
	if _, err := actor.Ask[pong, any](ctx, ref, clash{"not an int"}); err == nil || !strings.Contains(err.Error(), "cannot decode") {
		t.Fatalf("Ask with an undecodable payload = %v", err)
	}
	if v, err := actor.Ask[pong, any](ctx, ref, 5); err != nil || v.N != 1 {
		t.Fatalf("the node stopped serving: %v %v", v, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reasons) != 2 || !errors.Is(reasons[0], ErrUnknownType) {
		t.Fatalf("dead letters on the receiver: %v", reasons)
	}
	if err := ref.Send(make(chan int)); !errors.Is(err, ErrUnknownType) {
		t.Fatalf("Send of an unregistered type = %v", err)
	}
}

func mustNode(t testing.TB, s *actor.System) *Node {
	n, err := nodeOf(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestThreeSystems: c looks up b's actor and gives it a reference to an
// actor of a; b answers there.
func testThreeSystems(t *testing.T, mk clusterFunc) {
	sys, _ := mk(t, Config{Types: testTypes(t), Logger: quiet}, "a", "b", "c")
	must[actor.Ref[ping]](t)(actor.Spawn(sys[1], "pong", pongActor))
	got := make(chan pong, 1)
	sink := must[actor.Ref[pong]](t)(actor.Spawn(sys[0], "sink", actor.Stateless(func(_ *actor.Context[pong], p pong) error { got <- p; return nil })))
	sinkFromC := must[actor.Ref[pong]](t)(Lookup[pong](context.Background(), sys[2], sink.Address().String()))
	pongFromC := must[actor.Ref[ping]](t)(Lookup[ping](context.Background(), sys[2], "b/user/pong"))
	if err := pongFromC.Send(ping{N: 41, Back: sinkFromC}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-got:
		if p.N != 42 {
			t.Fatalf("got %v", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the reply never reached a")
	}
}

// TestNodeDown: a node that dies (no goodbye: its heartbeats just stop)
// is detected within NodeTimeout: watchers get "node down", pending Asks
// fail, and the actor that SpawnOn put there is restarted on a live node
// by its supervisor, behind the same Ref.
func testNodeDown(t *testing.T, mk clusterFunc) {
	cfg := fastConfig(t)
	sys, ns := mk(t, cfg, "a", "b", "c")
	for _, n := range ns[1:] {
		if err := RegisterKind(n, "worker", pongActor); err != nil {
			t.Fatal(err)
		}
	}
	within(t, 5*time.Second, "a learns the kinds", func() bool { return len(ns[0].kindNodes("worker")) == 2 })
	restarts := make(chan error, 4)
	sup := must[actor.Ref[int]](t)(actor.Spawn(sys[0], "sup", func(c *actor.Context[int]) actor.Behavior[int] {
		return func(c *actor.Context[int], _ int) error {
			w, err := SpawnOn[ping](c, "worker", "w", Placement{Node: "c"})
			if err != nil {
				return err
			}
			actor.Reply(c, w.Address().String())
			return nil
		}
	}, actor.WithChildStrategy(actor.Strategy{BackoffMin: 10 * time.Millisecond, BackoffMax: time.Second, Decider: func(err error) actor.Directive {
		select {
		case restarts <- err:
		default:
		}
		return actor.Restart
	}})))
	where := must[string](t)(actor.Ask[string](context.Background(), sup, 0))
	if !strings.HasPrefix(where, "actor://a/user/sup/w#") {
		t.Fatalf("the stand-in is %s; want a local child of the supervisor", where)
	}
	worker := must[actor.Ref[ping]](t)(Lookup[ping](context.Background(), sys[0], "a/user/sup/w"))
	if v, err := actor.Ask[pong](context.Background(), worker, ping{N: 1}); err != nil || v.N != 2 {
		t.Fatalf("Ask through the stand-in = %v, %v", v, err)
	}
	// Something on c to watch and to ask.
	gate := make(chan struct{})
	defer close(gate)
	must[actor.Ref[ping]](t)(actor.Spawn(sys[2], "stuck", actor.Stateless(func(*actor.Context[ping], ping) error { <-gate; return nil })))
	stuck := must[actor.Ref[ping]](t)(Lookup[ping](context.Background(), sys[0], "c/user/stuck"))
	terms := make(chan actor.Terminated, 1)
	watching := make(chan struct{})
	must[actor.Ref[int]](t)(actor.Spawn(sys[0], "watcher", func(c *actor.Context[int]) actor.Behavior[int] {
		c.Watch(stuck, func(t actor.Terminated) int { terms <- t; return 0 })
		close(watching)
		return func(*actor.Context[int], int) error { return nil }
	}))
	<-watching
	askErr := make(chan error, 1)
	go func() {
		_, err := actor.Ask[pong](context.Background(), stuck, ping{})
		askErr <- err
	}()
	time.Sleep(50 * time.Millisecond) // the watch and the request reach c
	killed := time.Now()
	ns[2].crash()
	for _, what := range []string{"watch", "ask", "restart"} {
		var err error
		select {
		case tm := <-terms:
			err = tm.Reason
		case err = <-askErr:
		case err = <-restarts:
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: not told of the dead node within 2s", what)
		}
		if !errors.Is(err, ErrNodeDown) {
			t.Fatalf("%v; want node down", err)
		}
	}
	t.Logf("node down seen after %v", time.Since(killed))
	// The supervisor restarted the worker on b, behind the same Ref.
	within(t, 5*time.Second, "the worker answers again", func() bool {
		v, err := actor.Ask[pong](context.Background(), worker, ping{N: 10})
		return err == nil && v.N == 11
	})
}

// crash simulates a process killed with SIGKILL: no goodbye, no flush;
// the connection drops and the heartbeats stop.
func (n *Node) crash() {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	close(n.stop)
	n.wg.Wait()
	n.nc.Close()
	nodes.CompareAndDelete(n.sys, n)
}
