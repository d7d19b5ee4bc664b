package web

import (
	"errors"

	"github.com/labludus/ludus/check"
)

// checkDriver is the playground's driver on package check.
//
// Interim: package check does not have its step-by-step API (Walk,
// KeepGoing) yet; until it does, the playground reports that it cannot
// step. This file is the only one that changes when it lands.
type checkDriver struct{}

var errNoWalk = errors.New("this build's package check cannot run a program step by step yet (check.Walk)")

func (checkDriver) walk(body func(*check.T), path []string) (position, error) {
	return position{}, errNoWalk
}

func (checkDriver) explore(body func(*check.T), reduce bool) exploration {
	return exploration{}
}
