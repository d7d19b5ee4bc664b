// Command external calls code that blocks outside the checker (a child
// process, reads through io.Reader, bufio) and the runtime package's
// scheduler calls.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
)

func read(r io.Reader) string {
	b, err := io.ReadAll(r)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func main() {
	if err := exec.Command("true").Run(); err != nil {
		fmt.Println("true failed:", err)
	}
	out, err := exec.Command("echo", "child").Output()
	fmt.Printf("output %q %v\n", out, err)
	fmt.Println(read(strings.NewReader("all of it")))
	br := bufio.NewReader(strings.NewReader("line one\nline two\n"))
	line, _ := br.ReadString('\n')
	fmt.Printf("%q\n", line)
	var r io.Reader = strings.NewReader("xyz")
	buf := make([]byte, 2)
	n, err := r.Read(buf)
	fmt.Println(n, err, string(buf[:n]))
	sc := bufio.NewScanner(strings.NewReader("a\nb\n"))
	lines := 0
	for sc.Scan() {
		lines++
	}
	fmt.Println("lines", lines)
	runtime.Gosched()
	fmt.Println("goroutines > 0:", runtime.NumGoroutine() > 0)
}
