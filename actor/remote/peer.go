package remote

import (
	"context"
	"fmt"
	"sync"

	"github.com/labludus/ludus/actor"
)

// peer is the outbound side toward one other node: a bounded buffer of
// encoded frames, published in the order they were queued. There is no
// writer goroutine: the sender that finds nobody publishing publishes
// itself, taking along whatever others queued meanwhile (one NATS message
// per batch), so an idle link costs no goroutine hand-off and a busy one
// batches by itself. After maxRounds batches the publisher hands the rest
// to a goroutine, so that no sender pays for everyone's traffic for long.
type peer struct {
	n       *Node
	name    string
	subject string
	// tokens holds one token per queued user message: the bound of the
	// buffer. Replies and signals take none.
	tokens chan struct{}

	mu sync.Mutex
	// chunks are NATS messages being filled (each starts with the header);
	// counts[i] is how many user messages chunks[i] holds.
	chunks [][]byte
	counts []int
	busy   bool  // someone is publishing; others only queue
	down   error // set once the node is down: nothing is queued any more
	spare  [][]byte
}

const maxRounds = 8

func newPeer(n *Node, name string) *peer {
	return &peer{n: n, name: name, subject: n.inbox(name), tokens: make(chan struct{}, n.cfg.Outbound)}
}

// acquire takes a token for a user message under the outbound policy.
func (p *peer) acquire(ctx context.Context) error {
	select {
	case p.tokens <- struct{}{}:
		return nil
	default:
	}
	if p.n.cfg.OutboundPolicy != actor.Block {
		return fmt.Errorf("%w: outbound buffer to %s (%d messages)", actor.ErrMailboxFull, p.name, cap(p.tokens))
	}
	select {
	case p.tokens <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("remote: outbound buffer to %s is full: %w", p.name, ctx.Err())
	}
}

func (p *peer) release(n int) {
	for range n {
		<-p.tokens
	}
}

// send queues one encoded frame (built by appendFrame onto the buffer's
// tail, so it is copied once) and publishes if nobody is. user says
// whether the frame counts against the bound (its token is already taken).
func (p *peer) send(user bool, appendFrame func([]byte) []byte) error {
	p.mu.Lock()
	if p.down != nil {
		err := p.down
		p.mu.Unlock()
		if user {
			p.release(1)
		}
		return err
	}
	p.appendLocked(user, appendFrame)
	if p.busy {
		p.mu.Unlock()
		return nil
	}
	p.busy = true
	p.publishLocked(maxRounds)
	p.mu.Unlock()
	return nil
}

func (p *peer) appendLocked(user bool, appendFrame func([]byte) []byte) {
	limit := p.n.maxPayload
	last := len(p.chunks) - 1
	if last < 0 || len(p.chunks[last]) >= limit {
		p.chunks = append(p.chunks, p.newChunk())
		p.counts = append(p.counts, 0)
		last++
	}
	before := len(p.chunks[last])
	b := appendFrame(p.chunks[last])
	if len(b) > limit && before > p.n.headerLen {
		// Too big to share: move the frame into a chunk of its own.
		frame := append([]byte(nil), b[before:]...)
		p.chunks[last] = b[:before]
		c := append(p.newChunk(), frame...)
		p.chunks = append(p.chunks, c)
		p.counts = append(p.counts, 0)
		last++
		b = c
	}
	p.chunks[last] = b
	if user {
		p.counts[last]++
	}
}

func (p *peer) newChunk() []byte {
	if n := len(p.spare); n > 0 {
		c := p.spare[n-1][:0]
		p.spare = p.spare[:n-1]
		return append(c, p.n.header...)
	}
	return append(make([]byte, 0, 512), p.n.header...)
}

// publishLocked publishes batches until the buffer is empty or rounds run
// out; then it either clears busy or hands over to a goroutine. Called and
// returns with p.mu held.
func (p *peer) publishLocked(rounds int) {
	for len(p.chunks) > 0 {
		if rounds == 0 {
			go p.drain()
			return
		}
		rounds--
		chunks, counts := p.chunks, p.counts
		p.chunks, p.counts = nil, nil
		p.mu.Unlock()
		for i, c := range chunks {
			if err := p.n.nc.Publish(p.subject, c); err != nil {
				p.n.lostOutbound(p.name, c, err)
			}
			p.release(counts[i])
		}
		p.mu.Lock()
		for _, c := range chunks {
			if cap(c) <= 64<<10 && len(p.spare) < 4 {
				p.spare = append(p.spare, c)
			}
		}
	}
	p.busy = false
}

func (p *peer) drain() {
	p.mu.Lock()
	p.publishLocked(-1)
	p.mu.Unlock()
}

// markDown refuses everything from now on and returns what was queued but
// not yet published, for the caller to dead-letter.
func (p *peer) markDown(err error) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down != nil {
		return nil
	}
	p.down = err
	chunks := p.chunks
	for _, n := range p.counts {
		p.release(n)
	}
	p.chunks, p.counts = nil, nil
	return chunks
}
