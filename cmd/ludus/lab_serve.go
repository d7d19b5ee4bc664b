package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"time"

	"github.com/labludus/ludus/lab"
	"github.com/labludus/ludus/web"
)

// serveConfig is what "ludus lab --serve" needs from the lab's flags.
type serveConfig struct {
	addr string
	// explicitAddr is set when --addr was on the command line: only then
	// may the lab listen beyond loopback.
	explicitAddr bool
	quick        bool
	timeout      time.Duration
}

// serveConfigOf reads the flags of fs after parsing.
func serveConfigOf(fs *flag.FlagSet, addr string, quick bool, timeout time.Duration) serveConfig {
	c := serveConfig{addr: addr, quick: quick, timeout: timeout}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" {
			c.explicitAddr = true
		}
	})
	return c
}

// serveLab serves the selected experiments in the browser until an
// interrupt.
func serveLab(exps []lab.Experiment, c serveConfig, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return serveLabUntil(ctx, exps, c, stdout, stderr)
}

// serveLabUntil is serveLab that stops when ctx ends, for tests.
func serveLabUntil(ctx context.Context, exps []lab.Experiment, c serveConfig, stdout, stderr io.Writer) int {
	l, err := web.Listen(c.addr, web.ListenOptions{AllowRemote: c.explicitAddr})
	if err != nil {
		fmt.Fprintf(stderr, "ludus lab: %v\n", err)
		return 2
	}
	loopback := web.IsLoopbackListener(l)
	s, err := web.New(web.Options{Experiments: exps, Quick: c.quick, Timeout: c.timeout, AnyHost: !loopback, PlainCheck: checkFiles,
		Log: log.New(stderr, "ludus lab: ", log.LstdFlags)})
	if err != nil {
		l.Close()
		fmt.Fprintf(stderr, "ludus lab: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "ludus lab: serving the lab at %s (interrupt to stop)\n", serveURL(l.Addr()))
	if !loopback {
		fmt.Fprintf(stderr, "ludus lab: warning: listening on %s, beyond this machine; the lab has no authentication: anyone who reaches it can run experiments\n", l.Addr())
	}
	if err := web.Serve(ctx, l, s); err != nil {
		fmt.Fprintf(stderr, "ludus lab: %v\n", err)
		return 1
	}
	return 0
}

// serveURL is the address to open in a browser: an unspecified address
// (every interface) is reached as localhost.
func serveURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String() + "/"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
