package remote

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/labludus/ludus/actor"
)

// Lookup and SpawnOn are requests to one node, over NATS request/reply on
// the node's rpc subject, CBOR-encoded.

type rpcRequest struct {
	Op   string // "lookup" or "spawn"
	Path string // lookup: the actor's path
	Kind string // spawn: the registered kind
}

type rpcResponse struct {
	Addr string // the actor's address
	Type string // the registered name of the messages it takes
	Err  string
	Code byte // a reason code (frame.go) for Err, so errors.Is works
}

func (n *Node) onRequest(m *nats.Msg) {
	var req rpcRequest
	var resp rpcResponse
	if err := cborDec.Unmarshal(m.Data, &req); err != nil {
		resp.Err, resp.Code = "malformed request: "+err.Error(), reasonOther
	} else {
		resp = n.serve(req)
	}
	data, err := cborEnc.Marshal(resp)
	if err == nil {
		err = m.Respond(data)
	}
	if err != nil {
		n.cfg.Logger.Warn("remote: request not answered", slog.String("node", n.cfg.name), slog.String("error", err.Error()))
	}
}

func (n *Node) serve(req rpcRequest) rpcResponse {
	var ref actor.AnyRef
	var t reflect.Type
	switch req.Op {
	case "lookup":
		var ok bool
		if ref, t, ok = n.bridge.Lookup(req.Path); !ok {
			return rpcResponse{Err: fmt.Sprintf("no actor at %s on %s", req.Path, n.cfg.name), Code: reasonNoActor}
		}
	case "spawn":
		n.mu.Lock()
		k, ok := n.kinds[req.Kind]
		n.mu.Unlock()
		if !ok {
			return rpcResponse{Err: fmt.Sprintf("no kind %q on %s", req.Kind, n.cfg.name), Code: reasonNoActor}
		}
		var err error
		if ref, t, err = n.spawnHere(k); err != nil {
			return rpcResponse{Err: err.Error(), Code: reasonOther}
		}
	default:
		return rpcResponse{Err: fmt.Sprintf("unknown request %q", req.Op), Code: reasonOther}
	}
	name, ok := n.cfg.Types.NameOf(t)
	if !ok {
		return rpcResponse{Err: fmt.Sprintf("%v is not registered on %s", t, n.cfg.name), Code: reasonWrongType}
	}
	return rpcResponse{Addr: ref.Address().String(), Type: name}
}

func (n *Node) request(ctx context.Context, node string, req rpcRequest) (rpcResponse, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, n.cfg.RequestTimeout)
		defer cancel()
	}
	data, err := cborEnc.Marshal(req)
	if err != nil {
		return rpcResponse{}, err
	}
	m, err := n.nc.RequestWithContext(ctx, n.rpcSubject(node), data)
	if errors.Is(err, nats.ErrNoResponders) {
		return rpcResponse{}, fmt.Errorf("%w: %s", ErrNoNode, node)
	}
	if err != nil {
		return rpcResponse{}, fmt.Errorf("remote: %s request to %s: %w", req.Op, node, err)
	}
	var resp rpcResponse
	if err := cborDec.Unmarshal(m.Data, &resp); err != nil {
		return rpcResponse{}, fmt.Errorf("remote: malformed answer from %s: %w", node, err)
	}
	if resp.Err != "" {
		r := reader{b: appendReason(nil, errors.New(resp.Err))}
		r.b[0] = resp.Code
		return resp, fmt.Errorf("remote: %s on %s: %w", req.Op, node, r.reason())
	}
	return resp, nil
}

// Lookup returns a reference to the actor at "node/path" (for example
// "bank/user/alice"), or at a full address ("actor://bank/user/alice#7"),
// wherever it lives in the cluster. It waits, within ctx, for the node to
// be live. The actor must take M, registered under the same name on both
// nodes: otherwise the error wraps actor.ErrWrongType.
func Lookup[M any](ctx context.Context, sys *actor.System, where string) (actor.Ref[M], error) {
	n, err := nodeOf(sys)
	if err != nil {
		return actor.Ref[M]{}, err
	}
	node, path, err := splitWhere(where)
	if err != nil {
		return actor.Ref[M]{}, err
	}
	if node == n.cfg.name {
		r, ok := sys.Lookup(path)
		if !ok {
			return actor.Ref[M]{}, fmt.Errorf("%w: %s", actor.ErrNoActor, where)
		}
		return actor.RefOf[M](r)
	}
	want, ok := n.cfg.Types.NameOf(reflect.TypeFor[M]())
	if !ok {
		return actor.Ref[M]{}, fmt.Errorf("%w: %v", ErrUnknownType, reflect.TypeFor[M]())
	}
	if err := n.WaitNode(ctx, node); err != nil {
		return actor.Ref[M]{}, err
	}
	resp, err := n.request(ctx, node, rpcRequest{Op: "lookup", Path: path})
	if err != nil {
		return actor.Ref[M]{}, err
	}
	return typedRef[M](n, resp, want)
}

func typedRef[M any](n *Node, resp rpcResponse, want string) (actor.Ref[M], error) {
	if resp.Type != want {
		return actor.Ref[M]{}, fmt.Errorf("%w: %s takes %q, not %q", actor.ErrWrongType, resp.Addr, resp.Type, want)
	}
	a, err := actor.ParseAddress(resp.Addr)
	if err != nil {
		return actor.Ref[M]{}, err
	}
	return actor.RemoteRef[M](n.bridge, a), nil
}

func splitWhere(where string) (node, path string, err error) {
	if a, perr := actor.ParseAddress(where); perr == nil {
		return a.System, a.Path, nil
	}
	node, rest, ok := strings.Cut(where, "/")
	if !ok || node == "" || rest == "" {
		return "", "", fmt.Errorf("%w: %q is neither node/path nor an actor:// address", actor.ErrBadAddress, where)
	}
	return node, "/" + rest, nil
}

// kindFunc spawns one actor of a kind under parent.
type kindFunc func(parent actor.Parent) (actor.AnyRef, reflect.Type, error)

// RegisterKind lets other nodes spawn actors of this kind here with
// SpawnOn; the kind is advertised in the node's heartbeats. M must be
// registered (Register). Registering a kind again replaces it.
func RegisterKind[M any](n *Node, kind string, setup func(*actor.Context[M]) actor.Behavior[M], opts ...actor.SpawnOption) error {
	if kind == "" || setup == nil {
		return fmt.Errorf("%w: RegisterKind needs a kind name and a setup", ErrBadConfig)
	}
	if _, ok := n.cfg.Types.NameOf(reflect.TypeFor[M]()); !ok {
		return fmt.Errorf("%w: %v (register it before the kind)", ErrUnknownType, reflect.TypeFor[M]())
	}
	n.mu.Lock()
	n.kinds[kind] = func(parent actor.Parent) (actor.AnyRef, reflect.Type, error) {
		r, err := actor.Spawn(parent, "", setup, opts...)
		return r.Any(), reflect.TypeFor[M](), err
	}
	n.mu.Unlock()
	n.beat(false) // tell the others now
	return nil
}

// spawnJob asks the /user/remote actor to spawn a child: only an actor's
// own goroutine may spawn its children.
type spawnJob struct {
	kind  kindFunc
	reply chan spawnResult
}

type spawnResult struct {
	ref actor.AnyRef
	t   reflect.Type
	err error
}

func runSpawnJob(c *actor.Context[spawnJob], j spawnJob) error {
	ref, t, err := j.kind(c)
	j.reply <- spawnResult{ref, t, err}
	return nil
}

func (n *Node) spawnHere(k kindFunc) (actor.AnyRef, reflect.Type, error) {
	reply := make(chan spawnResult, 1)
	if err := n.spawner.Send(spawnJob{k, reply}); err != nil {
		return actor.AnyRef{}, nil, err
	}
	r := <-reply
	return r.ref, r.t, r.err
}

// kindNodes returns the live nodes (this one included) that have kind.
func (n *Node) kindNodes(kind string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	if _, ok := n.kinds[kind]; ok {
		out = append(out, n.cfg.name)
	}
	for name, m := range n.members {
		if slices.Contains(m.kinds, kind) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
