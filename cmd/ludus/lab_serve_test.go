package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labludus/ludus/lab"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// servingLine is what the README shows "ludus lab --serve" printing.
var servingLine = regexp.MustCompile(`^ludus lab: serving the lab at (http://\S+/) \(interrupt to stop\)\n`)

// serveFor runs serveLabUntil with c until it prints its URL, GETs path
// there, then stops it; it returns the exit status, the outputs and the
// response's status.
func serveFor(t *testing.T, c serveConfig, path string) (code int, stdout, stderr string, status int) {
	t.Helper()
	exps, err := lab.Select(lab.Builtin(), []string{"race-condition"})
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- serveLabUntil(ctx, exps, c, &out, &errOut) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case code := <-done:
			return code, out.String(), errOut.String(), 0
		default:
		}
		if m := servingLine.FindStringSubmatch(out.String()); m != nil {
			client := &http.Client{Transport: &http.Transport{}}
			resp, err := client.Get(m[1] + strings.TrimPrefix(path, "/"))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			client.CloseIdleConnections()
			status = resp.StatusCode
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no serving line: %q %q", out.String(), errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	return <-done, out.String(), errOut.String(), status
}

func TestServeLab(t *testing.T) {
	code, out, errOut, status := serveFor(t, serveConfig{addr: "127.0.0.1:0", timeout: time.Minute}, "/api/experiments")
	if code != 0 || status != 200 || !strings.Contains(out, "serving the lab at http://127.0.0.1:") || errOut != "" {
		t.Errorf("loopback: exit %d, GET %d, stdout %q, stderr %q", code, status, out, errOut)
	}
	// Beyond loopback: refused unless --addr said so.
	code, _, errOut, _ = serveFor(t, serveConfig{addr: "0.0.0.0:0"}, "/")
	if code != 2 || !strings.Contains(errOut, "not a loopback address") {
		t.Errorf("0.0.0.0 by default: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut, status = serveFor(t, serveConfig{addr: "0.0.0.0:0", explicitAddr: true}, "/")
	if code != 0 || status != 200 || !strings.Contains(out, "http://localhost:") || !strings.Contains(errOut, "warning: listening on") {
		t.Errorf("0.0.0.0 given: exit %d, GET %d, stdout %q, stderr %q", code, status, out, errOut)
	}
}

func TestServeFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"lab", "--serve", "--json"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "--json and --serve") {
		t.Errorf("--serve --json: exit %d, %q", code, stderr.String())
	}
	for args, explicit := range map[string]bool{"--serve": false, "--serve --addr 127.0.0.1:9": true, "--addr=:9 --serve": true} {
		fs := flag.NewFlagSet("lab", flag.ContinueOnError)
		addr := fs.String("addr", "127.0.0.1:7040", "")
		fs.Bool("serve", false, "")
		if err := fs.Parse(strings.Fields(args)); err != nil {
			t.Fatal(err)
		}
		if c := serveConfigOf(fs, *addr, false, 0); c.explicitAddr != explicit {
			t.Errorf("%s: explicit %v, want %v", args, c.explicitAddr, explicit)
		}
	}
}
