package check

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/labludus/ludus/check/sync"
)

// With a preemption bound, DPOR approximates the coverage of plain DFS with
// the same bound: bounded POR with Coons et al.'s conservative backtrack
// points (OOPSLA 2013, as dejafu implements them) but without their proof,
// so a few outcomes reachable within the bound can be missed (about 3% on
// these programs; an unbounded or Exhaustive search misses none, see
// TestDPORMatchesDFS). The test guards that approximation.
func TestBoundedDPORCoversBoundedDFS(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	total, missed := 0, 0
	defer func() {
		t.Logf("missed %d of %d outcomes", missed, total)
		if missed*20 > total {
			t.Errorf("bounded DPOR missed %d of %d outcomes of bounded DFS (more than 5%%)", missed, total)
		}
	}()
	n := 60
	if testing.Short() || raceEnabled {
		n = 12
	}
	for i := 0; i < n; i++ {
		type op struct{ kind, v int }
		prog := make([][]op, 2+rng.IntN(2))
		for g := range prog {
			for range 1 + rng.IntN(3) {
				prog[g] = append(prog[g], op{rng.IntN(3), rng.IntN(2)})
			}
		}
		body := func(seen map[string]bool) func(*T) {
			return func(t *T) {
				vars := []*Var[int]{NewVar("x", 0), NewVar("y", 0)}
				var mu sync.Mutex
				obs := make([][]int, len(prog))
				for g, ops := range prog {
					t.Go(fmt.Sprint(g), func() {
						for k, o := range ops {
							switch o.kind {
							case 0:
								obs[g] = append(obs[g], vars[o.v].Load())
							case 1:
								vars[o.v].Store(10*g + k)
							case 2:
								mu.Lock()
								vars[o.v].Store(vars[o.v].Load() + 1)
								mu.Unlock()
							}
						}
					})
				}
				t.Wait()
				seen[fmt.Sprint(obs, vars[0].Load(), vars[1].Load())] = true
			}
		}
		for bound := 0; bound <= 2; bound++ {
			opts := func(reduce bool) []Option {
				o := []Option{MaxPreemptions(bound), DetectDataRaces(false), MaxExecutions(1 << 20)}
				if !reduce {
					o = append(o, NoReduction())
				}
				return o
			}
			dfs, dpor := map[string]bool{}, map[string]bool{}
			if r := Run(body(dfs), opts(false)...); r.Failure != nil || r.Err != nil || r.Limit != NoLimit {
				t.Fatalf("DFS: %+v", r)
			}
			if r := Run(body(dpor), opts(true)...); r.Failure != nil || r.Err != nil || r.Limit != NoLimit {
				t.Fatalf("DPOR: %+v", r)
			}
			total += len(dfs)
			for k := range dfs {
				if !dpor[k] {
					missed++
				}
			}
		}
	}
}
