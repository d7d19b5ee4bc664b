package remote

import (
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Membership: every node publishes a heartbeat on the namespace's
// heartbeat subject every Config.Heartbeat, and every node keeps the time
// it last heard from each other node (any message counts). A node silent
// for Config.NodeTimeout, or one that says it is leaving, is down: its
// incarnation is quarantined, what was queued for it is dead-lettered,
// and the Bridge tells watchers and Asks (actor.Bridge.NodeDown).

// heartbeat is the payload of a heartbeat message (CBOR).
type heartbeat struct {
	Node    string
	Inc     uint64
	Kinds   []string // actor kinds others may spawn there
	URL     string   // where to join, for information
	Leaving bool     // the node is closing: down at once
	Hello   bool     // the node just joined: answer so it learns of us
}

func (n *Node) heartbeats() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.Heartbeat)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
			now := time.Now()
			n.beat(false)
			n.tick(now, last)
			last = now
		}
	}
}

// tick judges the silent nodes, unless this tick came much later than due
// after the previous one (last): then this process was stalled (starved of
// CPU, paused), the others' heartbeats wait unread in the subscription,
// and their silence says nothing yet.
func (n *Node) tick(now, last time.Time) {
	if now.Sub(last) < 2*n.cfg.Heartbeat {
		n.reap(now)
	}
}

func (n *Node) beat(hello bool) {
	n.mu.Lock()
	kinds := make([]string, 0, len(n.kinds))
	for k := range n.kinds {
		kinds = append(kinds, k)
	}
	n.mu.Unlock()
	slices.Sort(kinds)
	n.publishBeat(heartbeat{Node: n.cfg.name, Inc: n.inc, Kinds: kinds, URL: n.URL(), Hello: hello})
}

func (n *Node) publishBeat(hb heartbeat) {
	data, err := cborEnc.Marshal(hb)
	if err == nil {
		err = n.nc.Publish(n.hbSubject(), data)
	}
	if err != nil {
		n.cfg.Logger.Warn("remote: heartbeat not sent", slog.String("node", n.cfg.name), slog.String("error", err.Error()))
	}
}

func (n *Node) onHeartbeat(m natsMsg) {
	var hb heartbeat
	if err := cborDec.Unmarshal(m.Data, &hb); err != nil {
		n.cfg.Logger.Warn("remote: malformed heartbeat ignored", slog.String("node", n.cfg.name), slog.String("error", err.Error()))
		return
	}
	switch {
	case hb.Node == n.cfg.name:
		if hb.Inc != n.inc {
			n.cfg.Logger.Error("remote: another node has this node's name: messages to either will go astray",
				slog.String("node", n.cfg.name), slog.String("other_url", hb.URL))
		}
		return
	case hb.Leaving:
		n.mu.Lock()
		m, ok := n.members[hb.Node]
		same := ok && m.inc == hb.Inc
		n.mu.Unlock()
		if same {
			n.down(hb.Node, "left the cluster")
		}
		return
	}
	if n.seen(hb.Node, hb.Inc, &hb) && hb.Hello {
		n.beat(false)
	}
}

// seen records that node (incarnation inc) is alive, with what its
// heartbeat says if hb is not nil. It reports false for a quarantined
// incarnation, whose messages must be refused.
func (n *Node) seen(node string, inc uint64, hb *heartbeat) bool {
	now := time.Now()
	n.mu.Lock()
	if _, q := n.quarantined[incarnation{node, inc}]; q || n.closed {
		n.mu.Unlock()
		return false
	}
	m := n.members[node]
	if m != nil && m.inc != inc {
		n.mu.Unlock()
		n.down(node, "restarted (a new incarnation)")
		n.mu.Lock()
		m = n.members[node]
	}
	if m == nil {
		m = &member{inc: inc}
		n.members[node] = m
		close(n.changed)
		n.changed = make(chan struct{})
		defer n.cfg.Logger.Info("remote: node up", slog.String("node", n.cfg.name), slog.String("peer", node))
	}
	m.last = now
	if hb != nil {
		m.kinds, m.url = hb.Kinds, hb.URL
	}
	n.mu.Unlock()
	return true
}

// reap declares down every node silent for longer than NodeTimeout.
func (n *Node) reap(now time.Time) {
	n.mu.Lock()
	var late []string
	for name, m := range n.members {
		if now.Sub(m.last) > n.cfg.NodeTimeout {
			late = append(late, name)
		}
	}
	n.mu.Unlock()
	for _, name := range late {
		n.down(name, fmt.Sprintf("no heartbeat for %v", n.cfg.NodeTimeout))
	}
}

// down removes node from the cluster as this node sees it.
func (n *Node) down(node, reason string) {
	n.mu.Lock()
	m := n.members[node]
	if m == nil {
		n.mu.Unlock()
		return
	}
	delete(n.members, node)
	n.quarantined[incarnation{node, m.inc}] = struct{}{}
	p := n.peers[node]
	delete(n.peers, node)
	if !n.closed {
		close(n.changed)
		n.changed = make(chan struct{})
	}
	n.mu.Unlock()
	err := &NodeDownError{Node: node, Reason: reason}
	n.cfg.Logger.Warn("remote: node down", slog.String("node", n.cfg.name), slog.String("peer", node), slog.String("reason", reason))
	if p != nil {
		for _, c := range p.markDown(err) {
			n.lostOutbound(node, c, err)
		}
	}
	n.bridge.NodeDown(node, err)
}
