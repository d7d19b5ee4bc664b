// Package testforms is tested with every use of testing.T the rewriter
// redirects to the runtime.
package testforms

import "sync"

// Cache is a map guarded by a mutex.
type Cache struct {
	mu sync.Mutex
	m  map[string]int
}

// Put stores v under k.
func (c *Cache) Put(k string, v int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[k] = v
}

// Get returns the value under k.
func (c *Cache) Get(k string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}
