// Package atomic is sync/atomic under the checker's control: the same
// functions (AddInt32, LoadPointer, CompareAndSwapUint64, ...) and types
// (Bool, Int32, Int64, Uint32, Uint64, Uintptr, Pointer[T], Value), so that
// swapping the import path is enough for check.Explore to see every atomic
// operation as a scheduling point. Atomics are sequentially consistent and
// synchronize like Go's: an atomic read that observes a write happens after
// it, so atomics never form a data race, while the interleavings they allow
// are all explored.
//
// Outside an exploration every call is the sync/atomic one after a single
// atomic load of a process-wide flag; the typed values carry one extra
// pointer.
package atomic
