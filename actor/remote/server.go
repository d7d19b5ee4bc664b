package remote

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startServer runs an embedded NATS server for a node that was given no
// URL: on cfg.Listen (loopback and a random port by default), with the
// node's credentials required of every client when it has some.
func startServer(cfg settings) (*server.Server, error) {
	host, portText, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w: Listen %q: %w", ErrBadConfig, cfg.Listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("%w: Listen %q: port: %w", ErrBadConfig, cfg.Listen, err)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if !isLoopback(host) {
		cfg.warnExposure([]string{cfg.Listen})
	}
	payload := max(cfg.MaxMessageSize+frameRoom, server.MAX_PAYLOAD_SIZE)
	opts := &server.Options{
		ServerName:    "ludus-" + cfg.name,
		Host:          host,
		Port:          port,
		NoLog:         true,
		NoSigs:        true,
		MaxPayload:    int32(payload),
		MaxPending:    int64(max(2*payload, server.MAX_PENDING_SIZE)),
		Username:      cfg.User,
		Password:      cfg.Password,
		Authorization: cfg.Token,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("remote: embedded NATS server: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("remote: embedded NATS server on %s not ready after 10s", cfg.Listen)
	}
	return s, nil
}
