//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package evloop

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// controlReusePort sets SO_REUSEPORT on a socket package net is about to
// bind, so that several loops can each have a listener on one port and the
// kernel spreads connections among them.
func controlReusePort(_, _ string, rc syscall.RawConn) error {
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	}); err != nil {
		return err
	}
	return serr
}
