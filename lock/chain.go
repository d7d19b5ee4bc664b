//go:build !ludus_nolockdep

package lock

import "sync/atomic"

// Chains, as in Linux lockdep: a chain is the sequence of locks a goroutine
// holds plus the one it takes. Its hash is built one lock at a time, each
// step mixing the chain below with the new lock's key, so a node of a held
// path carries its chain and extending it costs one mix.

const chainSeed = 0x9e3779b97f4a7c15

// mix extends chain hash h by key k. The result is never 0, which marks an
// empty slot of the chain cache.
func mix(h, k uint64) uint64 {
	h ^= k + chainSeed + h<<6 + h>>2
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h | 1
}

// chainOn returns the chain hash of taking a lock of key k on top of
// below (nil: holding nothing).
func chainOn(below *node, k uint64) uint64 {
	if below == nil {
		return mix(chainSeed, k)
	}
	return mix(below.chain, k)
}

// keyOf is a lock's contribution to chain keys: its class, its instance as
// well once the class nests in itself (see class.selfNest), and its mode.
func keyOf(c *class, id uint64, mode accessMode) uint64 {
	k := c.id << 1
	if c.selfNest.Load() {
		k = mix(k, id)
	}
	if mode == readAccess {
		k |= 1
	}
	return k
}

// The chain cache: once every order of a chain is in the graph, the same
// chain needs nothing but this lookup. An open-addressed set of hashes,
// written with CAS, never emptied; a chain whose 8 probe slots are all
// taken is simply never cached (checked against the graph every time,
// slower but still right).
const (
	chainBits  = 14
	chainProbe = 8
)

var chains [1 << chainBits]atomic.Uint64

func chainSeen(h uint64) bool {
	for p := range uint64(chainProbe) {
		switch chains[(h+p)&(1<<chainBits-1)].Load() {
		case h:
			return true
		case 0:
			return false
		}
	}
	return false
}

// chainAdd caches h. Only slowCheck calls it, and only for a chain all of
// whose orders it proved and recorded: a cached chain skips slowCheck, so
// caching an unproved one would lose its orders for good.
func chainAdd(h uint64) {
	for p := range uint64(chainProbe) {
		s := &chains[(h+p)&(1<<chainBits-1)]
		if s.CompareAndSwap(0, h) || s.Load() == h {
			return
		}
	}
}
