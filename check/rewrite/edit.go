package rewrite

import (
	"fmt"
	"sort"
	"strings"
)

// buffer is a source file and the text edits made to it. The rewriter never
// reprints the syntax tree: it inserts and replaces text around the user's
// own tokens, so comments, formatting, directives and above all line
// numbers survive. Every edit keeps the number of newlines of the text it
// replaces (an edit that moves text leaves its newlines behind and marks
// the moved copy with /*line*/ directives), so each token the user wrote
// stays on its line and a trace names the user's own file:line.
//
// Edits at one offset are applied in the order they were made. The rewriter
// relies on that: a node's opening text is added before its children are
// visited and its closing text after, so wrappers nest the right way round.
type buffer struct {
	src   []byte  // the original file
	edits []*edit // in the order they were made
}

// edit replaces src[pos:end] with text; pos == end inserts.
type edit struct {
	pos, end int
	text     string
	seq      int  // order of registration, for ties at one offset
	dead     bool // consumed by take: its text moved elsewhere
}

func newBuffer(src []byte) *buffer { return &buffer{src: src} }

// insert adds text before the byte at pos.
func (b *buffer) insert(pos int, text string) { b.replace(pos, pos, text) }

// replace replaces src[pos:end] with text.
func (b *buffer) replace(pos, end int, text string) {
	if pos < 0 || end < pos || end > len(b.src) {
		panic(fmt.Sprintf("rewrite: edit [%d,%d) outside the file (%d bytes)", pos, end, len(b.src)))
	}
	b.edits = append(b.edits, &edit{pos: pos, end: end, text: text, seq: len(b.edits)})
}

// text returns the original text of src[pos:end].
func (b *buffer) text(pos, end int) string { return string(b.src[pos:end]) }

// render returns src[pos:end] with the live edits inside it applied,
// including insertions at both ends.
func (b *buffer) render(pos, end int) string {
	var inside []*edit
	for _, e := range b.edits {
		if !e.dead && e.pos >= pos && e.end <= end {
			inside = append(inside, e)
		}
	}
	return apply(b.src, pos, end, inside)
}

// take removes src[pos:end] (with its edits) and returns its rendered text,
// to be inserted elsewhere. The newlines of the range stay where they were,
// so the lines after it keep their numbers; the caller marks the moved text
// with line directives (see moved).
func (b *buffer) take(pos, end int) string {
	s := b.render(pos, end)
	for _, e := range b.edits {
		if !e.dead && e.pos >= pos && e.end <= end {
			e.dead = true
		}
	}
	b.replace(pos, end, strings.Repeat("\n", strings.Count(b.text(pos, end), "\n")))
	return s
}

// bytes returns the edited file.
func (b *buffer) bytes() []byte {
	var live []*edit
	for _, e := range b.edits {
		if !e.dead {
			live = append(live, e)
		}
	}
	return []byte(apply(b.src, 0, len(b.src), live))
}

// apply renders src[pos:end] with edits, which all lie inside it.
func apply(src []byte, pos, end int, edits []*edit) string {
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].pos != edits[j].pos {
			return edits[i].pos < edits[j].pos
		}
		return edits[i].seq < edits[j].seq
	})
	var sb strings.Builder
	at := pos
	for _, e := range edits {
		if e.pos < at {
			// Inside a range an earlier edit replaced: the rewriter never
			// edits inside text it replaced, so this is a bug.
			if e.text != "" || e.end > at {
				panic(fmt.Sprintf("rewrite: overlapping edits at offset %d", e.pos))
			}
			continue
		}
		sb.Write(src[at:e.pos])
		sb.WriteString(e.text)
		at = e.end
	}
	sb.Write(src[at:end])
	return sb.String()
}
