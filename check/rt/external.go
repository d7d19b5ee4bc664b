package rt

import (
	"time"

	"github.com/labludus/ludus/check/internal/engine"
)

// Ext marks a call into code the rewriter did not rewrite that can block
// for an unknown time (a child process, network or file I/O, a library's
// blocking call). Enter, before the call, is a scheduling point: until the
// call is made, other goroutines may run and virtual time may pass, so a
// timeout racing with the call is explored both ways.
type Ext struct{}

// Enter marks the start of an external call named what
// ("exec.(*Cmd).Wait").
func Enter(what string) Ext {
	if g := current(); g != nil {
		g.Engine().External(g, what)
	}
	return Ext{}
}

// Exit marks the end of the external call.
func (Ext) Exit() {}

// Exit1 ends an external call in an expression: Exit1(Enter("f"), f(x))
// evaluates to f(x).
func Exit1[T any](x Ext, v T) T {
	x.Exit()
	return v
}

// RealDeadline maps a deadline computed on the checker's virtual clock
// (time.Now in rewritten code starts at engine.Epoch) to the real clock,
// for a standard library call that hands it to the operating system
// (net.Conn.SetDeadline and kin): the same distance from now. The zero
// time, no deadline, stays zero; outside an exploration t is returned.
func RealDeadline(t time.Time) time.Time {
	g := current()
	if g == nil || t.IsZero() {
		return t
	}
	now := engine.Epoch.Add(time.Duration(g.Engine().Now()))
	return time.Now().Add(t.Sub(now))
}
