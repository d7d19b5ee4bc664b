package lockfree

import "testing"

func TestStackOrder(t *testing.T) {
	var s Stack[int]
	if _, ok := s.Pop(); ok {
		t.Fatal("Pop on an empty stack succeeded")
	}
	if _, ok := s.Peek(); ok {
		t.Fatal("Peek on an empty stack succeeded")
	}
	for i := range 10 {
		s.Push(i)
	}
	if v, _ := s.Peek(); v != 9 {
		t.Fatalf("Peek = %d, want 9", v)
	}
	for i := 9; i >= 0; i-- {
		if v, ok := s.Pop(); !ok || v != i {
			t.Fatalf("Pop = %d, %v; want %d", v, ok, i)
		}
	}
	if !s.Empty() {
		t.Fatal("stack not empty")
	}
}

func TestQueueOrder(t *testing.T) {
	var q Queue[string]
	if !q.Empty() {
		t.Fatal("zero queue not empty")
	}
	if _, ok := q.Dequeue(); ok {
		t.Fatal("Dequeue on an empty queue succeeded")
	}
	for _, s := range []string{"a", "b", "c"} {
		q.Enqueue(s)
	}
	for _, want := range []string{"a", "b", "c"} {
		if v, ok := q.Dequeue(); !ok || v != want {
			t.Fatalf("Dequeue = %q, %v; want %q", v, ok, want)
		}
	}
	if _, ok := q.Dequeue(); ok || !q.Empty() {
		t.Fatal("queue not empty after draining")
	}
}

func TestCounterZero(t *testing.T) {
	var c Counter
	if c.Load() != 0 {
		t.Fatal("zero Counter not at zero")
	}
	c.Add(5)
	c.Dec()
	c.Inc()
	c.Add(-10)
	if c.Load() != -5 {
		t.Fatalf("Load = %d, want -5", c.Load())
	}
	// Forcing the striped path keeps the total.
	c.grow()
	c.Add(7)
	if c.Load() != 2 {
		t.Fatalf("Load after striping = %d, want 2", c.Load())
	}
}
