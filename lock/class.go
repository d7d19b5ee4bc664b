//go:build !ludus_nolockdep

package lock

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// class is a node of the lock-order graph: a name given to NewMutex, or the
// place that created or first locked a lock. Orders are recorded between
// classes, so that every account's lock of a bank is one class.
type class struct {
	// id numbers the classes in creation order; chain keys and cycle keys
	// are built from it (a pointer would hash differently in every run).
	id uint64
	// name is what reports call the class.
	name string
	// selfNest is set once two locks of this class were held together;
	// from then on its locks are told apart by instance in chain keys and
	// in the graph, so that orders within the class (account a before
	// account b) are kept between instances. It never goes back.
	selfNest atomic.Bool
	// learn counts the acquisitions of this class still to be made under
	// the goroutine's exact id (see current): only those acquisitions can
	// prove an order, so a class learns its orders exactly while it is new
	// and again whenever an order from it could not be proved.
	learn atomic.Int32
}

// How long a class learns: its first learnAcquisitions acquisitions, and
// relearnAcquisitions more whenever an order from it could not be proved.
const (
	learnAcquisitions   = 1024
	relearnAcquisitions = 1024
)

// The class table: classes live as long as the process, like lockdep's.
var (
	// classMu guards the maps and lastClass; the hot path never takes it,
	// since a lock keeps its class in dep.cls once found.
	classMu sync.Mutex
	// classByName holds the classes named by NewMutex/NewRWMutex.
	classByName = map[string]*class{}
	// classByPC holds the classes named by the place in the code (a
	// program counter) that created or first locked a lock.
	classByPC = map[uintptr]*class{}
	// lastClass is the id of the newest class.
	lastClass uint64
)

func newClassLocked(name string) *class {
	lastClass++
	c := &class{id: lastClass, name: name}
	c.learn.Store(learnAcquisitions)
	return c
}

func namedClass(name string) *class {
	classMu.Lock()
	defer classMu.Unlock()
	c := classByName[name]
	if c == nil {
		c = newClassLocked(name)
		classByName[name] = c
	}
	return c
}

// siteClass returns the class of the call skip frames above siteClass.
func siteClass(skip int) *class {
	var pc [1]uintptr
	if runtime.Callers(skip+1, pc[:]) == 0 {
		return namedClass("(unknown site)")
	}
	classMu.Lock()
	c := classByPC[pc[0]]
	classMu.Unlock()
	if c != nil {
		return c
	}
	f, _ := runtime.CallersFrames(pc[:]).Next()
	name := fmt.Sprintf("%s (%s:%d)", f.Function, shortFile(f.File), f.Line)
	classMu.Lock()
	defer classMu.Unlock()
	if c = classByPC[pc[0]]; c == nil {
		c = newClassLocked(name)
		classByPC[pc[0]] = c
	}
	return c
}

// shortFile keeps the last directory and the file name of a path.
func shortFile(f string) string {
	if i := strings.LastIndexByte(f, '/'); i >= 0 {
		if j := strings.LastIndexByte(f[:i], '/'); j >= 0 {
			return f[j+1:]
		}
	}
	return f
}

// exactNow reports whether an acquisition of c must use the goroutine's
// exact id, and counts it if so: while the class learns, or always in
// SetExactGoroutines mode.
func (c *class) exactNow() bool {
	if c.learn.Load() > 0 {
		c.learn.Add(-1)
		return true
	}
	return exact.Load()
}

// relearn sends c back to exact acquisitions, after an order from one of
// its locks could not be proved: the same order taken again within the
// next relearnAcquisitions acquisitions is then proved and recorded.
func (c *class) relearn() {
	if c.learn.Load() < relearnAcquisitions {
		c.learn.Store(relearnAcquisitions)
	}
}
