package linear

import "math/rand/v2"

// Op is one operation Stress can run on an object of type T: Gen draws an
// input (nil: the zero I), Run performs it on the object and returns what
// the object answered. Run is called from several goroutines at once on the
// same object: that is the point.
type Op[T, I, O any] struct {
	Name string
	Gen  func(r *rand.Rand) I
	Run  func(obj T, in I) O
}
