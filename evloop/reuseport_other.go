//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package evloop

import "syscall"

// controlReusePort fails where SO_REUSEPORT does not exist: a Server of
// several loops then needs one listener per port.
func controlReusePort(_, _ string, _ syscall.RawConn) error { return ErrUnsupported }
