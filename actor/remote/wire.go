package remote

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"

	"github.com/nats-io/nats.go"

	"github.com/labludus/ludus/actor"
)

type natsMsg = *nats.Msg

// transport is the Node as its System's actor.Transport.
type transport struct{ n *Node }

// Tell encodes e and queues it toward e.To's node (see actor.Transport).
func (t transport) Tell(ctx context.Context, e actor.Envelope) error {
	n := t.n
	p, err := n.peerFor(e.To.System)
	if err != nil {
		n.bridge.DeadLetter(e.To, e.From, e.Message, err)
		return err
	}
	name, payload, err := n.encode(e.Message)
	if err != nil {
		return n.refused(e, err, false)
	}
	if !e.Reply {
		if err := p.acquire(ctx); err != nil {
			return n.refused(e, err, errors.Is(err, actor.ErrMailboxFull) && n.cfg.OutboundPolicy == actor.DropNewest)
		}
	}
	err = p.send(!e.Reply, &outFrame{to: e.To, from: e.From, reply: e.Reply, name: name, payload: payload})
	if err != nil { // the node went down meanwhile
		n.bridge.DeadLetter(e.To, e.From, e.Message, err)
	}
	return err
}

// refused handles a message that was not sent: dead-lettered when the
// policy says so or when it is a reply (whose asker is then told why).
func (n *Node) refused(e actor.Envelope, err error, deadLetter bool) error {
	if deadLetter || e.Reply {
		n.bridge.DeadLetter(e.To, e.From, e.Message, err)
	}
	if e.Reply {
		_ = transport{n}.Signal(e.To, actor.Signal{Kind: actor.SignalFail, From: e.From, Reason: err})
	}
	return err
}

func (n *Node) encode(msg any) (string, []byte, error) {
	name, ok := n.cfg.Types.NameOf(reflect.TypeOf(msg))
	if !ok {
		return "", nil, fmt.Errorf("%w: %T (remote.Register it on both nodes)", ErrUnknownType, msg)
	}
	payload, err := n.cfg.Codec.Marshal(msg)
	if err != nil {
		return "", nil, fmt.Errorf("remote: cannot encode %T: %w", msg, err)
	}
	if len(payload) > n.cfg.MaxMessageSize {
		return "", nil, fmt.Errorf("%w: %T is %d bytes, over %d", ErrTooLarge, msg, len(payload), n.cfg.MaxMessageSize)
	}
	return name, payload, nil
}

// Signal queues a system signal toward to's node.
func (t transport) Signal(to actor.Address, s actor.Signal) error {
	p, err := t.n.peerFor(to.System)
	if err != nil {
		return err
	}
	return p.send(false, &outFrame{to: to, signal: s, isSignal: true})
}

// peerFor returns the outbound buffer toward a live node.
func (n *Node) peerFor(node string) (*peer, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, &NodeDownError{Node: node, Reason: "this node left the cluster"}
	}
	if n.members[node] == nil {
		return nil, &NodeDownError{Node: node, Reason: "not a live node of the cluster"}
	}
	p := n.peers[node]
	if p == nil {
		p = newPeer(n, node)
		n.peers[node] = p
	}
	return p, nil
}

// receive handles one NATS message of frames from another node.
func (n *Node) receive(m natsMsg) {
	r := reader{b: m.Data}
	node, inc := r.header()
	if r.err != nil {
		n.cfg.Logger.Warn("remote: malformed message dropped", slog.String("node", n.cfg.name), slog.String("error", r.err.Error()))
		n.bridge.DeadLetter(actor.Address{System: n.cfg.name}, actor.Address{}, nil, fmt.Errorf("remote: malformed message: %w", r.err))
		return
	}
	var refuse error
	if !n.seen(node, inc, nil) {
		refuse = &NodeDownError{Node: node, Reason: "declared down earlier; it must restart to rejoin"}
	}
	for len(r.b) > 0 {
		f, err := r.next(n.cfg.name)
		if err != nil {
			n.bridge.DeadLetter(actor.Address{System: n.cfg.name}, actor.Address{System: node}, nil, fmt.Errorf("remote: malformed frame from %s: %w", node, err))
			return
		}
		switch {
		case refuse != nil:
			if f.kind == kindTell {
				n.bridge.DeadLetter(f.to, f.from, nil, refuse)
			}
		case f.kind == kindTell:
			n.deliver(f)
		default:
			n.bridge.Signal(f.to, f.signal)
		}
	}
}

// deliver decodes a tell frame and hands it to the Bridge. A message that
// cannot be decoded is a dead letter with the reason (its Ask, if any, is
// told); the node goes on serving.
func (n *Node) deliver(f frame) {
	t, ok := n.cfg.Types.TypeOf(f.name)
	if !ok {
		n.bridge.DeadLetter(f.to, f.from, nil, fmt.Errorf("%w: %q", ErrUnknownType, f.name))
		return
	}
	if len(f.payload) > n.cfg.MaxMessageSize {
		n.bridge.DeadLetter(f.to, f.from, nil, fmt.Errorf("%w: %q is %d bytes, over %d", ErrTooLarge, f.name, len(f.payload), n.cfg.MaxMessageSize))
		return
	}
	v := reflect.New(t)
	if err := n.cfg.Codec.Unmarshal(f.payload, v.Interface()); err != nil {
		n.bridge.DeadLetter(f.to, f.from, nil, fmt.Errorf("remote: cannot decode %q: %w", f.name, err))
		return
	}
	n.bridge.Bind(v.Interface())
	n.bridge.Deliver(actor.Envelope{To: f.to, From: f.from, Message: v.Elem().Interface(), Reply: f.reply})
}

// lostOutbound dead-letters the messages of a batch that will never be
// sent (the node went down before it left, or the publish failed).
func (n *Node) lostOutbound(node string, chunk []byte, err error) {
	r := reader{b: chunk[n.headerLen:]}
	for len(r.b) > 0 {
		f, ferr := r.next(node)
		if ferr != nil {
			return
		}
		if f.kind == kindTell {
			n.bridge.DeadLetter(f.to, f.from, nil, err)
		}
	}
}
