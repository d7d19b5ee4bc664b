// Package rt is the runtime of code that ludus check rewrote: the calls the
// rewriter puts where the user's code had a go statement, a channel
// operation, a select, an access to shared memory, a call that can block
// outside the checker's control, or a method of testing.T. It is not meant
// to be called by hand (package check is the API for that); its contract
// with the rewriter is docs/check-rewrite.md.
//
// Every function behaves exactly as the code it replaced when no
// exploration runs, or when the calling goroutine is not one the checker
// manages. Inside an exploration, channels are modelled by the engine (the
// real channel value is only the channel's identity), go statements start
// managed goroutines, memory accesses feed the data-race detector, and
// tests run once per explored schedule.
package rt
