//go:build ludus_check

package lockfree

// Under the checker the stripe choice must be a function of the schedule
// alone (randomness or sync.Pool's per-processor caches would make a
// replayed schedule touch other stripes). Every Add starts at stripe 0 and
// probes linearly on a collision, which also makes collisions, the
// interesting case, as likely as possible.
type counterHint struct{ idx uint32 }

func getHint() *counterHint    { return &counterHint{} }
func putHint(*counterHint)     {}
func rehash(idx uint32) uint32 { return idx + 1 }
