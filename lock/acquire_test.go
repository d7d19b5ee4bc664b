package lock

import "testing"

func TestConstantNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{writeAccess.String(), "write"}, {readAccess.String(), "read"}, {accessMode(0).String(), "accessMode(0)"},
		{unbounded.String(), "unbounded"}, {bounded.String(), "bounded"}, {waitBound(3).String(), "waitBound(3)"},
		{reportAtOnce.String(), "report at once"}, {reportIfStuck.String(), "report if stuck"},
		{recursionReport(9).String(), "recursionReport(9)"},
		{Cycle.String(), "lock-order cycle"}, {Recursive.String(), "recursive locking"}, {LongWait.String(), "long wait"},
		{Kind(0).String(), "Kind(0)"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
