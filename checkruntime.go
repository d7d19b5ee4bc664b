// Package ludus carries the source of the checker's runtime inside every
// binary that needs it.
//
// "ludus check" rewrites a user's tests onto the runtime (check/rt and the
// drop-in packages check/sync, check/atomic, check/time, check/context,
// check/math/rand) and builds them with the user's own Go toolchain, in
// the user's own module, offline. The runtime's source therefore travels
// inside the ludus binary: this package embeds it (go:embed cannot reach
// parent directories, so the embedding package sits at the module root),
// and check/rewrite unpacks it into the user's cache directory once per
// version. The embedded tree also holds the runtime's tests; only non-test
// Go and assembly files are unpacked.
package ludus

import "embed"

// CheckRuntime is the source of the checker's runtime: check's own files,
// its engine, its runtime for rewritten code and its drop-in packages,
// with the module's go.mod (for its go line).
//
//go:embed go.mod check/*.go check/internal check/sync/*.go check/atomic/*.go
var CheckRuntime embed.FS
