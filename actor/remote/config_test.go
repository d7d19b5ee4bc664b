package remote

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/labludus/ludus/actor"
)

// TestConfigEdges: zero fields mean the documented defaults; bad values
// are errors, never silently replaced.
func TestConfigEdges(t *testing.T) {
	s, err := Config{}.settle("a")
	if err != nil {
		t.Fatal(err)
	}
	if s.Namespace != DefaultNamespace || s.Listen != DefaultListen || s.Heartbeat != DefaultHeartbeat ||
		s.NodeTimeout != DefaultNodeTimeout || s.Outbound != DefaultOutbound || s.MaxMessageSize != DefaultMaxMessageSize ||
		s.OutboundPolicy != actor.Block || s.RequestTimeout != DefaultRequestTimeout || s.Codec == nil || s.Types == nil {
		t.Fatalf("defaults %+v", s)
	}
	for name, c := range map[string]Config{
		"timeout below heartbeat": {Heartbeat: time.Second, NodeTimeout: time.Millisecond},
		"negative heartbeat":      {Heartbeat: -1},
		"negative outbound":       {Outbound: -1},
		"negative size":           {MaxMessageSize: -1},
		"bad policy":              {OutboundPolicy: actor.Policy(9)},
		"bad namespace":           {Namespace: "a.*"},
	} {
		if _, err := c.settle("a"); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"a.b", "a b", "*", ">"} {
		if _, err := (Config{}).settle(name); !errors.Is(err, ErrBadConfig) {
			t.Errorf("node name %q: %v", name, err)
		}
	}
	if _, err := Join(nil, Config{}); !errors.Is(err, ErrBadConfig) {
		t.Error(err)
	}
	if _, err := (Config{Listen: "nowhere"}).settle("a"); err != nil {
		t.Fatal(err) // checked when the server starts
	}
	sys, _ := actor.NewSystem(actor.WithName("x"), actor.WithLogger(quiet))
	defer sys.Shutdown(context.Background())
	if _, err := Join(sys, Config{Listen: "nowhere", Logger: quiet}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("Listen without a port: %v", err)
	}
	if _, err := Join(sys, Config{MaxMessageSize: 64 << 20, URLs: nil, Logger: quiet}); err != nil {
		t.Errorf("a large MaxMessageSize raises the embedded server's limit: %v", err)
	} else {
		mustNode(t, sys).Close(context.Background())
	}
}

func TestIsLoopback(t *testing.T) {
	for a, want := range map[string]bool{
		"nats://127.0.0.1:4222": true, "nats://localhost:4222": true, "nats://[::1]:4222": true,
		"127.0.0.1:0": true, "nats://10.0.0.1:4222": false, "0.0.0.0:4222": false, "nats://example.com:4222": false,
	} {
		if isLoopback(a) != want {
			t.Errorf("isLoopback(%q) = %v", a, !want)
		}
	}
}

// TestExposureWarning: a non-loopback address without credentials is a
// warning in the log; with credentials it is not.
func TestExposureWarning(t *testing.T) {
	rec := &logRecorder{}
	s := settings{Config: Config{Logger: slog.New(rec)}, name: "a"}
	s.warnExposure([]string{"nats://127.0.0.1:4222"})
	if rec.has("non-loopback") {
		t.Fatal("warned about loopback")
	}
	s.warnExposure([]string{"nats://192.0.2.1:4222"})
	if !rec.has("non-loopback") {
		t.Fatal("no warning for an exposed address without credentials")
	}
	rec2 := &logRecorder{}
	s = settings{Config: Config{Logger: slog.New(rec2), Token: "secret"}, name: "a"}
	s.warnExposure([]string{"nats://192.0.2.1:4222"})
	if rec2.has("non-loopback") {
		t.Fatal("warned although credentials are given")
	}
}

// TestCredentials: the embedded server requires the node's credentials;
// a node without them cannot join, one with them can.
func TestCredentials(t *testing.T) {
	cfg := Config{User: "ludus", Password: "s3cret", Types: testTypes(t), Logger: quiet}
	_, a := joinSystem(t, "a", cfg)
	intruder, _ := actor.NewSystem(actor.WithName("intruder"), actor.WithLogger(quiet))
	defer intruder.Shutdown(context.Background())
	if _, err := Join(intruder, Config{URLs: []string{a.URL()}, Logger: quiet, NATSOptions: []nats.Option{nats.MaxReconnects(0)}}); err == nil {
		t.Fatal("joined without credentials")
	}
	cfg.URLs = []string{a.URL()}
	_, b := joinSystem(t, "b", cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.WaitNode(ctx, "a"); err != nil {
		t.Fatal(err)
	}
}

func TestTypes(t *testing.T) {
	ts := NewTypes()
	type msg struct{ A int }
	if err := Register[msg](ts, ""); err != nil {
		t.Fatal(err)
	}
	if n, ok := ts.NameOf(reflectType[msg]()); !ok || n != "github.com/labludus/ludus/actor/remote.msg" {
		t.Fatalf("default name %q", n)
	}
	if err := Register[msg](ts, ""); err != nil {
		t.Fatal("registering again under the same name is allowed")
	}
	if err := Register[msg](ts, "other"); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("a type under two names: %v", err)
	}
	if err := Register[string](ts, "github.com/labludus/ludus/actor/remote.msg"); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("two types under one name: %v", err)
	}
	if n, _ := ts.NameOf(reflectType[int]()); n != "int" {
		t.Fatalf("int is %q", n)
	}
}
