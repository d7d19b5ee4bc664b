package unmodified

import "sync/atomic"

// Server is stopped by closing done.
type Server struct {
	stopped atomic.Bool
	done    chan struct{}
}

// NewServer returns a running server.
func NewServer() *Server { return &Server{done: make(chan struct{})} }

// Stop stops the server. It checks the flag and then sets it: two Stops
// can both see false and both close done, and the second close panics.
func (s *Server) Stop() {
	if !s.stopped.Load() {
		s.stopped.Store(true)
		close(s.done)
	}
}

// Done is closed when the server stops.
func (s *Server) Done() <-chan struct{} { return s.done }
