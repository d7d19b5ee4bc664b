package evloop

// mailbox is the only door into the loop from other goroutines: Post
// appends a function under the lock and rings the backend's doorbell, and
// the loop takes the whole batch at once.
//
// The doorbell is rung at most once per batch: a poster rings only when it
// is the one that flips notified from false to true, and the loop clears
// notified before it takes the batch. A function posted after the take
// finds notified false and rings again, so the loop, which only sleeps
// after a take, always wakes for it; a function posted before the take,
// while notified was still true, is in the batch. Ringing happens under the
// lock, so that once the loop has closed the mailbox nobody rings a doorbell
// the backend may already have torn down.
type mailbox struct {
	mu       mutex
	tasks    []func() // posted and not yet taken, in posting order
	spare    []func() // the loop's previous batch, emptied, reused for the next
	stopping bool     // Stop was called: the loop is to drain and return
	closed   bool     // the loop has taken its last batch: Post refuses
	notified atomicBool
	// ring wakes the loop; set once by the backend before any Post can
	// reach it, called with mu held.
	ring func()
}

// post queues fn for the loop. It fails with ErrClosed once the loop has
// taken its last batch.
func (m *mailbox) post(fn func()) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return ErrClosed
	}
	m.tasks = append(m.tasks, fn)
	m.wake()
	m.mu.Unlock()
	return nil
}

// wake rings the doorbell unless a ring is already pending. Called with
// mu held.
func (m *mailbox) wake() {
	if !m.notified.Load() && m.notified.CompareAndSwap(false, true) && m.ring != nil {
		m.ring()
	}
}

// stop asks the loop to drain and return. It reports false if the loop has
// already closed its mailbox.
func (m *mailbox) stop() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.stopping = true
	m.wake()
	return true
}

// take hands the loop every function posted so far, and whether Stop was
// called. The loop runs the batch and gives it back with recycle.
func (m *mailbox) take() (batch []func(), stopping bool) {
	if !brokenHandOff {
		m.notified.Store(false)
	}
	m.mu.Lock()
	batch = m.tasks
	m.tasks = m.spare
	m.spare = nil
	stopping = m.stopping
	m.mu.Unlock()
	if brokenHandOff {
		// Too late: a Post between the unlock and here saw notified still
		// set and did not ring, and the loop may now sleep on its function.
		m.notified.Store(false)
	}
	return batch, stopping
}

// recycle gives an executed batch back for reuse.
func (m *mailbox) recycle(batch []func()) {
	clear(batch)
	m.mu.Lock()
	if m.spare == nil && cap(batch) <= 4096 {
		m.spare = batch[:0]
	}
	m.mu.Unlock()
}

// close refuses further posts and returns what was posted and not yet
// taken: the loop runs it, the last batch.
func (m *mailbox) close() []func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	batch := m.tasks
	m.tasks = nil
	return batch
}
