package web

import (
	"fmt"
	"slices"
	"strings"

	"github.com/labludus/ludus/check"
)

// swimlanes is an interleaving drawn as one lane per goroutine, time
// downward: a box per step in its goroutine's lane, links between lanes
// where a value or a lock passed from one goroutine to another, the lost
// write and the stale read behind it marked, then who is blocked (a
// deadlock) or, in the playground, who may run next.
type swimlanes struct {
	Title   string
	Steps   []check.Step
	Blocked []blockedG
	// Next are the goroutines that may run next (the playground); each is
	// drawn as a dashed box that the page makes clickable.
	Next []check.Step
	// Outcome, when not empty, is written under the lanes in red: how the
	// execution failed.
	Outcome string
	// NoWhere leaves out the column of source locations (each step's
	// tooltip still has its location), for narrow places beside the code.
	NoWhere bool
}

// Layout of the swimlanes, in px.
const (
	laneGutter = 34  // step numbers
	laneHeadH  = 34  // lane titles
	laneRowH   = 30  // one step
	laneBoxH   = 22  // a step's box
	lanePad    = 10  // between a box and its lane's edges
	laneMinW   = 150 // narrowest lane
	laneMaxW   = 330 // widest lane; longer ops are clipped (the tooltip has them whole)
	laneLocW   = 150 // the "where" column
	laneTagW   = 46  // room for a "lost" or "stale" tag in a box
	noteLineH  = 18
)

// lanes returns the goroutines in the order their lanes are drawn: main
// first, then by first appearance.
func (sl swimlanes) lanes() []string {
	var names []string
	add := func(g string) {
		if g != "" && !slices.Contains(names, g) {
			names = append(names, g)
		}
	}
	for _, s := range sl.Steps {
		add(s.Goroutine)
	}
	for _, b := range sl.Blocked {
		add(b.Goroutine)
	}
	for _, n := range sl.Next {
		add(n.Goroutine)
	}
	if i := slices.Index(names, "main"); i > 0 {
		names = slices.Insert(slices.Delete(names, i, i+1), 0, "main")
	}
	return names
}

// laneLayout is where the parts of the swimlanes go.
type laneLayout struct {
	names []string           // the lanes, in drawing order
	x     map[string]float64 // each lane's left edge
	w     map[string]float64 // each lane's width
	width float64            // the whole drawing's
	rows  int                // one per step, plus one for who is blocked and one for who may run next
}

func (sl swimlanes) layout(an traceAnalysis) laneLayout {
	l := laneLayout{names: sl.lanes(), x: map[string]float64{}, w: map[string]float64{}, rows: len(sl.Steps)}
	widths := sl.laneWidths(l.names, an)
	l.width = laneGutter
	for i, n := range l.names {
		l.x[n], l.w[n] = l.width, widths[i]
		l.width += widths[i]
	}
	if !sl.NoWhere {
		l.width += laneLocW
	}
	if len(sl.Blocked) > 0 {
		l.rows++
	}
	if len(sl.Next) > 0 {
		l.rows++
	}
	return l
}

// svg draws the lanes with the analysis of their steps. The notes that
// explain the marks are returned in the analysis, for the page to show
// beside the drawing where they can wrap; the drawing keeps the outcome.
func (sl swimlanes) svg() (string, traceAnalysis) {
	an := analyze(sl.Steps)
	l := sl.layout(an)
	height := laneHeadH + float64(l.rows)*laneRowH + 10
	if sl.Outcome != "" {
		height += noteLineH
	}
	s := newSVG(l.width, height, sl.Title)
	s.arrowMarkers(map[string]string{"read": colRead, "lock": colLock, "chan": colChan})
	sl.drawHeads(s, l)
	sl.drawLinks(s, an, l)
	for i, st := range sl.Steps {
		sl.drawStep(s, i, st, an, l.x[st.Goroutine], l.w[st.Goroutine], l.width)
	}
	y := laneHeadH + float64(len(sl.Steps))*laneRowH
	for _, b := range sl.Blocked {
		sl.drawPending(s, y, l.x[b.Goroutine], l.w[b.Goroutine], "blocked: "+b.Waits, b.Location, "blocked", colLost, colLostBg, "")
	}
	if len(sl.Blocked) > 0 {
		y += laneRowH
	}
	for _, n := range sl.Next {
		sl.drawPending(s, y, l.x[n.Goroutine], l.w[n.Goroutine], "next: "+n.Op, n.Location, "choice", colRead, "#eff6ff", n.Goroutine)
	}
	if len(sl.Next) > 0 {
		y += laneRowH
	}
	if sl.Outcome != "" {
		s.text(4, y+19, "start", colLost, "", clipText(sl.Outcome, int(l.width/sansChar)))
	}
	return s.String(), an
}

// drawHeads draws each lane's title and its rule down the rows.
func (sl swimlanes) drawHeads(s *svg, l laneLayout) {
	for i, n := range l.names {
		x, w := l.x[n], l.w[n]
		s.rect(x+lanePad, 6, w-2*lanePad, 22, 11, laneColors[i%len(laneColors)], "none", "")
		s.text(x+w/2, 21, "middle", "#ffffff", ` font-weight="600"`, clipText(n, int((w-2*lanePad)/sansChar)))
		s.line(x+w/2, laneHeadH, x+w/2, laneHeadH+float64(l.rows)*laneRowH, colGrid, ` stroke-dasharray="4 4"`)
	}
	if !sl.NoWhere {
		s.text(l.width-laneLocW+8, 21, "start", colMuted, "", "where")
	}
}

// laneWidths sizes each lane for its longest op, within bounds.
func (sl swimlanes) laneWidths(names []string, an traceAnalysis) []float64 {
	ws := make([]float64, len(names))
	for i := range ws {
		ws[i] = laneMinW
	}
	fit := func(g, text string, tag bool) {
		i := slices.Index(names, g)
		w := float64(len(text))*monoChar + 2*lanePad + 16
		if tag {
			w += laneTagW
		}
		ws[i] = min(max(ws[i], w), laneMaxW)
	}
	for i, st := range sl.Steps {
		_, lost := an.Lost[i]
		_, stale := an.Stale[i]
		fit(st.Goroutine, st.Op, lost || stale)
	}
	for _, b := range sl.Blocked {
		fit(b.Goroutine, "blocked: "+b.Waits, false)
	}
	for _, n := range sl.Next {
		fit(n.Goroutine, "next: "+n.Op, false)
	}
	return ws
}

func (sl swimlanes) drawStep(s *svg, i int, st check.Step, an traceAnalysis, x, w, width float64) {
	y := laneHeadH + float64(i)*laneRowH
	fill, stroke, textCol, tag := colBox, colBoxLine, colInk, ""
	tip := fmt.Sprintf("step %d: %s %s at %s", i+1, st.Goroutine, st.Op, valueOr(st.Location, "?"))
	if why, ok := an.Lost[i]; ok {
		fill, stroke, tag, tip = colLostBg, colLost, "lost", tip+"\n"+why
	} else if why, ok := an.Stale[i]; ok {
		fill, stroke, tag, tip = colStaleBg, colStale, "stale", tip+"\n"+why
	}
	if strings.HasPrefix(st.Op, "error: ") || strings.HasPrefix(st.Op, "panic") {
		textCol, stroke = colLost, colLost
	}
	class := "step"
	if tag != "" {
		class += " " + tag
	}
	s.titled(tip, class, func() {
		s.text(laneGutter-8, y+19, "end", colMuted, "", fmt.Sprint(i+1))
		s.rect(x+lanePad, y+4, w-2*lanePad, laneBoxH, 4, fill, stroke, "")
		room := w - 2*lanePad - 16
		if tag != "" {
			room -= laneTagW
			s.text(x+w-lanePad-6, y+19, "end", stroke, ` font-weight="700"`, strings.ToUpper(tag))
		}
		extra := ` font-family="ui-monospace, monospace"`
		s.text(x+lanePad+8, y+19, "start", textCol, extra, clipText(st.Op, int(room/monoChar)))
		if tag == "lost" {
			tw := min(float64(len(st.Op))*monoChar, room)
			s.line(x+lanePad+8, y+15, x+lanePad+8+tw, y+15, colLost, ` stroke-width="1.5"`)
		}
		if !sl.NoWhere {
			s.text(width-laneLocW+8, y+19, "start", colMuted, ` font-size="11" font-family="ui-monospace, monospace"`, clipText(st.Location, (laneLocW-10)*10/66))
		}
	})
}

// drawPending draws what a goroutine waits to do: blocked in a deadlock,
// or its next step in the playground (then data-goroutine names it).
func (sl swimlanes) drawPending(s *svg, y, x, w float64, text, loc, class, stroke, fill, goroutine string) {
	tip := text
	if loc != "" {
		tip += " at " + loc
	}
	if goroutine != "" {
		s.raw(`<g class="%s" data-goroutine="%s" tabindex="0" role="button"><title>%s</title>`, class, esc(goroutine), esc("run "+goroutine+": "+tip))
	} else {
		s.raw(`<g class="%s"><title>%s</title>`, class, esc(tip))
	}
	s.rect(x+lanePad, y+4, w-2*lanePad, laneBoxH, 4, fill, stroke, ` stroke-dasharray="5 3"`)
	s.text(x+lanePad+8, y+19, "start", stroke, ` font-family="ui-monospace, monospace"`, clipText(text, int((w-2*lanePad-16)/monoChar)))
	s.raw("</g>")
}

// drawLinks draws each link as a curve from the edge of one step's box to
// the facing edge of the other's.
func (sl swimlanes) drawLinks(s *svg, an traceAnalysis, lay laneLayout) {
	for _, l := range an.Links {
		from, to := sl.Steps[l.From], sl.Steps[l.To]
		fx, tx := lay.x[from.Goroutine], lay.x[to.Goroutine]
		fy := laneHeadH + float64(l.From)*laneRowH + 4 + laneBoxH/2
		ty := laneHeadH + float64(l.To)*laneRowH + 4 + laneBoxH/2
		var x1, x2 float64
		if fx < tx {
			x1, x2 = fx+lay.w[from.Goroutine]-lanePad, tx+lanePad
		} else {
			x1, x2 = fx+lanePad, tx+lay.w[to.Goroutine]-lanePad
		}
		col, marker, dash := colRead, "read", ""
		switch l.Kind {
		case linkLock:
			col, marker, dash = colLock, "lock", ` stroke-dasharray="4 3"`
		case linkChan:
			col, marker = colChan, "chan"
		}
		bend := (x2 - x1) / 2
		s.raw(`<path class="link %s" d="M%s,%s C%s,%s %s,%s %s,%s" fill="none" stroke="%s" stroke-width="1.6"%s marker-end="url(#arrow-%s)"><title>%s</title></path>`,
			strings.ReplaceAll(l.Kind.String(), " ", "-"), num(x1), num(fy), num(x1+bend), num(fy), num(x2-bend), num(ty), num(x2), num(ty), col, dash, marker, esc(l.Label))
	}
}
