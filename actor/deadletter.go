package actor

// DeadLetter is a message that reached no behaviour: its recipient had
// stopped, its bounded mailbox dropped it, it was a reply with no one to
// take it (no sender, the wrong type, an Ask that had already given up), or
// a transport could not deliver or decode it.
type DeadLetter struct {
	Recipient AnyRef
	// Sender is the zero AnyRef when the message had none.
	Sender  AnyRef
	Message any
	// Reason says why: ErrStopped, ErrMailboxFull, ErrNoSender,
	// ErrWrongType, ErrLateReply, or a transport's error (a node down, a
	// message that could not be decoded).
	Reason error
}

type deadSub struct{ f func(DeadLetter) }

// DeadLetters returns how many messages have gone to dead letters since the
// System started.
func (s *System) DeadLetters() uint64 { return s.deadCount.Load() }

// OnDeadLetter calls f, synchronously, for every later dead letter, until
// cancel is called. While at least one subscriber is installed, the System
// does not log dead letters itself (see WithLogger). f runs on whichever goroutine dead-lettered the message
// (a sender, an actor, a timer) and so must be quick and must not block;
// forward to a channel or an actor if there is work to do.
func (s *System) OnDeadLetter(f func(DeadLetter)) (cancel func()) {
	if f == nil {
		return func() {}
	}
	sub := &deadSub{f: f}
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	var cur []*deadSub
	if p := s.subs.Load(); p != nil {
		cur = *p
	}
	next := append(append([]*deadSub(nil), cur...), sub)
	s.subs.Store(&next)
	return func() {
		s.subsMu.Lock()
		defer s.subsMu.Unlock()
		cur := *s.subs.Load()
		next := make([]*deadSub, 0, len(cur))
		for _, x := range cur {
			if x != sub {
				next = append(next, x)
			}
		}
		s.subs.Store(&next)
	}
}

func (s *System) deadLetter(to process, msg any, sender process, reason error) {
	s.deadCount.Add(1)
	if a, ok := sender.(interface{ fail(error) }); ok && reason != ErrLateReply {
		// The request of an Ask will never be handled: tell the asker now.
		a.fail(reason)
	}
	d := DeadLetter{Recipient: AnyRef{to}, Sender: AnyRef{sender}, Message: msg, Reason: reason}
	p := s.subs.Load()
	if p == nil || len(*p) == 0 {
		if !s.shuttingDown.Load() { // Shutdown reports them in ShutdownReport
			s.logDeadLetter(d)
		}
		return
	}
	for _, sub := range *p {
		func() {
			defer func() { _ = recover() }() // a faulty subscriber must not break the sender
			sub.f(d)
		}()
	}
}
