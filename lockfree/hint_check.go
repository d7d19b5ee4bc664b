//go:build ludus_check

package lockfree

// Under the checker the stripe choice must be a function of the schedule
// alone (stack addresses differ between executions, so a replayed schedule
// would touch other stripes). Every Add starts at stripe 0 and probes
// linearly on a collision, which also makes collisions, the interesting
// case, as likely as possible.
func stripeHint() uint32 { return 0 }

// rehash moves to the next stripe after a collision.
func rehash(idx uint32) uint32 { return idx + 1 }
