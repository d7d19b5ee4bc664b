package remote

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/labludus/ludus/actor"
)

// Node is a System attached to a cluster: it carries the System's
// messages to other nodes and theirs to it, and watches the other nodes.
// Its name is the System's name (actor.WithName), unique in the cluster.
type Node struct {
	sys    *actor.System
	cfg    settings
	bridge *actor.Bridge
	nc     *nats.Conn
	srv    *server.Server // the embedded server, nil when joined by URL
	inc    uint64         // this run's incarnation: a restarted node is a new one

	header     []byte // the wire header of every message this node sends
	headerLen  int
	maxPayload int // the largest NATS message the servers take

	spawner actor.Ref[spawnJob] // "/user/remote": parent of actors spawned here by others
	subs    []*nats.Subscription
	stop    chan struct{} // closed by Close: ends the heartbeat loop
	wg      sync.WaitGroup

	mu sync.Mutex
	// members are the live other nodes, by name.
	members map[string]*member
	// peers are the outbound buffers toward live nodes, made on first use.
	peers map[string]*peer
	// quarantined holds the incarnations declared down: they never come
	// back (a node that was cut off must restart to rejoin), so that no
	// watcher sees an actor come back from the dead.
	quarantined map[incarnation]struct{}
	// kinds are the actor kinds others may spawn here (SpawnOn).
	kinds map[string]kindFunc
	// changed is closed and replaced whenever members change.
	changed chan struct{}
	closed  bool
	next    uint64 // round-robin position of SpawnOn's placement
}

type incarnation struct {
	node string
	inc  uint64
}

// member is what a node knows of another, from its heartbeats.
type member struct {
	inc   uint64
	last  time.Time
	kinds []string
	url   string
}

// inboxPendingBytes bounds what may wait, received but not yet handled,
// in the node's subscriptions; past it NATS drops messages (logged, see
// natsError).
const inboxPendingBytes = 512 << 20

// frameRoom is what a message's frame and the NATS message's header take
// besides the encoded message (addresses, type name), at most.
const frameRoom = 1 << 10

// nodes finds the Node of a System (for Lookup and SpawnOn, which take
// the System). Entries live from Join to Close.
var nodes sync.Map // *actor.System -> *Node

// Join attaches sys to a cluster under sys's name and returns its Node.
// With no URLs it starts an embedded NATS server (see Config); otherwise
// it connects to the given servers. Close the Node to leave.
func Join(sys *actor.System, cfg Config) (*Node, error) {
	if sys == nil {
		return nil, fmt.Errorf("%w: nil System", ErrBadConfig)
	}
	CBOR() // heartbeats and requests are CBOR whatever the message codec
	s, err := cfg.settle(sys.Name())
	if err != nil {
		return nil, err
	}
	n := &Node{sys: sys, cfg: s, inc: rand.Uint64() | 1, stop: make(chan struct{}),
		members: map[string]*member{}, peers: map[string]*peer{}, quarantined: map[incarnation]struct{}{},
		kinds: map[string]kindFunc{}, changed: make(chan struct{})}
	if err := n.connect(); err != nil {
		return nil, err
	}
	if err := n.attach(); err != nil {
		n.disconnect()
		return nil, err
	}
	nodes.Store(sys, n)
	n.wg.Add(1)
	go n.heartbeats()
	n.beat(true)
	s.Logger.Info("remote: node joined", slog.String("node", s.name), slog.String("url", n.URL()))
	return n, nil
}

func (n *Node) connect() error {
	urls := n.cfg.URLs
	if len(urls) == 0 {
		srv, err := startServer(n.cfg)
		if err != nil {
			return err
		}
		n.srv = srv
		urls = []string{srv.ClientURL()}
	} else {
		n.cfg.warnExposure(urls)
	}
	opts, err := n.cfg.natsOptions(n.natsError)
	if err != nil {
		n.disconnect()
		return err
	}
	nc, err := nats.Connect(strings.Join(urls, ","), opts...)
	if err != nil {
		n.disconnect()
		return fmt.Errorf("remote: connect to %v: %w", urls, err)
	}
	n.nc = nc
	n.header = appendHeader(nil, n.cfg.name, n.inc)
	n.headerLen = len(n.header)
	n.maxPayload = int(nc.MaxPayload())
	if n.maxPayload < n.cfg.MaxMessageSize+frameRoom {
		n.disconnect()
		return fmt.Errorf("%w: MaxMessageSize %d does not fit the server's max payload %d", ErrBadConfig, n.cfg.MaxMessageSize, n.maxPayload)
	}
	return nil
}

// attach connects the System and subscribes to the node's subjects.
func (n *Node) attach() error {
	b, err := n.sys.Attach(transport{n})
	if err != nil {
		return err
	}
	n.bridge = b
	n.spawner, err = actor.Spawn(n.sys, "remote", actor.Stateless(runSpawnJob),
		actor.WithChildStrategy(actor.Strategy{Decider: func(error) actor.Directive { return actor.Stop }}))
	if err != nil {
		b.Detach()
		return fmt.Errorf("remote: the /user/remote actor: %w", err)
	}
	for subj, h := range map[string]nats.MsgHandler{n.inbox(n.cfg.name): n.receive, n.hbSubject(): n.onHeartbeat, n.rpcSubject(n.cfg.name): n.onRequest} {
		sub, err := n.nc.Subscribe(subj, h)
		if err == nil {
			// A burst waits in memory rather than be dropped: the client's
			// default (64 MiB, 512k messages) drops a fast sender's batches.
			err = sub.SetPendingLimits(-1, inboxPendingBytes)
		}
		if err != nil {
			n.detach()
			return fmt.Errorf("remote: subscribe %s: %w", subj, err)
		}
		n.subs = append(n.subs, sub)
	}
	if err := n.nc.Flush(); err != nil {
		n.detach()
		return fmt.Errorf("remote: flush: %w", err)
	}
	return nil
}

func (n *Node) detach() {
	for _, s := range n.subs {
		_ = s.Unsubscribe()
	}
	n.spawner.Stop()
	n.bridge.Detach()
}

func (n *Node) disconnect() {
	if n.nc != nil {
		n.nc.Close()
	}
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
}

func (n *Node) inbox(node string) string      { return n.cfg.Namespace + ".n." + node }
func (n *Node) rpcSubject(node string) string { return n.cfg.Namespace + ".rpc." + node }
func (n *Node) hbSubject() string             { return n.cfg.Namespace + ".hb" }

// Name returns the node's name (its System's).
func (n *Node) Name() string { return n.cfg.name }

// System returns the node's System.
func (n *Node) System() *actor.System { return n.sys }

// Types returns the message-type registry: register the types this node
// sends and receives with Register.
func (n *Node) Types() *Types { return n.cfg.Types }

// URL returns the NATS URL other nodes can join through: the embedded
// server's, or the server this node is connected to.
func (n *Node) URL() string {
	if n.srv != nil {
		return n.srv.ClientURL()
	}
	return n.nc.ConnectedUrl()
}

// Nodes returns the names of the other live nodes, in no particular order.
func (n *Node) Nodes() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, 0, len(n.members))
	for name := range n.members {
		out = append(out, name)
	}
	return out
}

// WaitNode waits until the node called name is live (or ctx ends).
func (n *Node) WaitNode(ctx context.Context, name string) error {
	for {
		n.mu.Lock()
		_, ok := n.members[name]
		changed, closed := n.changed, n.closed
		n.mu.Unlock()
		switch {
		case ok || name == n.cfg.name:
			return nil
		case closed:
			return ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%w: %s: %w", ErrNoNode, name, ctx.Err())
		}
	}
}

// Close leaves the cluster: the other nodes learn at once that this one
// left (their watchers get Terminated with "node down"), every local
// watcher of a remote actor and every pending Ask to one fails the same
// way, the actors others spawned here stop, and the connection (and the
// embedded server, which the nodes that joined through it lose) closes.
// The System itself keeps running. ctx bounds the final flush.
func (n *Node) Close(ctx context.Context) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	close(n.changed)
	names := make([]string, 0, len(n.members))
	for name := range n.members {
		names = append(names, name)
	}
	n.mu.Unlock()
	close(n.stop)
	n.wg.Wait()
	n.publishBeat(heartbeat{Node: n.cfg.name, Inc: n.inc, Leaving: true})
	for _, name := range names {
		n.down(name, "this node left the cluster")
	}
	n.detach()
	err := n.nc.FlushWithContext(ctx)
	nodes.CompareAndDelete(n.sys, n)
	n.disconnect()
	if err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("remote: close %s: %w", n.cfg.name, err)
	}
	return nil
}

// natsError reports the client's asynchronous errors. A slow consumer is
// the one that loses messages: say how many.
func (n *Node) natsError(err error) {
	if errors.Is(err, nats.ErrSlowConsumer) {
		var dropped int
		for _, s := range n.subs {
			if d, e := s.Dropped(); e == nil {
				dropped += d
			}
		}
		n.cfg.Logger.Error("remote: NATS dropped messages to this node (slow consumer)",
			slog.String("node", n.cfg.name), slog.Int("dropped_total", dropped))
		return
	}
	n.cfg.Logger.Warn("remote: NATS error", slog.String("node", n.cfg.name), slog.String("error", err.Error()))
}

// nodeOf returns the Node of sys.
func nodeOf(sys *actor.System) (*Node, error) {
	if v, ok := nodes.Load(sys); ok {
		return v.(*Node), nil
	}
	return nil, fmt.Errorf("%w: the System has not joined a cluster (remote.Join)", ErrClosed)
}
