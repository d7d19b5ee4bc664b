package sync

import stdsync "sync"

// Map is sync.Map, so that swapping the import compiles; its operations are
// not scheduling points (guard checked state with a Mutex instead).
type Map = stdsync.Map

// Pool is sync.Pool, so that swapping the import compiles; its operations
// are not scheduling points.
type Pool = stdsync.Pool
