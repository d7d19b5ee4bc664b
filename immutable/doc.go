// Package immutable provides persistent collections: a hash map (Map), a
// sorted map (SortedMap) and a vector (Vector) whose updates return new
// versions and never change the old ones.
//
// This is the guide's "avoid shared state: use immutable data" made cheap.
// Copying a Go map or slice for every change costs O(n); a persistent
// collection shares structure instead, so an update copies only the
// O(log32 n) nodes on one path of a 32-way trie (at most 7 for any size
// that fits in memory) and everything else is shared by both versions.
//
// Because a version never changes, any number of goroutines can read it
// with no lock and no race, while writers build new versions; publishing a
// new version to the readers is one atomic pointer store:
//
//	var current atomic.Pointer[immutable.Map[string, string]]
//	current.Store(&immutable.Map[string, string]{}) // Load returns nil until the first Store
//
//	// writer
//	next := current.Load().Set("mode", "fast")
//	current.Store(&next)
//
//	// readers, at any time, lock-free
//	cfg := current.Load()
//	mode, _ := cfg.Get("mode")
//
// Each reader sees one consistent snapshot for as long as it keeps it. (With
// several writers, make the update a CompareAndSwap loop or serialise them.)
// The lab's immutable-snapshots experiment measures this against a map
// behind a sync.RWMutex.
//
// For batches, a Builder updates nodes it has copied in place (a
// "transient"), so building a Map of n keys costs about one allocation per
// node instead of one path per key.
//
// The collections are values of a few words with a usable zero value
// (empty); pass them by value. Comparing two of them with == compares
// identity (whether they are the same version), not contents: use Equal
// for Maps and SortedEqual for SortedMaps, or compare a Vector's Values.
// Map hashes keys with hash/maphash under a random per-map seed, so its
// iteration order differs between maps and between runs (NewMapFunc takes
// a hash of your own); SortedMap iterates in key order, forwards or
// backwards; Vector appends and prepends, slices without copying, and
// iterates forwards or backwards.
package immutable
