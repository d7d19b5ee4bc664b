//go:build !amd64

package engine

func bottomReturnPC() (uintptr, bool) { return 0, false }
