// Package remote runs the same actors across processes and machines, over
// NATS.
//
// The actor model's promise is that a program outgrows one process without
// changing its code: a reference is a reference wherever the actor lives,
// and a dead machine is one more failure for a supervisor to handle. Join
// attaches an actor.System to a cluster under the System's name; from
// then on an actor.Ref may point to an actor on another node, and Send,
// Ask (with its deadline), Watch, Stop and Kill work on it as on a local
// one.
//
//	sys, _ := actor.NewSystem(actor.WithName("bank"))
//	node, _ := remote.Join(sys, remote.Config{}) // embedded NATS on 127.0.0.1
//	// another process:
//	shop, _ := actor.NewSystem(actor.WithName("shop"))
//	remote.Join(shop, remote.Config{URLs: []string{node.URL()}})
//	alice, _ := remote.Lookup[Deposit](ctx, shop, "bank/user/alice")
//	balance, err := actor.Ask[int](ctx, alice, Deposit{Amount: 10})
//
// # Transport
//
// NATS carries everything; there is no transport of the package's own.
// With no URL, Join starts an embedded NATS server (the real one, from
// github.com/nats-io/nats-server) on 127.0.0.1 and a random port, which
// other nodes join through Node.URL; with URLs it connects to a NATS
// server or cluster as a client, with the TLS and credentials of Config.
// Each node subscribes to one subject for its messages; what one node
// sends another goes, in order, through one bounded outbound buffer,
// batched into NATS messages when senders outpace the connection.
//
// # Messages
//
// Messages are Go values of types registered by name (Register), encoded
// by a Codec (CBOR by default: structs, slices, maps and scalars, no code
// generation). An actor.Ref or actor.AnyRef inside a message travels as
// its address and arrives working: the receiver can Send to it, Ask it,
// Watch it. A message that cannot be encoded (its type is not registered,
// it is larger than Config.MaxMessageSize, the codec refuses it) is an
// error to the sender. One that cannot be decoded on arrival (an unknown
// type name, a payload the codec rejects, a message over the size limit,
// a type the recipient does not take) is a dead letter there with the
// reason, and an Ask that sent it fails at once with that reason; the
// receiving node goes on serving.
//
// # Semantics
//
//   - Delivery is at most once: a message in flight when a node dies is
//     lost (and counted as a dead letter where it can be).
//   - Order is kept per sender-receiver pair, messages and Stop alike
//     (one publisher connection per node, and NATS keeps its order).
//   - What cannot be delivered is a dead letter, with its reason, on the
//     node that found out (actor.System.OnDeadLetter; logged by default).
//   - Toward each other node there is a bounded outbound buffer
//     (Config.Outbound messages) with the mailbox policies: Block waits
//     for room (within SendContext's context), DropNewest drops the
//     message to dead letters, Fail returns actor.ErrMailboxFull. A
//     message from another node into a full bounded mailbox is dropped to
//     dead letters rather than stall the connection.
//
// # Failure
//
// Nodes publish heartbeats (Config.Heartbeat, 200ms by default). A node
// that leaves (Close), or whose heartbeats stop for Config.NodeTimeout
// (1s by default) because it died or its connection broke, is down: every
// watcher of its actors gets actor.Terminated with a reason matching
// ErrNodeDown ("node down"), every Ask waiting on one of its actors fails
// at once with it, and the actors SpawnOn placed there fail toward their
// supervisors elsewhere, whose strategy decides as for a local child (a
// Restart places the actor on a live node). A node declared down is
// quarantined: if it was only cut off, it must restart to rejoin, so that
// no watcher ever sees an actor come back from the dead.
//
// # Security
//
// The embedded server listens on loopback unless Config.Listen says
// otherwise. Joining a non-loopback address without credentials logs a
// warning: anyone who can reach NATS can send to the actors. Decoded
// messages are size-limited (Config.MaxMessageSize) and the default codec
// bounds nesting and collection sizes.
package remote
