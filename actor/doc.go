// Package actor is the actor model for Go: no shared memory, only messages.
//
// An actor owns its state and changes it only in response to messages,
// which it handles one at a time. Nothing else can touch that state, so it
// needs no lock; concurrency comes from having many actors. Actors are
// cheap: one that has nothing to do holds no goroutine, only memory (a few
// hundred bytes), so a program can have millions.
//
// # Typed actors
//
// An actor receives messages of one type M, chosen when it is spawned.
// Spawn runs a setup function on the actor's goroutine that builds the
// state and returns the Behavior, the function called for each message:
//
//	counter, err := actor.Spawn(sys, "counter", func(c *actor.Context[int]) actor.Behavior[int] {
//		total := 0 // the actor's state: only the behaviour below sees it
//		return func(c *actor.Context[int], n int) error {
//			total += n
//			return nil
//		}
//	})
//	counter.Send(5) // a Ref[int] accepts only ints
//
// Send never blocks (unless a bounded mailbox with the Block policy is
// full) and messages from one sender arrive in order. Ask sends a request
// and waits, within a context's deadline, for the Reply; only the reply
// type is written out (actor.Ask[int](ctx, ref, req)). A reply that has no
// one to go to (the message came with Send) or that the asker cannot take
// is a dead letter, never a failure of the replier; an Ask that gets the
// wrong type fails with ErrWrongType.
//
// # Mailboxes and scheduling
//
// Each actor has two queues: user messages and system messages (stop,
// watch, supervision), which overtake user messages. The user queue is a
// lock-free multi-producer single-consumer queue, unbounded by default;
// WithMailbox bounds it and picks what a full mailbox does (Block,
// DropNewest, Fail). A goroutine runs an actor only while its mailbox has
// messages: the first sender to find the actor idle flips its scheduled
// flag and starts the goroutine, which drains the mailbox and releases the
// flag — and then looks again, because a message may have arrived between
// its last look and the release. That second look is the step actor
// runtimes get wrong; it is what the package's hand-off tests hammer, and
// what its checked tests explore interleaving by interleaving (go test
// -tags ludus_check runs the real queue and flag on package check's
// scheduler, and shows that swapping the two steps loses a message).
//
// # Failure and supervision
//
// Actors form a tree: each is supervised by the actor (or System) that
// spawned it. When a behaviour returns an error or panics, the actor is
// suspended and its supervisor's Strategy decides, from the *Failure (with
// the stack for a panic): Resume, Restart (run setup again with fresh
// state), Stop, or Escalate to the next level. The scope (OneForOne,
// AllForOne, RestForOne) says which siblings share the fate, restart
// intensity (MaxRestarts within a window) turns a crash loop into an
// escalation, and exponential backoff spaces restarts out. WithChildStrategy
// sets the strategy an actor applies to its children (on Spawn) or the
// System to its top-level actors (on NewSystem). A panic never takes the
// process down, and every failure is seen: the System logs each one with
// the actor, the error and the directive taken (log/slog, see WithLogger),
// unless WithOnFailure installs a handler of the user's own.
//
// # Lifecycle, names, watching, timers
//
// Ref.Stop stops an actor gracefully (queued messages first), Ref.Kill at
// once; the stopping, stopped and restarting hooks run on the actor.
// Actors have paths ("/user/bank/alice") found with System.Lookup. Watch
// delivers a Terminated with the reason when another actor ends. SendAfter
// and Every send the actor messages later or periodically, and are
// cancelled when it stops. Become changes the behaviour, Stash sets a
// message aside for later.
//
// # Dead letters and shutdown
//
// A message that reaches no behaviour — its recipient has stopped, a full
// mailbox dropped it, an Ask had already given up — is a dead letter:
// counted (System.DeadLetters), logged while no one subscribes (rate
// limited), and visible to subscribers (System.OnDeadLetter), never
// silently lost. System.Shutdown stops every
// actor gracefully within a context and reports what was not processed.
//
// # Location
//
// A Ref is a value that says where its actor lives: an Address made of the
// System's name, the actor's path and a unique ID, with a text form that
// ParseAddress reads back (and that Ref's MarshalText writes, so a Ref can
// travel inside an encoded message). A System attached to a Transport
// (package actor/remote attaches it to a NATS cluster) reaches actors of
// other Systems through Refs with the same API: Send, Ask with its
// deadline, Watch (a node that goes down is a Terminated with a reason
// matching ErrNodeDown), Stop and Kill.
package actor
