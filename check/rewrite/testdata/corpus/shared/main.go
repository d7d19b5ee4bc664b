// Command shared exercises the shared-memory forms the rewriter
// instruments: package-level variables, captured and address-taken locals,
// x++, x += n, &x.f, pointers, slices, arrays, maps (index, assign, delete,
// len, range, clear), composite literals, named results read by deferred
// closures, struct fields reached through pointers.
package main

import (
	"fmt"
	"sort"
	"sync"
)

var (
	hits   int
	names  = map[string]int{"a": 1}
	grid   [3]int
	events []string
	mu     sync.Mutex
)

type node struct {
	val  int
	next *node
	tags map[string]bool
	arr  [2]int
}

func (n node) sum() int   { return n.val + n.arr[0] + n.arr[1] }
func (n *node) bump()     { n.val++ }
func (n *node) add(k int) { n.val += k }

func named() (err error, n int) {
	defer func() {
		if err != nil {
			n = -1
		}
	}()
	return fmt.Errorf("named result"), 3
}

func incr(p *int) { *p++ }

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			hits++
			hits += 2
			names["b"]++
			events = append(events, "e")
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Println("hits", hits, "b", names["b"], "events", len(events))

	x := 1
	p := &x
	*p += 4
	incr(&x)
	fmt.Println("through a pointer:", x, *p)

	n := &node{val: 1, tags: map[string]bool{}}
	n.next = &node{val: 2}
	n.next.next = &node{val: 3}
	n.next.next.val *= 10
	n.bump()
	n.add(5)
	n.tags["x"] = true
	delete(n.tags, "y")
	pf := &n.next.val
	*pf = 20
	n.arr[1] = 4
	fmt.Println("chain:", n.val, n.next.val, n.next.next.val, len(n.tags), n.sum())

	var local node
	local.bump()
	local.arr[0] = 2
	f := local.sum
	fmt.Println("method value on an address-taken local:", f())

	grid[1] = 5
	g := grid[:]
	g[2] = 6
	fmt.Println("array and slice:", grid, len(g))

	s := []int{3, 1, 2}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	s[0], s[2] = s[2], s[0]
	fmt.Println("swapped:", s)

	m := map[string][]int{"k": {1}}
	m["k"] = append(m["k"], 2)
	m["k"][0] = 9
	v, ok := m["k"]
	keys := 0
	for range m {
		keys++
	}
	fmt.Println("map of slices:", v, ok, keys, len(m))
	clear(m)
	fmt.Println("cleared:", len(m))

	lit := []node{{val: x}, {val: hits, arr: [2]int{x, hits}}}
	pl := &lit[1]
	pl.val++
	fmt.Println("composite literal:", lit[0].val, lit[1].val, lit[1].arr)

	err, k := named()
	fmt.Println("named results:", err, k)

	counter := 0
	inc := func() { counter++ }
	inc()
	inc()
	fmt.Println("captured:", counter)

	arr := [3]int{1, 2, 3}
	sl := arr[:]
	sl[0] = 10
	fmt.Println("sliced local array:", arr[0])

	type pair struct{ a, b int }
	pp := pair{1, 2}
	q := &pp
	q.a, q.b = q.b, q.a
	fmt.Println("swap through a pointer:", pp)
}
