package lab

import "testing"

func TestConcurrencyModelsEventLoop(t *testing.T) {
	w := cmWorkload{accounts: 8, workers: 3, transfers: 2000, seed: 5}
	o, err := cmEventLoop(w)
	if err != nil {
		t.Fatal(err)
	}
	if p := w.cmCorrect(o); p != "" {
		t.Fatalf("event loop: %s", p)
	}
	if o.applied == 0 || o.refused == 0 {
		t.Errorf("applied %d, refused %d: the workload should exercise both", o.applied, o.refused)
	}
}
