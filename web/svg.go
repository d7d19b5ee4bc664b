package web

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// svg accumulates one SVG document. Every picture the server draws goes
// through it, so that text is escaped in one place and every drawing uses
// presentation attributes only (the pages' Content-Security-Policy forbids
// inline styles).
type svg struct {
	b strings.Builder
}

// The palette: one colour per role, shared by every picture and by app.css.
const (
	colInk     = "#1f2937" // text
	colMuted   = "#6b7280" // secondary text, axes
	colGrid    = "#e5e7eb" // grid lines, lane rules
	colBar     = "#3b82f6" // a measured bar
	colIdeal   = "#111827" // the ideal mark
	colRead    = "#2563eb" // reads-from links
	colLock    = "#6b7280" // lock hand-offs
	colChan    = "#059669" // channel hand-offs
	colLost    = "#dc2626" // the lost write, failures, deadlock edges
	colLostBg  = "#fee2e2"
	colStale   = "#d97706" // a stale read
	colStaleBg = "#fef3c7"
	colBox     = "#f9fafb" // a step's box
	colBoxLine = "#d1d5db"
	colHold    = "#7c3aed" // "held by" edges
)

// laneColors tell goroutines apart; lane i uses laneColors[i%len].
var laneColors = []string{"#374151", "#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d"}

// Text metrics for the monospace and sans-serif fonts the pictures use,
// close enough to size boxes without measuring.
const (
	monoChar = 7.3 // px per character at 12px monospace
	sansChar = 7.0 // px per character at 12px sans-serif, generously
)

func newSVG(width, height float64, label string) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s" font-family="system-ui, sans-serif" font-size="12">`,
		num(width), num(height), num(width), num(height), esc(label))
	fmt.Fprintf(&s.b, `<title>%s</title>`, esc(label))
	return s
}

// String closes the document and returns it.
func (s *svg) String() string { return s.b.String() + "</svg>" }

// raw appends markup the caller built from escaped parts.
func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) rect(x, y, w, h, r float64, fill, stroke string, extra string) {
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" rx="%s" fill="%s" stroke="%s"%s/>`,
		num(x), num(y), num(max(w, 0)), num(max(h, 0)), num(r), fill, stroke, extra)
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string, extra string) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"%s/>`, num(x1), num(y1), num(x2), num(y2), stroke, extra)
}

// text draws s at (x, y); anchor is "start", "middle" or "end".
func (s *svg) text(x, y float64, anchor, fill, extra, text string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s" fill="%s"%s>%s</text>`, num(x), num(y), anchor, fill, extra, esc(text))
}

// titled wraps what draw adds in a group whose tooltip is tip.
func (s *svg) titled(tip, class string, draw func()) {
	if class != "" {
		fmt.Fprintf(&s.b, `<g class="%s">`, esc(class))
	} else {
		s.b.WriteString("<g>")
	}
	fmt.Fprintf(&s.b, "<title>%s</title>", esc(tip))
	draw()
	s.b.WriteString("</g>")
}

// arrowMarkers defines one arrowhead per colour, referenced as
// url(#arrow-<name>).
func (s *svg) arrowMarkers(colors map[string]string) {
	s.b.WriteString("<defs>")
	for _, name := range sortedKeys(colors) {
		fmt.Fprintf(&s.b, `<marker id="arrow-%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>`, name, colors[name])
	}
	s.b.WriteString("</defs>")
}

// num prints a coordinate with at most one decimal.
func num(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}

func esc(s string) string { return html.EscapeString(s) }

// clipText shortens s to at most n characters, ending with "…".
func clipText(s string, n int) string {
	if n <= 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
