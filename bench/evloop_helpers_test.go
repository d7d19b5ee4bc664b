package bench

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// idleClientsEnv, set in a child's environment, makes the test binary the
// idle clients of BenchmarkEvloopIdleConns instead of running tests: it
// opens the connections, says "ready", and closes them when its standard
// input closes.
const idleClientsEnv = "LUDUS_BENCH_IDLE_CLIENTS"

func init() {
	spec := os.Getenv(idleClientsEnv)
	if spec == "" {
		return
	}
	addr, count, _ := strings.Cut(spec, ",")
	n, err := strconv.Atoi(count)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idle clients:", err)
		os.Exit(2)
	}
	fds, err := openIdleClients(addr, n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idle clients:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, fd := range fds {
		unix.Close(fd)
	}
	os.Exit(0)
}

// openIdleClients opens n connections to addr with raw system calls and does
// a 1-byte round trip on each. They close with RST (SO_LINGER 0): no
// TIME_WAIT, so repeated runs do not use up the ephemeral ports.
func openIdleClients(addr string, n int) ([]int, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, err
	}
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(n+256) {
		lim.Cur = min(max(lim.Max, uint64(n+256)), lim.Max)
		_ = unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
	}
	sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	fds := make([]int, 0, n)
	buf := []byte{'x'}
	fail := func(err error) ([]int, error) {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, err
	}
	for range n {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fail(err)
		}
		fds = append(fds, fd)
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		if err := connect(fd, sa); err != nil {
			return fail(err)
		}
		if _, err := retry(func() (int, error) { return unix.Write(fd, buf) }); err != nil {
			return fail(err)
		}
		if n, err := retry(func() (int, error) { return unix.Read(fd, buf) }); n != 1 || err != nil {
			return fail(fmt.Errorf("echo of 1 byte: %d %v", n, err))
		}
	}
	return fds, nil
}

// retry repeats a system call the Go runtime's signals (goroutine
// preemption) interrupted.
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// connect is a blocking connect that survives being interrupted by a
// signal: the connection then completes in the background, and poll says
// when.
func connect(fd int, sa unix.Sockaddr) error {
	err := unix.Connect(fd, sa)
	if err != unix.EINTR && err != unix.EINPROGRESS {
		return err
	}
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	if _, err := retry(func() (int, error) { return unix.Poll(pfd, -1) }); err != nil {
		return err
	}
	if soerr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || soerr != 0 {
		return fmt.Errorf("connect: %v %v", err, unix.Errno(soerr))
	}
	return nil
}
