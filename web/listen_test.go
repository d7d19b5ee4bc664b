package web

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labludus/ludus/lab"
)

func TestListen(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", "192.0.2.1:0"} {
		if l, err := Listen(addr, ListenOptions{}); !errors.Is(err, ErrNotLoopback) {
			if l != nil {
				l.Close()
			}
			t.Errorf("Listen(%s) = %v, want ErrNotLoopback", addr, err)
		}
	}
	for _, addr := range []string{":0", "127.0.0.1:0", "localhost:0"} {
		l, err := Listen(addr, ListenOptions{})
		if err != nil {
			t.Errorf("Listen(%s): %v", addr, err)
			continue
		}
		if !IsLoopbackListener(l) {
			t.Errorf("Listen(%s) listens on %s", addr, l.Addr())
		}
		l.Close()
	}
	l, err := Listen("0.0.0.0:0", ListenOptions{AllowRemote: true})
	if err != nil {
		t.Fatalf("Listen(0.0.0.0:0) with AllowRemote: %v", err)
	}
	if IsLoopbackListener(l) {
		t.Errorf("0.0.0.0 counted as loopback")
	}
	l.Close()
	if _, err := Listen("no-port", ListenOptions{}); err == nil {
		t.Error("an address without a port was accepted")
	}
}

// TestServeShutsDown: when Serve's context ends, the run in progress is
// cancelled, its stream ends with the "end" event, and Serve returns nil.
func TestServeShutsDown(t *testing.T) {
	l, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 1)
	s := mustNew(t, Options{Experiments: []lab.Experiment{fakeExperiment("slow", blocking(started))}, Log: log.New(io.Discard, "", 0)})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, l, s) }()

	base := "http://" + l.Addr().String()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/run", strings.NewReader(`{}`))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), "event: end") {
		t.Errorf("the run's stream after shutdown: %v\n%s", err, body)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		t.Error("still listening after Serve returned")
	}
}
