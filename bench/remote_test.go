package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	pactor "github.com/asynkron/protoactor-go/actor"
	premote "github.com/asynkron/protoactor-go/remote"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/labludus/ludus/actor"
	"github.com/labludus/ludus/actor/remote"
)

// The remote benchmarks run the same conversation between two processes
// on loopback with three peers, each used as its documentation shows:
//
//   - ludus: actor/remote, both nodes NATS clients of a server running in
//     the benchmark process; CBOR-encoded int messages; actor.Ask.
//   - protoactor: protoactor-go's remote (gRPC), protobuf Int64Value
//     messages; RequestFuture.
//   - nats: plain nats.go request/reply and publish on the same server,
//     8-byte payloads: the floor any actor layer over NATS pays.
//
// The other process is this test binary, re-executed to run
// TestRemotePeer with the peer's role in remotePeerEnv. Op = one round
// trip (PingPong) or one message (OneWay). Metrics: msgs/s, and for
// PingPong the median and 99th-percentile round trip in µs.

const remotePeerEnv = "LUDUS_BENCH_REMOTE_PEER"

// TestRemotePeer is the far side of the remote benchmarks, run in its own
// process; in a normal test run it has nothing to do.
func TestRemotePeer(t *testing.T) {
	role := strings.Fields(os.Getenv(remotePeerEnv))
	if len(role) == 0 {
		t.Skip("the peer process of BenchmarkRemote*, started by them")
	}
	var err error
	switch role[0] {
	case "ludus":
		err = ludusPeer(role[1])
	case "nats":
		err = natsPeer(role[1])
	case "protoactor":
		err = protoPeer(role[1])
	default:
		err = fmt.Errorf("unknown role %q", role[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peer:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// waitStdin prints "ready" and blocks until the benchmark closes stdin.
func waitStdin() {
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// sinkQuery asks a sink how many messages it got (and resets it).
const sinkQuery = -1

func ludusPeer(url string) error {
	sys, err := actor.NewSystem(actor.WithName("peer"))
	if err != nil {
		return err
	}
	n, err := remote.Join(sys, remote.Config{URLs: []string{url}, Logger: quietLog})
	if err != nil {
		return err
	}
	actor.Spawn(sys, "echo", actor.Stateless(func(c *actor.Context[int], m int) error {
		actor.Reply(c, m)
		return nil
	}))
	actor.Spawn(sys, "sink", func(*actor.Context[int]) actor.Behavior[int] {
		count := 0
		return func(c *actor.Context[int], m int) error {
			if m == sinkQuery {
				actor.Reply(c, count)
				count = 0
				return nil
			}
			count++
			return nil
		}
	})
	waitStdin()
	n.Close(context.Background())
	sys.Shutdown(context.Background())
	return nil
}

func natsPeer(url string) error {
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := nc.Subscribe("bench.echo", func(m *nats.Msg) { m.Respond(m.Data) }); err != nil {
		return err
	}
	count := uint64(0) // the subscription's callbacks run one at a time
	sink, err := nc.Subscribe("bench.sink", func(m *nats.Msg) {
		if m.Reply != "" {
			m.Respond(binary.LittleEndian.AppendUint64(nil, count))
			count = 0
			return
		}
		count++
	})
	if err != nil {
		return err
	}
	// As ludus's inbox: a burst waits rather than be dropped.
	if err := sink.SetPendingLimits(-1, 512<<20); err != nil {
		return err
	}
	if err := nc.Flush(); err != nil {
		return err
	}
	waitStdin()
	return nil
}

func protoPeer(port string) error {
	p, err := strconv.Atoi(port)
	if err != nil {
		return err
	}
	sys := pactor.NewActorSystem(pactor.WithLoggerFactory(quietProtoLogger))
	r := premote.NewRemote(sys, premote.Configure("127.0.0.1", p))
	r.Start()
	defer r.Shutdown(true)
	if _, err := sys.Root.SpawnNamed(pactor.PropsFromFunc(func(c pactor.Context) {
		if m, ok := c.Message().(*wrapperspb.Int64Value); ok {
			c.Respond(m)
		}
	}), "echo"); err != nil {
		return err
	}
	count := int64(0) // the actor's own state
	if _, err := sys.Root.SpawnNamed(pactor.PropsFromFunc(func(c pactor.Context) {
		if m, ok := c.Message().(*wrapperspb.Int64Value); ok {
			if m.Value == sinkQuery {
				c.Respond(wrapperspb.Int64(count))
				count = 0
				return
			}
			count++
		}
	}), "sink"); err != nil {
		return err
	}
	waitStdin()
	return nil
}

// remoteRig is the benchmark side: a NATS server, the three peer
// processes, and a client for each peer.
type remoteRig struct {
	srv    *server.Server
	ludus  struct{ echo, sink actor.Ref[int] }
	nc     *nats.Conn
	proto  *pactor.ActorSystem
	pEcho  *pactor.PID
	pSink  *pactor.PID
	cancel []func()
}

func newRemoteRig(b *testing.B) *remoteRig {
	rig := &remoteRig{}
	b.Cleanup(func() {
		for i := len(rig.cancel) - 1; i >= 0; i-- {
			rig.cancel[i]()
		}
	})
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoLog: true, NoSigs: true})
	if err != nil {
		b.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		b.Fatal("nats server not ready")
	}
	rig.srv = srv
	rig.cancel = append(rig.cancel, func() { srv.Shutdown(); srv.WaitForShutdown() })
	url := srv.ClientURL()
	protoPort := freeTCPPort(b)
	for _, role := range []string{"ludus " + url, "nats " + url, fmt.Sprint("protoactor ", protoPort)} {
		rig.startPeer(b, role)
	}
	rig.ludusClient(b, url)
	nc, err := nats.Connect(url)
	if err != nil {
		b.Fatal(err)
	}
	rig.nc = nc
	rig.cancel = append(rig.cancel, nc.Close)
	rig.protoClient(b, protoPort)
	return rig
}

func (rig *remoteRig) startPeer(b *testing.B, role string) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestRemotePeer$")
	cmd.Env = append(os.Environ(), remotePeerEnv+"="+role)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	rig.cancel = append(rig.cancel, func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready") {
		b.Fatalf("peer %q: %q %v", role, line, err)
	}
	go io.Copy(io.Discard, out)
}

func (rig *remoteRig) ludusClient(b *testing.B, url string) {
	sys, err := actor.NewSystem(actor.WithName("bench"))
	if err != nil {
		b.Fatal(err)
	}
	n, err := remote.Join(sys, remote.Config{URLs: []string{url}, Logger: quietLog})
	if err != nil {
		b.Fatal(err)
	}
	rig.cancel = append(rig.cancel, func() {
		n.Close(context.Background())
		sys.Shutdown(context.Background())
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if rig.ludus.echo, err = remote.Lookup[int](ctx, sys, "peer/user/echo"); err != nil {
		b.Fatal(err)
	}
	if rig.ludus.sink, err = remote.Lookup[int](ctx, sys, "peer/user/sink"); err != nil {
		b.Fatal(err)
	}
}

func (rig *remoteRig) protoClient(b *testing.B, peerPort int) {
	sys := pactor.NewActorSystem(pactor.WithLoggerFactory(quietProtoLogger))
	r := premote.NewRemote(sys, premote.Configure("127.0.0.1", freeTCPPort(b)))
	r.Start()
	rig.cancel = append(rig.cancel, func() { r.Shutdown(true); sys.Shutdown() })
	rig.proto = sys
	addr := fmt.Sprintf("127.0.0.1:%d", peerPort)
	rig.pEcho, rig.pSink = pactor.NewPID(addr, "echo"), pactor.NewPID(addr, "sink")
}

// roundTrips runs b.N round trips of ask, recording each one's duration,
// and reports msgs/s (two per round trip) and the p50 and p99 in µs.
func roundTrips(b *testing.B, ask func(i int) error) {
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		if err := ask(i); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(t0)
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(lat[b.N/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[b.N*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkRemotePingPong: one request in flight, answered by an echo
// actor (or subscriber) in the other process.
func BenchmarkRemotePingPong(b *testing.B) {
	rig := newRemoteRig(b)
	ctx := context.Background()
	b.Run("ludus", func(b *testing.B) {
		roundTrips(b, func(i int) error {
			v, err := actor.Ask[int](ctx, rig.ludus.echo, i)
			if err == nil && v != i {
				err = fmt.Errorf("echo %d for %d", v, i)
			}
			return err
		})
	})
	b.Run("protoactor", func(b *testing.B) {
		roundTrips(b, func(i int) error {
			_, err := rig.proto.Root.RequestFuture(rig.pEcho, wrapperspb.Int64(int64(i)), 10*time.Second).Result()
			return err
		})
	})
	b.Run("nats", func(b *testing.B) {
		buf := make([]byte, 8)
		roundTrips(b, func(i int) error {
			binary.LittleEndian.PutUint64(buf, uint64(i))
			_, err := rig.nc.Request("bench.echo", buf, 10*time.Second)
			return err
		})
	})
}

// BenchmarkRemoteOneWay: b.N one-way messages to a counting actor (or
// subscriber) in the other process, then one request that returns the
// count, which must be b.N: the time includes the delivery of every
// message.
func BenchmarkRemoteOneWay(b *testing.B) {
	rig := newRemoteRig(b)
	ctx := context.Background()
	check := func(b *testing.B, got int64) {
		b.StopTimer()
		if got != int64(b.N) {
			b.Fatalf("the peer counted %d of %d messages", got, b.N)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	}
	b.Run("ludus", func(b *testing.B) {
		for i := range b.N {
			if err := rig.ludus.sink.Send(i); err != nil {
				b.Fatal(err)
			}
		}
		n, err := actor.Ask[int](ctx, rig.ludus.sink, sinkQuery)
		if err != nil {
			b.Fatal(err)
		}
		check(b, int64(n))
	})
	b.Run("protoactor", func(b *testing.B) {
		for i := range b.N {
			rig.proto.Root.Send(rig.pSink, wrapperspb.Int64(int64(i)))
		}
		res, err := rig.proto.Root.RequestFuture(rig.pSink, wrapperspb.Int64(sinkQuery), time.Minute).Result()
		if err != nil {
			b.Fatal(err)
		}
		check(b, res.(*wrapperspb.Int64Value).Value)
	})
	b.Run("nats", func(b *testing.B) {
		buf := make([]byte, 8)
		for i := range b.N {
			binary.LittleEndian.PutUint64(buf, uint64(i))
			if err := rig.nc.Publish("bench.sink", buf); err != nil {
				b.Fatal(err)
			}
		}
		m, err := rig.nc.Request("bench.sink", nil, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		check(b, int64(binary.LittleEndian.Uint64(m.Data)))
	})
}

func freeTCPPort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var quietLog = slog.New(slog.DiscardHandler)

func quietProtoLogger(*pactor.ActorSystem) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
