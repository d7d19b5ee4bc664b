package immutable

// Builder builds a Map from many updates at a lower cost than as many calls
// to Map.Set: it modifies in place the nodes it has already copied (a
// "transient", as in Clojure), so a batch of n updates allocates about one
// copy of each touched node instead of one path per update. Map returns the
// result; the Builder can go on afterwards without affecting it.
//
// The zero Builder starts from an empty map. A Builder is not safe for
// concurrent use; the Maps it returns are.
type Builder[K comparable, V any] struct {
	m    Map[K, V]
	edit *token
}

// NewBuilder returns a Builder that starts from m. m itself never changes.
func NewBuilder[K comparable, V any](m Map[K, V]) *Builder[K, V] {
	return &Builder[K, V]{m: m}
}

func (b *Builder[K, V]) token() *token {
	if b.edit == nil {
		b.edit = new(token)
	}
	return b.edit
}

// Set sets k to v.
func (b *Builder[K, V]) Set(k K, v V) {
	if b.m.root == nil {
		b.m.init()
	}
	root, added := b.m.root.set(b.token(), 0, b.m.hash(k), k, v, b.m.h)
	b.m.root = root
	if added {
		b.m.size++
	}
}

// Delete removes k, if present.
func (b *Builder[K, V]) Delete(k K) {
	if b.m.root == nil {
		return
	}
	root, removed := b.m.root.del(b.token(), 0, b.m.hash(k), k)
	if !removed {
		return
	}
	b.m.root = root
	b.m.size--
	if b.m.size == 0 {
		b.m.root = nil
	}
}

// Get returns the value stored under k, and whether there was one.
func (b *Builder[K, V]) Get(k K) (V, bool) { return b.m.Get(k) }

// Len returns the number of keys.
func (b *Builder[K, V]) Len() int { return b.m.size }

// Map returns the map built so far. Later updates through the Builder copy
// the nodes they touch again, so the returned Map never changes.
func (b *Builder[K, V]) Map() Map[K, V] {
	b.edit = nil // freeze: the next update starts a new generation of owned nodes
	return b.m
}
