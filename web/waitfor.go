package web

import (
	"math"
	"regexp"
	"strings"
)

// waitEdge is one clause of a deadlock's wait-for cycle, as the checker
// prints it: "A holds mu1 and waits for mu2, held by B".
type waitEdge struct {
	Goroutine string `json:"goroutine"`
	Holds     string `json:"holds"`
	WaitsFor  string `json:"waits_for"`
	HeldBy    string `json:"held_by"`
}

var waitClause = regexp.MustCompile(`^(.+?) holds (.+?) and waits for (.+), held by (.+)$`)

// parseCycle reads the wait-for cycle from a deadlock's or a leak's
// message; it returns nil when the message has none (every goroutine
// blocked on channels, say).
func parseCycle(message string) []waitEdge {
	first, _, _ := strings.Cut(message, "\n")
	if _, after, ok := strings.Cut(first, " in a deadlock: "); ok {
		first = after // a leak that is a deadlock
	}
	var cycle []waitEdge
	for _, part := range strings.Split(first, "; ") {
		m := waitClause.FindStringSubmatch(part)
		if m == nil {
			return nil
		}
		cycle = append(cycle, waitEdge{Goroutine: m[1], Holds: m[2], WaitsFor: m[3], HeldBy: m[4]})
	}
	// Each clause's lock must be held by the next clause's goroutine.
	for i, e := range cycle {
		next := cycle[(i+1)%len(cycle)]
		if e.HeldBy != next.Goroutine || e.WaitsFor != next.Holds {
			return nil
		}
	}
	return cycle
}

// Layout of the wait-for graph, in px.
const (
	waitR      = 26.0 // a goroutine's circle
	waitLockW  = 84.0 // a lock's box
	waitLockH  = 26.0
	waitMargin = 70.0
)

// waitForSVG draws the cycle: goroutines as circles and locks as boxes,
// alternating around a circle, with "waits for" edges (goroutine to lock,
// red) and "held by" edges (lock to goroutine, violet). blocked lists the
// goroutines outside the cycle that are stuck too.
func waitForSVG(title string, cycle []waitEdge, blocked []blockedG) string {
	n := 2 * len(cycle)
	radius := max(70, float64(n)*22)
	size := 2*radius + 2*waitMargin
	var extra []string
	inCycle := map[string]bool{}
	for _, e := range cycle {
		inCycle[e.Goroutine] = true
	}
	for _, b := range blocked {
		if !inCycle[b.Goroutine] {
			extra = append(extra, b.Goroutine+" is blocked too: "+b.Waits)
		}
	}
	height := size + 26 + float64(len(extra))*noteLineH
	s := newSVG(size, height, title)
	s.arrowMarkers(map[string]string{"wait": colLost, "held": colHold})
	cx, cy := size/2, size/2+8
	pos := func(k int) (float64, float64) {
		a := -math.Pi/2 + 2*math.Pi*float64(k)/float64(n)
		if len(cycle) == 2 {
			a -= math.Pi / 4 // a diamond reads better than a square on its side
		}
		return cx + radius*math.Cos(a), cy + radius*math.Sin(a)
	}
	// Node k = 2i is goroutine i, node 2i+1 the lock it waits for, which
	// goroutine i+1 holds.
	for i, e := range cycle {
		gx, gy := pos(2 * i)
		lx, ly := pos(2*i + 1)
		nx, ny := pos((2*i + 2) % n)
		waitArrow(s, gx, gy, lx, ly, false, colLost, "wait", e.Goroutine+" waits for "+e.WaitsFor)
		waitArrow(s, lx, ly, nx, ny, true, colHold, "held", e.WaitsFor+" is held by "+e.HeldBy)
	}
	for i, e := range cycle {
		gx, gy := pos(2 * i)
		lx, ly := pos(2*i + 1)
		s.titled(e.Goroutine+" holds "+e.Holds+" and waits for "+e.WaitsFor, "node goroutine", func() {
			s.raw(`<circle cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="2"/>`, num(gx), num(gy), num(waitR), colLostBg, colLost)
			s.text(gx, gy+4, "middle", colInk, ` font-weight="700"`, clipText(e.Goroutine, 7))
		})
		s.titled(e.WaitsFor+": held by "+e.HeldBy+", wanted by "+e.Goroutine, "node lock", func() {
			s.rect(lx-waitLockW/2, ly-waitLockH/2, waitLockW, waitLockH, 5, colBox, colHold, ` stroke-width="2"`)
			s.text(lx, ly+4, "middle", colInk, ` font-family="ui-monospace, monospace"`, clipText(e.WaitsFor, 11))
		})
	}
	y := size + 12
	s.text(8, y, "start", colLost, "", "→ waits for")
	s.text(100, y, "start", colHold, "", "→ held by")
	for _, t := range extra {
		y += noteLineH
		s.text(8, y, "start", colMuted, "", t)
	}
	return s.String()
}

// waitArrow draws an edge between a goroutine's circle and a lock's box,
// from the border of the one at (x1, y1) to the border of the other at
// (x2, y2); fromLock says which end is the box.
func waitArrow(s *svg, x1, y1, x2, y2 float64, fromLock bool, col, marker, tip string) {
	dx, dy := x2-x1, y2-y1
	d := math.Hypot(dx, dy)
	if d == 0 {
		return
	}
	ux, uy := dx/d, dy/d
	// boxEdge is how far the border of a lock's box is from its center
	// along the edge's direction.
	boxEdge := min(waitLockW/2/max(math.Abs(ux), 1e-9), waitLockH/2/max(math.Abs(uy), 1e-9))
	start, end := waitR+2, boxEdge+4
	if fromLock {
		start, end = boxEdge+2, waitR+4
	}
	s.raw(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" marker-end="url(#arrow-%s)"><title>%s</title></line>`,
		num(x1+ux*start), num(y1+uy*start), num(x2-ux*end), num(y2-uy*end), col, marker, esc(tip))
}
