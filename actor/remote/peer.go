package remote

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/labludus/ludus/actor"
)

// peer is the outbound side toward one other node: a bounded buffer of
// encoded frames, published in the order they were queued, many frames to
// a NATS message when they come fast. There is no writer goroutine
// waiting: on a quiet link (the last send more than streamGap ago) the
// sender publishes its frame itself, at once, so a lone request pays no
// goroutine hand-off; on a busy link it only queues, and a goroutine
// started for the batch publishes what has queued when it runs (one NATS
// message for many frames: the server and the receiver pay per NATS
// message). A sender that publishes takes along whatever others queued
// meanwhile; after maxRounds batches it hands the rest to a goroutine, so
// that no sender pays for everyone's traffic for long.
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
	busy   bool      // someone is publishing (or will): others only queue
	down   error     // set once the node is down: nothing is queued any more
	last   time.Time // when the last frame was queued
	spare  [][]byte
}

const (
	maxRounds = 8
	// streamGap: frames closer together than this are a stream, batched.
	streamGap = 20 * time.Microsecond
)

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

// outFrame is a frame to queue: a tell (name set) or a signal.
type outFrame struct {
	to, from actor.Address
	reply    bool
	name     string
	payload  []byte
	signal   actor.Signal
	isSignal bool
}

func (f *outFrame) appendTo(b []byte) []byte {
	if f.isSignal {
		return appendSignal(b, f.to, f.signal)
	}
	return appendTell(b, f.to, f.from, f.reply, f.name, f.payload)
}

// send queues one frame (encoded onto the buffer's tail, so it is copied
// once) and publishes it now on a quiet link, or soon on a busy one. user
// says whether the frame counts against the bound (its token is already
// taken).
func (p *peer) send(user bool, f *outFrame) error {
	p.mu.Lock()
	if p.down != nil {
		err := p.down
		p.mu.Unlock()
		if user {
			p.release(1)
		}
		return err
	}
	p.appendLocked(user, f)
	now := time.Now()
	streaming := now.Sub(p.last) < streamGap
	p.last = now
	if p.busy {
		p.mu.Unlock()
		return nil
	}
	p.busy = true
	if streaming {
		go p.drain()
	} else {
		p.publishLocked(maxRounds)
	}
	p.mu.Unlock()
	return nil
}

func (p *peer) appendLocked(user bool, f *outFrame) {
	limit := p.n.maxPayload
	last := len(p.chunks) - 1
	if last < 0 || len(p.chunks[last]) >= limit {
		p.chunks = append(p.chunks, p.newChunk())
		p.counts = append(p.counts, 0)
		last++
	}
	before := len(p.chunks[last])
	b := f.appendTo(p.chunks[last])
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
	return append(make([]byte, 0, 4<<10), p.n.header...)
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
			if cap(c) <= 1<<20 && len(p.spare) < 4 {
				p.spare = append(p.spare, c)
			}
		}
	}
	p.busy = false
}

func (p *peer) drain() {
	runtime.Gosched() // let the stream's senders queue a little more
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
