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
// version.
package ludus

import "embed"

// CheckRuntime is the source of the checker's runtime: check's own files,
// its engine, its runtime for rewritten code and its drop-in packages,
// with the module's go.mod (for its go line).
//
// It embeds the whole check directory, although only its non-test Go and
// assembly files outside check/rewrite are unpacked: go:embed rejects a
// pattern that matches nothing, so listing the runtime's directories one by
// one would break the build whenever one moves and silently leave out a
// new one (a user's build would then miss a package). The tests, testdata
// and the rewriter's source cost a few hundred kilobytes of the binary.
//
//go:embed go.mod check
var CheckRuntime embed.FS
