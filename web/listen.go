package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// DefaultAddr is where "ludus lab --serve" listens unless told otherwise.
const DefaultAddr = "127.0.0.1:7040"

// ListenOptions say where the lab may listen.
type ListenOptions struct {
	// AllowRemote permits an address beyond this machine's loopback
	// interface (0.0.0.0, a LAN address, a name that resolves to one). The
	// lab has no authentication: whoever reaches it can run experiments
	// and use the CPU. The command sets it only when --addr is given.
	AllowRemote bool
}

// ErrNotLoopback is returned (wrapped) by Listen for an address beyond
// loopback without ListenOptions.AllowRemote.
var ErrNotLoopback = errors.New("not a loopback address")

// Listen opens a TCP listener on addr for the lab. An empty host (":7040")
// means 127.0.0.1, not every interface. A host that is not loopback is
// refused unless opts.AllowRemote is set.
func Listen(addr string, opts ListenOptions) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	addr = net.JoinHostPort(host, port)
	if !opts.AllowRemote {
		loop, err := isLoopback(host)
		if err != nil {
			return nil, fmt.Errorf("address %q: %w", addr, err)
		}
		if !loop {
			return nil, fmt.Errorf("address %q: %w: the lab listens on this machine only unless told otherwise", addr, ErrNotLoopback)
		}
	}
	return net.Listen("tcp", addr)
}

// isLoopback reports whether host, an IP or a name, is loopback only. A
// name counts when every address it resolves to is loopback.
func isLoopback(host string) (bool, error) {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback(), nil
	}
	if host == "localhost" {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return false, err
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return false, nil
		}
	}
	return len(addrs) > 0, nil
}

// IsLoopbackListener reports whether l accepts connections from this
// machine only.
func IsLoopbackListener(l net.Listener) bool {
	a, ok := l.Addr().(*net.TCPAddr)
	return ok && a.IP.IsLoopback()
}

// shutdownGrace bounds how long Serve waits for requests in flight once
// its context ends.
const shutdownGrace = 10 * time.Second

// Serve serves s on l until ctx ends, then stops: it closes s (cancelling
// the run in progress and ending the playground's sessions), lets the
// requests in flight finish for a few seconds, and closes l. It returns nil
// after a shutdown that ctx asked for.
func Serve(ctx context.Context, l net.Listener, s *Server) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          s.log,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Close() // the run's stream ends with its "end" event
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
