package linear_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/models"
)

func TestWriteHTML(t *testing.T) {
	h := []regOp{write(0, 1, 0, 1), read(1, 1, 2, 3), read(2, 2, 4, 5), write(3, 9, 4, linear.Pending)}
	res := linear.Check(models.Register(0), h)
	var buf bytes.Buffer
	if err := linear.WriteHTML(&buf, models.Register(0), h, res); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{"<!DOCTYPE html>", "not linearizable", `"k":"stuck"`, "read() -\\u003e 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "src=") {
		t.Error("page fetches something")
	}
}

// TestWriteHTMLSize checks that the page grows linearly: twice the history,
// about twice the page.
func TestWriteHTMLSize(t *testing.T) {
	size := func(n int) int {
		var h []regOp
		for i := range n {
			h = append(h, write(i%5, i, int64(2*i), int64(2*i+1)), read(i%5, i, int64(2*i+1), int64(2*i+2)))
		}
		var buf bytes.Buffer
		if err := linear.WriteHTML(&buf, models.Register(0), h, linear.Check(models.Register(0), h)); err != nil {
			t.Fatal(err)
		}
		return buf.Len()
	}
	a, b := size(500), size(1000)
	if per := (b - a) / 1000; per > 300 {
		t.Fatalf("%d bytes per operation", per)
	}
	if float64(b) > 2.2*float64(a) {
		t.Fatalf("500 ops: %d bytes, 1000 ops: %d bytes: not linear", a, b)
	}
}
