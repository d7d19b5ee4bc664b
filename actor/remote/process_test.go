package remote

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/goleak"

	"github.com/labludus/ludus/actor"
)

// The multi-process tests re-execute this test binary (os.Args[0]) with
// roleEnv set: as a NATS server (the nats-server command's own main, built
// from the server module, so "a real NATS server run as its own process"
// needs nothing installed), or as an actor node that the test drives
// through its standard input and output.

// roleEnv, when set, makes the test binary run one role instead of the
// tests (see runRole); argsEnv carries the role's arguments.
const (
	roleEnv = "LUDUS_REMOTE_ROLE"
	argsEnv = "LUDUS_REMOTE_ARGS"
)

// natsProcessGoroutines are goroutines that live as long as the process
// once NATS has run in it; goleak ignores exactly those. (None so far: a
// closed connection and a shut-down embedded server stop all of theirs.)
var natsProcessGoroutines = []goleak.Option{}

func runRole(role string) int {
	args := strings.Fields(os.Getenv(argsEnv))
	switch role {
	case "nats-server":
		return runNATSServer(args)
	case "node":
		return runNode(args)
	}
	fmt.Fprintf(os.Stderr, "unknown role %q\n", role)
	return 2
}

// runNATSServer is nats-server's main: the same flags, the same server.
// It prints "ready <client URL>" once it accepts connections.
func runNATSServer(args []string) int {
	fs := flag.NewFlagSet("nats-server", flag.ExitOnError)
	opts, err := server.ConfigureOptions(fs, args, server.PrintServerAndExit, fs.Usage, server.PrintTLSHelpAndDie)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nats-server:", err)
		return 1
	}
	s, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nats-server:", err)
		return 1
	}
	s.ConfigureLogger()
	if err := server.Run(s); err != nil {
		fmt.Fprintln(os.Stderr, "nats-server:", err)
		return 1
	}
	if !s.ReadyForConnections(10 * time.Second) {
		fmt.Fprintln(os.Stderr, "nats-server: not ready")
		return 1
	}
	fmt.Println("ready", s.ClientURL())
	s.WaitForShutdown()
	return 0
}

// child is a process started in a role, with its output as lines.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
	done  chan struct{} // closed when the output ends
}

func startChild(t *testing.T, role string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), roleEnv+"="+role, argsEnv+"="+strings.Join(args, " "))
	cmd.Stderr = os.Stderr
	if role == "nats-server" {
		cmd.Stderr = io.Discard // its log: every route and client coming and going
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, stdin: stdin, lines: make(chan string, 100), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		stdin.Close() // a node leaves when its input ends
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-c.done
		}
		cmd.Process.Kill()
		cmd.Wait()
	})
	return c
}

// expect waits for a line starting with prefix and returns its fields.
func (c *child) expect(t *testing.T, prefix string, d time.Duration) []string {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case l := <-c.lines:
			if strings.HasPrefix(l, prefix) {
				return strings.Fields(l)
			}
		case <-c.done:
			t.Fatalf("%s ended before printing %q", c.cmd.Path, prefix)
		case <-deadline:
			t.Fatalf("no %q line within %v", prefix, d)
		}
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// natsServers runs n NATS server processes on loopback; with n > 1 they
// form a cluster, routes from each to the first. It returns their URLs.
func natsServers(t *testing.T, n int) []string {
	var urls []string
	seed := freePort(t)
	for i := range n {
		args := []string{"-a", "127.0.0.1", "-p", "-1", "-n", fmt.Sprint("srv", i)}
		if n > 1 {
			port := seed
			if i > 0 {
				port = freePort(t)
			}
			args = append(args, "--cluster_name", "ludus-test", "--cluster", fmt.Sprintf("nats://127.0.0.1:%d", port))
			if i > 0 {
				args = append(args, "--routes", fmt.Sprintf("nats://127.0.0.1:%d", seed))
			}
		}
		c := startChild(t, "nats-server", args...)
		urls = append(urls, c.expect(t, "ready", 30*time.Second)[1])
	}
	return urls
}

// tally is what the nodes of the multi-process test count.
type tally struct {
	From string
	Seq  int
}

// tallyQuery asks a sink for its counts ("from:count" per sender, and
// "disorder:n" for messages out of order).
type tallyQuery struct{ Counts bool }

func processTypes() *Types {
	ts := NewTypes()
	Register[tally](ts, "test.tally")
	Register[tallyQuery](ts, "test.tallyQuery")
	Register[ping](ts, "test.ping")
	Register[pong](ts, "test.pong")
	return ts
}

// sink counts tallies per sender and checks their order.
func sink(c *actor.Context[any]) actor.Behavior[any] {
	last := map[string]int{}
	disorder := 0
	return func(c *actor.Context[any], m any) error {
		switch m := m.(type) {
		case tally:
			if m.Seq != last[m.From]+1 {
				disorder++
			}
			last[m.From] = m.Seq
		case tallyQuery:
			var parts []string
			for from, n := range last {
				parts = append(parts, fmt.Sprintf("%s:%d", from, n))
			}
			parts = append(parts, fmt.Sprint("disorder:", disorder))
			actor.Reply(c, strings.Join(parts, " "))
		}
		return nil
	}
}

// runNode is an actor node: args are its name, the NATS URL, the other
// nodes' names (comma-separated) and how many tallies to send each. It
// sends them, prints "ready", reports every Terminated of a watched sink
// as "terminated <node> <ms since the kill signal>", and leaves when its
// input ends.
func runNode(args []string) int {
	name, url, peers := args[0], args[1], strings.Split(args[2], ",")
	k, _ := strconv.Atoi(args[3])
	sys, err := actor.NewSystem(actor.WithName(name))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, err := Join(sys, Config{URLs: []string{url}, Types: processTypes()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	actor.Spawn(sys, "sink", sink)
	actor.Spawn(sys, "stuck", actor.Stateless(func(*actor.Context[ping], ping) error { select {} }))
	RegisterKind(n, "worker", pongActor)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out sync.Mutex
	say := func(format string, a ...any) { out.Lock(); fmt.Printf(format+"\n", a...); out.Unlock() }
	for _, p := range peers {
		if p == name {
			continue
		}
		ref, err := Lookup[any](ctx, sys, p+"/user/sink")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		for i := 1; i <= k; i++ {
			ref.Send(tally{name, i})
		}
		actor.Spawn(sys, "watch-"+p, func(c *actor.Context[string]) actor.Behavior[string] {
			c.Watch(ref, func(t actor.Terminated) string { return fmt.Sprint(t.Reason) })
			return func(c *actor.Context[string], reason string) error {
				say("terminated %s %s", p, reason)
				return nil
			}
		})
	}
	say("ready")
	io.Copy(io.Discard, os.Stdin)
	n.Close(context.Background())
	sys.Shutdown(context.Background())
	return 0
}

// TestMultiProcess: three node processes and this one exchange messages
// with nothing lost; one is killed with SIGKILL; every watcher, here and
// in the other processes, gets "node down" within 2 s, a pending Ask
// fails, and a supervisor here restarts the worker it had there on a live
// node.
func TestMultiProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const k = 2000
	sys, self := joinSystem(t, "t", Config{Types: processTypes(), Logger: quiet})
	mine := must[actor.Ref[any]](t)(actor.Spawn(sys, "sink", sink))
	names := []string{"n1", "n2", "n3"}
	kids := map[string]*child{}
	for _, name := range names {
		kids[name] = startChild(t, "node", name, self.URL(), strings.Join(append([]string{"t"}, names...), ","), fmt.Sprint(k))
	}
	for _, name := range names {
		kids[name].expect(t, "ready", 60*time.Second)
	}
	ctx := context.Background()
	sinks := map[string]actor.Ref[any]{}
	for _, name := range names {
		sinks[name] = must[actor.Ref[any]](t)(Lookup[any](ctx, sys, name+"/user/sink"))
		for i := 1; i <= k; i++ {
			if err := sinks[name].Send(tally{"t", i}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Nothing lost: every sink got k tallies from each of the others, in
	// order.
	sinks["t"] = mine
	for _, name := range append([]string{"t"}, names...) {
		var want []string
		for _, from := range append([]string{"t"}, names...) {
			if from != name {
				want = append(want, fmt.Sprintf("%s:%d", from, k))
			}
		}
		within(t, 20*time.Second, name+" counts every message", func() bool {
			got, err := actor.Ask[string, any](ctx, sinks[name], tallyQuery{true})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range append(want, "disorder:0") {
				if !strings.Contains(got, w) {
					return false
				}
			}
			return true
		})
	}
	if d := sys.DeadLetters(); d != 0 {
		t.Fatalf("%d dead letters while every node lived", d)
	}

	// A supervised worker on n3, a watcher of n3's sink, an Ask n3 never
	// answers.
	restarts := make(chan error, 8)
	sup := must[actor.Ref[int]](t)(actor.Spawn(sys, "sup", func(c *actor.Context[int]) actor.Behavior[int] {
		w, err := SpawnOn[ping](c, "worker", "w", Placement{Node: "n3"})
		if err != nil {
			panic(err)
		}
		return func(c *actor.Context[int], _ int) error {
			actor.Reply(c, w)
			return nil
		}
	}, actor.WithChildStrategy(actor.Strategy{BackoffMin: 10 * time.Millisecond, Decider: func(err error) actor.Directive {
		select {
		case restarts <- err:
		default:
		}
		return actor.Restart
	}})))
	worker := must[actor.Ref[ping]](t)(actor.Ask[actor.Ref[ping]](ctx, sup, 0))
	if v, err := actor.Ask[pong](ctx, worker, ping{N: 1}); err != nil || v.N != 2 {
		t.Fatalf("worker on n3: %v %v", v, err)
	}
	terms := make(chan actor.Terminated, 1)
	watching := make(chan struct{})
	must[actor.Ref[int]](t)(actor.Spawn(sys, "watcher", func(c *actor.Context[int]) actor.Behavior[int] {
		c.Watch(sinks["n3"], func(t actor.Terminated) int { terms <- t; return 0 })
		close(watching)
		return func(*actor.Context[int], int) error { return nil }
	}))
	<-watching
	stuck := must[actor.Ref[ping]](t)(Lookup[ping](ctx, sys, "n3/user/stuck"))
	askErr := make(chan error, 1)
	go func() {
		_, err := actor.Ask[pong](ctx, stuck, ping{})
		askErr <- err
	}()
	time.Sleep(100 * time.Millisecond) // the watch and the request reach n3

	if err := kids["n3"].cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	killed := time.Now()
	deadline := killed.Add(2 * time.Second)
	wait := func(what string, ch <-chan error) {
		t.Helper()
		select {
		case err := <-ch:
			if !errors.Is(err, ErrNodeDown) {
				t.Fatalf("%s: %v; want node down", what, err)
			}
			t.Logf("%s: node down after %v", what, time.Since(killed).Round(time.Millisecond))
		case <-time.After(time.Until(deadline)):
			t.Fatalf("%s: not told within 2s that n3 died", what)
		}
	}
	termErr := make(chan error, 1)
	go func() { tm := <-terms; termErr <- tm.Reason }()
	wait("watcher here", termErr)
	wait("pending Ask", askErr)
	wait("supervisor", restarts)
	for _, name := range []string{"n1", "n2"} {
		l := kids[name].expect(t, "terminated n3", time.Until(deadline)+100*time.Millisecond)
		if !strings.Contains(strings.Join(l, " "), "node down") {
			t.Fatalf("%s: %v", name, l)
		}
		t.Logf("watcher on %s: %s", name, strings.Join(l[2:], " "))
	}
	within(t, 10*time.Second, "the worker restarted on a live node", func() bool {
		v, err := actor.Ask[pong](ctx, worker, ping{N: 10})
		return err == nil && v.N == 11
	})
}
