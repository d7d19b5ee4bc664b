package remote

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/labludus/ludus/actor"
)

// Defaults for the zero fields of Config.
const (
	DefaultNamespace      = "ludus"
	DefaultListen         = "127.0.0.1:0"
	DefaultHeartbeat      = 200 * time.Millisecond
	DefaultNodeTimeout    = time.Second
	DefaultRequestTimeout = 5 * time.Second
	DefaultOutbound       = 8192
	DefaultMaxMessageSize = 1<<20 - 1<<10 // fits a NATS server's default max payload (1 MiB) with its frame
)

// Config says how a System joins a cluster. The zero Config starts an
// embedded NATS server on 127.0.0.1 and a random port, which other nodes
// join through Node.URL.
type Config struct {
	// URLs are NATS servers to connect to ("nats://host:4222"); several
	// for a cluster. None means: start an embedded server.
	URLs []string
	// Listen is where the embedded server listens (host:port); "" means
	// DefaultListen, loopback only. Ignored with URLs.
	Listen string
	// Namespace prefixes every NATS subject the node uses, so that several
	// clusters can share NATS servers; "" means DefaultNamespace.
	Namespace string

	// Credentials, passed to NATS as given (and required by the embedded
	// server when set): a user and password, a token, an nkey seed file or
	// a credentials (JWT) file; TLS for the connection.
	User, Password string
	Token          string
	NKeySeedFile   string
	CredsFile      string
	TLS            *tls.Config
	// NATSOptions are applied after the ones above, for anything else the
	// NATS client offers.
	NATSOptions []nats.Option

	// Heartbeat is how often the node tells the others it is alive; zero
	// means DefaultHeartbeat. NodeTimeout is how long a node may stay
	// silent before it is declared down; zero means DefaultNodeTimeout. It
	// must be larger than Heartbeat.
	Heartbeat   time.Duration
	NodeTimeout time.Duration
	// RequestTimeout bounds Lookup and SpawnOn requests when their context
	// has no earlier deadline; zero means DefaultRequestTimeout.
	RequestTimeout time.Duration

	// Outbound is the capacity, in messages, of the buffer toward each
	// other node; zero means DefaultOutbound. OutboundPolicy is what a
	// Send does when it is full: wait for room (actor.Block, the default;
	// SendContext bounds the wait), drop the message to dead letters
	// (actor.DropNewest) or return actor.ErrMailboxFull (actor.Fail).
	// Replies and system signals are not counted: each answers something
	// that was.
	Outbound       int
	OutboundPolicy actor.Policy
	// MaxMessageSize bounds one encoded message, sent or received; zero
	// means DefaultMaxMessageSize.
	MaxMessageSize int

	// Codec encodes messages; nil means CBOR(). Types names the message
	// types; nil means NewTypes() (the basic types only; register yours
	// with Register on Node.Types()).
	Codec Codec
	Types *Types
	// Logger receives the node's events (nodes up and down, security
	// warnings, dropped messages); nil means slog.Default().
	Logger *slog.Logger
}

// settings is a Config with its defaults applied.
type settings struct {
	Config
	name string // the node's name: its System's
}

func (c Config) settle(name string) (settings, error) {
	s := settings{Config: c, name: name}
	if err := checkToken("node name (the System's name)", name); err != nil {
		return s, err
	}
	if s.Namespace == "" {
		s.Namespace = DefaultNamespace
	}
	for _, part := range strings.Split(s.Namespace, ".") {
		if err := checkToken("namespace", part); err != nil {
			return s, err
		}
	}
	if s.Listen == "" {
		s.Listen = DefaultListen
	}
	if s.Heartbeat == 0 {
		s.Heartbeat = DefaultHeartbeat
	}
	if s.NodeTimeout == 0 {
		s.NodeTimeout = DefaultNodeTimeout
	}
	if s.RequestTimeout == 0 {
		s.RequestTimeout = DefaultRequestTimeout
	}
	if s.Outbound == 0 {
		s.Outbound = DefaultOutbound
	}
	if s.MaxMessageSize == 0 {
		s.MaxMessageSize = DefaultMaxMessageSize
	}
	switch {
	case s.Heartbeat < 0 || s.NodeTimeout < 0 || s.RequestTimeout < 0:
		return s, fmt.Errorf("%w: negative duration", ErrBadConfig)
	case s.NodeTimeout <= s.Heartbeat:
		return s, fmt.Errorf("%w: NodeTimeout %v must exceed Heartbeat %v", ErrBadConfig, s.NodeTimeout, s.Heartbeat)
	case s.Outbound < 0 || s.MaxMessageSize < 0:
		return s, fmt.Errorf("%w: negative size", ErrBadConfig)
	case s.OutboundPolicy > actor.Fail:
		return s, fmt.Errorf("%w: outbound policy %v", ErrBadConfig, s.OutboundPolicy)
	}
	if s.Codec == nil {
		s.Codec = CBOR()
	}
	if s.Types == nil {
		s.Types = NewTypes()
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return s, nil
}

// checkToken refuses what cannot be one token of a NATS subject.
func checkToken(what, s string) error {
	if s == "" || strings.ContainsAny(s, ".*> \t\r\n") {
		return fmt.Errorf("%w: %s %q cannot be part of a NATS subject (no '.', '*', '>' or spaces)", ErrBadConfig, what, s)
	}
	return nil
}

func (s settings) hasCredentials() bool {
	return s.User != "" || s.Token != "" || s.NKeySeedFile != "" || s.CredsFile != ""
}

// natsOptions turns the settings into the client's options.
func (s settings) natsOptions(onErr func(error)) ([]nats.Option, error) {
	opts := []nats.Option{
		nats.Name("ludus/" + s.name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(s.Heartbeat),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { onErr(err) }),
	}
	if s.User != "" {
		opts = append(opts, nats.UserInfo(s.User, s.Password))
	}
	if s.Token != "" {
		opts = append(opts, nats.Token(s.Token))
	}
	if s.NKeySeedFile != "" {
		o, err := nats.NkeyOptionFromSeed(s.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("%w: nkey seed: %w", ErrBadConfig, err)
		}
		opts = append(opts, o)
	}
	if s.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(s.CredsFile))
	}
	if s.TLS != nil {
		opts = append(opts, nats.Secure(s.TLS))
	}
	return append(opts, s.NATSOptions...), nil
}

// warnExposure logs a warning for every non-loopback address used
// without credentials: anyone who can reach it can talk to the actors.
func (s settings) warnExposure(addrs []string) {
	if s.hasCredentials() {
		return
	}
	for _, a := range addrs {
		if !isLoopback(a) {
			s.Logger.Warn("remote: joining a non-loopback NATS address without credentials: anyone who reaches it can send to your actors",
				slog.String("node", s.name), slog.String("address", a))
		}
	}
}

// isLoopback reports whether a URL or host:port names the loopback
// interface (by address or as "localhost").
func isLoopback(a string) bool {
	host := a
	if u, err := url.Parse(a); err == nil && u.Host != "" {
		host = u.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
