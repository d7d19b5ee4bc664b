package bench

import (
	"strconv"
	"testing"

	bj "github.com/benbjohnson/immutable"
	"github.com/labludus/ludus/immutable"
)

// The immutable benchmarks compare ludus's Map and Vector with
// benbjohnson/immutable v0.4.3's Map and List (its default hashers for int
// and string keys). Maps hold mapSize keys; every operation is on a
// persistent version (the result of Set/Delete is a new map, discarded or
// kept as the next version as noted).

const mapSize = 10000

func mapKeys() []string {
	keys := make([]string, mapSize)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i*7919)
	}
	return keys
}

func ludusIntMap() immutable.Map[int, int] {
	var b immutable.Builder[int, int]
	for i := range mapSize {
		b.Set(i, i)
	}
	return b.Map()
}

func bjIntMap() *bj.Map[int, int] {
	b := bj.NewMapBuilder[int, int](nil)
	for i := range mapSize {
		b.Set(i, i)
	}
	return b.Map()
}

func BenchmarkMapGet(b *testing.B) {
	b.Run("int/ludus", func(b *testing.B) {
		m := ludusIntMap()
		i := 0
		for b.Loop() {
			if _, ok := m.Get(i); !ok {
				b.Fatal("missing")
			}
			i = (i + 1) % mapSize
		}
	})
	b.Run("int/benbjohnson", func(b *testing.B) {
		m := bjIntMap()
		i := 0
		for b.Loop() {
			if _, ok := m.Get(i); !ok {
				b.Fatal("missing")
			}
			i = (i + 1) % mapSize
		}
	})
	keys := mapKeys()
	b.Run("string/ludus", func(b *testing.B) {
		var m immutable.Map[string, int]
		for i, k := range keys {
			m = m.Set(k, i)
		}
		i := 0
		for b.Loop() {
			if _, ok := m.Get(keys[i]); !ok {
				b.Fatal("missing")
			}
			i = (i + 1) % mapSize
		}
	})
	b.Run("string/benbjohnson", func(b *testing.B) {
		m := bj.NewMap[string, int](nil)
		for i, k := range keys {
			m = m.Set(k, i)
		}
		i := 0
		for b.Loop() {
			if _, ok := m.Get(keys[i]); !ok {
				b.Fatal("missing")
			}
			i = (i + 1) % mapSize
		}
	})
}

// BenchmarkMapSet: overwrite and insert (half the keys are new) on a map of
// mapSize keys; each result is discarded, so every Set copies one path.
func BenchmarkMapSet(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		m := ludusIntMap()
		i := 0
		for b.Loop() {
			_ = m.Set(i, -i)
			i = (i + 1) % (2 * mapSize)
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		m := bjIntMap()
		i := 0
		for b.Loop() {
			_ = m.Set(i, -i)
			i = (i + 1) % (2 * mapSize)
		}
	})
}

// BenchmarkMapSetChain: each Set applies to the previous result, the
// common way to grow a persistent map; restarts every 2*mapSize keys.
func BenchmarkMapSetChain(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var m immutable.Map[int, int]
		i := 0
		for b.Loop() {
			m = m.Set(i, i)
			if i++; i == 2*mapSize {
				m, i = immutable.Map[int, int]{}, 0
			}
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		m := bj.NewMap[int, int](nil)
		i := 0
		for b.Loop() {
			m = m.Set(i, i)
			if i++; i == 2*mapSize {
				m, i = bj.NewMap[int, int](nil), 0
			}
		}
	})
}

func BenchmarkMapDelete(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		m := ludusIntMap()
		i := 0
		for b.Loop() {
			_ = m.Delete(i)
			i = (i + 1) % mapSize
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		m := bjIntMap()
		i := 0
		for b.Loop() {
			_ = m.Delete(i)
			i = (i + 1) % mapSize
		}
	})
}

// BenchmarkMapBuilder builds a map of mapSize keys per iteration.
func BenchmarkMapBuilder(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		for b.Loop() {
			var bl immutable.Builder[int, int]
			for i := range mapSize {
				bl.Set(i, i)
			}
			_ = bl.Map()
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		for b.Loop() {
			bl := bj.NewMapBuilder[int, int](nil)
			for i := range mapSize {
				bl.Set(i, i)
			}
			_ = bl.Map()
		}
	})
}

// BenchmarkVectorAppend: appends to the previous version; restarts every
// 2*mapSize elements.
func BenchmarkVectorAppend(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var v immutable.Vector[int]
		for b.Loop() {
			v = v.Append(1)
			if v.Len() == 2*mapSize {
				v = immutable.Vector[int]{}
			}
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		l := bj.NewList[int]()
		for b.Loop() {
			l = l.Append(1)
			if l.Len() == 2*mapSize {
				l = bj.NewList[int]()
			}
		}
	})
}

func BenchmarkVectorGet(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var v immutable.Vector[int]
		for i := range mapSize {
			v = v.Append(i)
		}
		i := 0
		for b.Loop() {
			if x, _ := v.Get(i); x != i {
				b.Fatal("wrong")
			}
			i = (i + 1) % mapSize
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		l := bj.NewList[int]()
		for i := range mapSize {
			l = l.Append(i)
		}
		i := 0
		for b.Loop() {
			if l.Get(i) != i {
				b.Fatal("wrong")
			}
			i = (i + 1) % mapSize
		}
	})
}

func BenchmarkVectorSet(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var v immutable.Vector[int]
		for i := range mapSize {
			v = v.Append(i)
		}
		i := 0
		for b.Loop() {
			_ = v.Set(i, -i)
			i = (i + 1) % mapSize
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		l := bj.NewList[int]()
		for i := range mapSize {
			l = l.Append(i)
		}
		i := 0
		for b.Loop() {
			_ = l.Set(i, -i)
			i = (i + 1) % mapSize
		}
	})
}

func ludusSortedIntMap() immutable.SortedMap[int, int] {
	var m immutable.SortedMap[int, int]
	for i := range mapSize {
		m = m.Set(i*2, i) // even keys: odd ones are absent
	}
	return m
}

func bjSortedIntMap() *bj.SortedMap[int, int] {
	b := bj.NewSortedMapBuilder[int, int](nil)
	for i := range mapSize {
		b.Set(i*2, i)
	}
	return b.Map()
}

// BenchmarkSortedMapGet: lookups of present keys in a sorted map of
// mapSize int keys.
func BenchmarkSortedMapGet(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		m := ludusSortedIntMap()
		i := 0
		for b.Loop() {
			if _, ok := m.Get(i * 2); !ok {
				b.Fatal("missing")
			}
			i = (i + 1) % mapSize
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		m := bjSortedIntMap()
		i := 0
		for b.Loop() {
			if _, ok := m.Get(i * 2); !ok {
				b.Fatal("missing")
			}
			i = (i + 1) % mapSize
		}
	})
}

// BenchmarkSortedMapSet: overwrite (even keys) and insert (odd keys) on a
// sorted map of mapSize keys; each result is discarded.
func BenchmarkSortedMapSet(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		m := ludusSortedIntMap()
		i := 0
		for b.Loop() {
			_ = m.Set(i, -i)
			i = (i + 1) % (2 * mapSize)
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		m := bjSortedIntMap()
		i := 0
		for b.Loop() {
			_ = m.Set(i, -i)
			i = (i + 1) % (2 * mapSize)
		}
	})
}

// BenchmarkSortedMapDelete: delete a present key; each result is
// discarded.
func BenchmarkSortedMapDelete(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		m := ludusSortedIntMap()
		i := 0
		for b.Loop() {
			_ = m.Delete(i * 2)
			i = (i + 1) % mapSize
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		m := bjSortedIntMap()
		i := 0
		for b.Loop() {
			_ = m.Delete(i * 2)
			i = (i + 1) % mapSize
		}
	})
}

// BenchmarkSortedMapIterate: one pass over all mapSize keys in order.
func BenchmarkSortedMapIterate(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		m := ludusSortedIntMap()
		for b.Loop() {
			sum := 0
			for _, v := range m.All() {
				sum += v
			}
			if sum != mapSize*(mapSize-1)/2 {
				b.Fatal("wrong sum")
			}
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		m := bjSortedIntMap()
		for b.Loop() {
			sum := 0
			for it := m.Iterator(); !it.Done(); {
				_, v, _ := it.Next()
				sum += v
			}
			if sum != mapSize*(mapSize-1)/2 {
				b.Fatal("wrong sum")
			}
		}
	})
}

// BenchmarkVectorPrepend: prepends to the previous version; restarts every
// 2*mapSize elements.
func BenchmarkVectorPrepend(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var v immutable.Vector[int]
		for b.Loop() {
			v = v.Prepend(1)
			if v.Len() == 2*mapSize {
				v = immutable.Vector[int]{}
			}
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		l := bj.NewList[int]()
		for b.Loop() {
			l = l.Prepend(1)
			if l.Len() == 2*mapSize {
				l = bj.NewList[int]()
			}
		}
	})
}

// BenchmarkVectorSlice: a slice of the middle half of a vector of mapSize
// elements, then one read from it.
func BenchmarkVectorSlice(b *testing.B) {
	b.Run("ludus", func(b *testing.B) {
		var v immutable.Vector[int]
		for i := range mapSize {
			v = v.Append(i)
		}
		i := 0
		for b.Loop() {
			s := v.Slice(i%100, mapSize/2+i%100)
			if s.At(0) != i%100 {
				b.Fatal("wrong")
			}
			i++
		}
	})
	b.Run("benbjohnson", func(b *testing.B) {
		l := bj.NewList[int]()
		for i := range mapSize {
			l = l.Append(i)
		}
		i := 0
		for b.Loop() {
			s := l.Slice(i%100, mapSize/2+i%100)
			if s.Get(0) != i%100 {
				b.Fatal("wrong")
			}
			i++
		}
	})
}
