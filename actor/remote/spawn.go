package remote

import (
	"context"
	"fmt"
	"reflect"

	"github.com/labludus/ludus/actor"
)

// Placement says where SpawnOn puts an actor. The zero Placement is any
// live node that registered the kind (this one included), in turn.
type Placement struct {
	// Node prefers this node; "" means any.
	Node string
	// Strict keeps the actor on Node: when Node is down, the spawn (and
	// every restart) fails instead of choosing another node.
	Strict bool
}

func (n *Node) place(kind string, p Placement) (string, error) {
	cands := n.kindNodes(kind)
	if p.Node != "" {
		for _, c := range cands {
			if c == p.Node {
				return c, nil
			}
		}
		if p.Strict {
			return "", fmt.Errorf("%w: %s (or it has no kind %q)", ErrNoNode, p.Node, kind)
		}
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("%w: no live node has kind %q", ErrNoNode, kind)
	}
	n.mu.Lock()
	i := n.next % uint64(len(cands))
	n.next++
	n.mu.Unlock()
	return cands[i], nil
}

// SpawnOn starts an actor of a registered kind (RegisterKind) on a node
// chosen by place, supervised here by parent like a local child, and
// returns a Ref that stays valid across restarts, as a local one does.
//
// The Ref points to a local stand-in, a child of parent named name, that
// forwards every message (with its sender, so Reply reaches an Ask
// directly) to the remote actor and watches it. When the remote actor
// fails, or its node goes down, the stand-in fails with that reason (a
// *actor.Failure, or a *NodeDownError matching ErrNodeDown), so parent's
// strategy decides as for a local child: Restart spawns a fresh actor, on
// a live node if the old one is gone; Stop stops it; Resume keeps the
// stand-in, which spawns a fresh actor when the next message comes (the
// old one's state is lost with it). Stopping the stand-in stops the
// remote actor. Messages sent while the remote actor is being replaced
// wait in the stand-in's mailbox; those already on their way to a node
// that died are lost (at most once) and counted as dead letters.
//
// A spawn that fails (no live node has the kind, the node does not
// answer within Config.RequestTimeout) is a failure of the stand-in's
// setup, handled by parent's strategy like any other.
func SpawnOn[M any](parent actor.Parent, kind, name string, place Placement, opts ...actor.SpawnOption) (actor.Ref[M], error) {
	sys := systemOf(parent)
	if sys == nil {
		return actor.Ref[M]{}, actor.ErrNoActor
	}
	n, err := nodeOf(sys)
	if err != nil {
		return actor.Ref[M]{}, err
	}
	want, ok := n.cfg.Types.NameOf(reflect.TypeFor[M]())
	if !ok {
		return actor.Ref[M]{}, fmt.Errorf("%w: %v", ErrUnknownType, reflect.TypeFor[M]())
	}
	s := &standIn[M]{n: n, kind: kind, place: place, want: want}
	return actor.Spawn(parent, name, s.setup, opts...)
}

func systemOf(p actor.Parent) *actor.System {
	switch p := p.(type) {
	case *actor.System:
		return p
	case interface{ System() *actor.System }:
		return p.System()
	}
	return nil
}

// standIn is the local face of a remote child.
type standIn[M any] struct {
	n     *Node
	kind  string
	place Placement
	want  string // the registered name of M
}

// incarnation state, rebuilt by setup on every restart.
type standInState[M any] struct {
	target actor.Ref[M]
	ended  *actor.Terminated // a Terminated notice about to be handled
	lost   bool              // the remote actor is gone (after a Resume)
}

func (s *standIn[M]) setup(c *actor.Context[M]) actor.Behavior[M] {
	st := &standInState[M]{}
	if err := s.spawn(c, st); err != nil {
		panic(err) // a failure of setup: the supervisor decides
	}
	c.OnRestarting(func(error) { st.target.Stop() })
	c.OnStopped(func(error) { st.target.Stop() })
	return func(c *actor.Context[M], m M) error {
		if st.ended != nil {
			// The zero M that Watch delivered with the notice.
			t := *st.ended
			st.ended, st.lost = nil, true
			if t.Reason == nil {
				c.Stop() // stopped on purpose over there: end here too
				return nil
			}
			return fmt.Errorf("remote: %s %s: %w", s.kind, t.Ref.Address(), t.Reason)
		}
		if st.lost {
			if err := s.spawn(c, st); err != nil {
				return err
			}
		}
		return st.target.SendFrom(c.Sender(), m)
	}
}

func (s *standIn[M]) spawn(c *actor.Context[M], st *standInState[M]) error {
	node, err := s.n.place(s.kind, s.place)
	if err != nil {
		return err
	}
	var target actor.Ref[M]
	if node == s.n.cfg.name {
		s.n.mu.Lock()
		k := s.n.kinds[s.kind]
		s.n.mu.Unlock()
		ref, _, err := s.n.spawnHere(k)
		if err != nil {
			return err
		}
		if target, err = actor.RefOf[M](ref); err != nil {
			return err
		}
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), s.n.cfg.RequestTimeout)
		defer cancel()
		resp, err := s.n.request(ctx, node, rpcRequest{Op: "spawn", Kind: s.kind})
		if err != nil {
			return err
		}
		if target, err = typedRef[M](s.n, resp, s.want); err != nil {
			return err
		}
	}
	st.target, st.lost = target, false
	return c.Watch(target, func(t actor.Terminated) M {
		st.ended = &t
		var zero M
		return zero
	})
}
