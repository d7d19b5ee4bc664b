package rewrite

import (
	"go/ast"
	"go/types"
	"strings"
)

// externals are the functions and methods, by types.Func.FullName, that
// block for an unknown time in code the rewriter does not control: child
// processes, the network, files, pipes, readers. A call of one is marked
// with ludus_rt.Enter/Exit so that while it blocks the checker lets other
// goroutines run and virtual time pass. (Unmarked blocking is caught by the
// runtime's watchdog: marking is about precision, not soundness.)
var externals = setOf(
	"(*os/exec.Cmd).Run", "(*os/exec.Cmd).Wait", "(*os/exec.Cmd).Output", "(*os/exec.Cmd).CombinedOutput",
	"(*os.Process).Wait", "(*os.File).Read", "(*os.File).ReadAt",
	"net.Dial", "net.DialTimeout", "net.DialTCP", "net.DialUDP", "net.DialUnix", "net.DialIP",
	"(*net.Dialer).Dial", "(*net.Dialer).DialContext",
	"net.LookupHost", "net.LookupIP", "net.LookupAddr", "net.LookupPort",
	"(net.Listener).Accept", "(*net.TCPListener).Accept", "(*net.TCPListener).AcceptTCP",
	"(*net.UnixListener).Accept", "(*net.UnixListener).AcceptUnix",
	"(net.Conn).Read", "(net.Conn).Write", "(net.PacketConn).ReadFrom", "(net.PacketConn).WriteTo",
	"(*net.TCPConn).Read", "(*net.TCPConn).Write", "(*net.TCPConn).ReadFrom",
	"(*net.UDPConn).Read", "(*net.UDPConn).Write", "(*net.UDPConn).ReadFrom", "(*net.UDPConn).ReadFromUDP", "(*net.UDPConn).WriteTo",
	"(*net.UnixConn).Read", "(*net.UnixConn).Write",
	"net/http.Get", "net/http.Post", "net/http.Head", "net/http.PostForm",
	"net/http.ListenAndServe", "net/http.ListenAndServeTLS", "net/http.Serve", "net/http.ServeTLS",
	"(*net/http.Client).Do", "(*net/http.Client).Get", "(*net/http.Client).Post", "(*net/http.Client).Head", "(*net/http.Client).PostForm",
	"(*net/http.Server).ListenAndServe", "(*net/http.Server).ListenAndServeTLS", "(*net/http.Server).Serve",
	"(*net/http.Server).ServeTLS", "(*net/http.Server).Shutdown",
	"io.ReadAll", "io.Copy", "io.CopyN", "io.CopyBuffer", "io.ReadFull", "io.ReadAtLeast",
	"(io.Reader).Read", "(io.Writer).Write", "(*io.PipeReader).Read", "(*io.PipeWriter).Write",
	"(*bufio.Reader).Read", "(*bufio.Reader).ReadByte", "(*bufio.Reader).ReadRune", "(*bufio.Reader).ReadString",
	"(*bufio.Reader).ReadLine", "(*bufio.Reader).ReadBytes", "(*bufio.Reader).ReadSlice", "(*bufio.Reader).Peek",
	"(*bufio.Reader).WriteTo", "(*bufio.Scanner).Scan", "(*bufio.Writer).Flush", "(*bufio.Writer).ReadFrom",
	"fmt.Scan", "fmt.Scanln", "fmt.Scanf", "fmt.Fscan", "fmt.Fscanln", "fmt.Fscanf",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// external reports whether call may block outside the checker, and the
// name the trace shows for it ("exec.(*Cmd).Wait").
func (r *fileRewriter) external(call *ast.CallExpr) (string, bool) {
	var fn *types.Func
	switch f := unparen(call.Fun).(type) {
	case *ast.Ident:
		fn, _ = r.info.Uses[f].(*types.Func)
	case *ast.SelectorExpr:
		fn, _ = r.info.Uses[f.Sel].(*types.Func)
	}
	if fn == nil || fn.Pkg() == nil {
		return "", false
	}
	full := fn.FullName()
	sig := fn.Type().(*types.Signature)
	if !externals[full] && !(fn.Pkg().Path() == "syscall" && sig.Recv() == nil) {
		return "", false
	}
	return shortName(full, fn.Pkg()), true
}

// shortName turns "(*os/exec.Cmd).Wait" into "exec.(*Cmd).Wait".
func shortName(full string, pkg *types.Package) string {
	path := pkg.Path()
	if i := strings.Index(full, path+"."); i >= 0 {
		prefix := full[:i]
		rest := full[i+len(path)+1:]
		switch prefix {
		case "":
			return pkg.Name() + "." + rest
		case "(":
			return pkg.Name() + "." + strings.Replace(rest, ")", "", 1)
		}
		return pkg.Name() + "." + prefix + rest
	}
	return full
}
