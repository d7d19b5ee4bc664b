package linear_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

// Queue is the README's concurrent type under test: a slice behind a
// mutex.
type Queue[V any] struct {
	mu    sync.Mutex
	items []V
}

// NewQueue returns an empty queue.
func NewQueue[V any]() *Queue[V] { return &Queue[V]{} }

// Enqueue adds v at the back.
func (q *Queue[V]) Enqueue(v V) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(q.items, v)
}

// Dequeue removes the front item; false when the queue is empty.
func (q *Queue[V]) Dequeue() (V, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var zero V
	if len(q.items) == 0 {
		return zero, false
	}
	v := q.items[0]
	q.items = q.items[1:]
	return v, true
}

// TestQueue is the README's stress test, as it is there.
func TestQueue(t *testing.T) {
	linear.Stress(t, models.Queue[int](), NewQueue[int],
		models.QueueOps((*Queue[int]).Enqueue, (*Queue[int]).Dequeue,
			func(r *rand.Rand) int { return r.IntN(10) }),
		linear.StressConfig{})
}

// The README's check of a recorded history: a get that misses a put that
// had returned before it began.
func Example_readme() {
	history := []linear.Operation[models.KVInput, models.KVOutput]{
		{Client: 0, Input: models.KVInput{Op: models.KVPut, Key: "x", Value: "1"}, Call: 0, Return: 1},
		{Client: 1, Input: models.KVInput{Op: models.KVGet, Key: "x"}, Output: models.KVOutput{Value: ""}, Call: 2, Return: 3},
	}
	res := linear.Check(models.KV(), history, linear.Timeout(10*time.Second))
	fmt.Print(linear.Explain(models.KV(), history, res))
	// Output:
	// not linearizable
	// part 0: the longest linearizable prefix places 1 of 2 operations, leaving state "1"; then none of these fits:
	//   * get("x") -> "" (client 1, called at 2)
}
