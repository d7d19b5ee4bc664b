//go:build !linux

package evloop

const defaultBackend = BackendPortable

// newEpoll fails: epoll is Linux's.
func newEpoll(*Loop) (backend, error) { return nil, ErrUnsupported }
