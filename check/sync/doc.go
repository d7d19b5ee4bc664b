// Package sync is package sync under the checker's control: Mutex,
// RWMutex, WaitGroup, Once, Cond, Locker, OnceFunc, OnceValue and
// OnceValues, with exactly the standard API,
// so that swapping the import path
//
//	import "github.com/labludus/ludus/check/sync"
//
// is enough for check.Explore to see every Lock, Unlock, Add, Wait, Do and
// Signal as a scheduling point and to report deadlocks with their
// wait-for cycle. Outside an exploration every type is a thin wrapper
// around its standard counterpart: the only extra cost is one atomic load.
// Zero values are ready to use.
package sync
