package web

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/labludus/ludus/lab"
)

// Options configure a Server. The zero value serves the lab's built-in
// experiments to loopback clients.
type Options struct {
	// Experiments are the experiments the lab serves, in the order of the
	// guide; nil means lab.Builtin().
	Experiments []lab.Experiment
	// Quick makes runs short (lab --quick) unless a run's request says
	// otherwise.
	Quick bool
	// Timeout bounds each experiment of a run; zero means the lab's
	// default (two minutes). Negative is an error.
	Timeout time.Duration
	// SessionTTL is how long a playground session lives without a
	// request; zero means 30 minutes. Negative is an error.
	SessionTTL time.Duration
	// MaxSessions bounds the playground sessions alive at once (the least
	// recently used goes first, and the log says so); zero means 256.
	// Negative is an error.
	MaxSessions int
	// AnyHost accepts requests for any Host. By default only loopback
	// names and addresses are accepted (localhost, 127.0.0.1, [::1]), which
	// stops a web page from reaching the lab through DNS rebinding; set it
	// when serving on a non-loopback address.
	AnyHost bool
	// Log receives what the server does not tell a client (a run
	// cancelled because its client went away, a session dropped for a new
	// one); nil means standard error, prefixed "ludus web: ".
	Log *log.Logger
	// PlainCheck runs "ludus check" for the lab's claims about plain Go
	// (lab.Options.PlainCheck); nil leaves them inconclusive.
	PlainCheck lab.PlainChecker
}

// Defaults, documented on Options.
const (
	defaultSessionTTL  = 30 * time.Minute
	defaultMaxSessions = 256
	// maxBody bounds the body of every request: the API's requests are a
	// few hundred bytes of JSON.
	maxBody = 64 << 10
)

//go:embed static
var staticFiles embed.FS

// Server serves the lab in the browser: the index of experiments, runs
// streamed as server-sent events, the pictures, and the playground. It is
// an http.Handler; Close ends what it started.
type Server struct {
	opts     Options
	exps     []lab.Experiment
	handler  http.Handler
	runs     *runner
	sessions *sessions
	driver   driver // the playground's engine
	log      *log.Logger

	closeOnce sync.Once
}

// New returns a Server for opts, or an error for an option out of range.
func New(opts Options) (*Server, error) {
	switch {
	case opts.Timeout < 0:
		return nil, fmt.Errorf("web: negative Timeout %v", opts.Timeout)
	case opts.SessionTTL < 0:
		return nil, fmt.Errorf("web: negative SessionTTL %v", opts.SessionTTL)
	case opts.MaxSessions < 0:
		return nil, fmt.Errorf("web: negative MaxSessions %d", opts.MaxSessions)
	}
	s := &Server{opts: opts, exps: opts.Experiments, log: opts.Log, driver: checkDriver{}}
	if s.exps == nil {
		s.exps = lab.Builtin()
	}
	if s.log == nil {
		s.log = log.New(os.Stderr, "ludus web: ", log.LstdFlags)
	}
	ttl := opts.SessionTTL
	if ttl <= 0 {
		ttl = defaultSessionTTL
	}
	maxSessions := opts.MaxSessions
	if maxSessions <= 0 {
		maxSessions = defaultMaxSessions
	}
	s.runs = newRunner(s.exps, opts.Quick, opts.Timeout)
	s.runs.plainCheck = opts.PlainCheck
	s.sessions = newSessions(ttl, maxSessions, time.Now)
	s.sessions.evicted = func(n int) {
		s.log.Printf("%d playground sessions alive, the most allowed (Options.MaxSessions): the least recently used was dropped", n)
	}
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close cancels the run in progress, waits for it to stop, and ends every
// playground session. Requests after Close are refused.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.runs.close()
		s.sessions.close()
	})
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			http.ServeFileFS(w, r, static, name)
		}
	}
	mux.HandleFunc("GET /{$}", page("index.html"))
	mux.HandleFunc("GET /experiments/{id}", page("experiment.html"))
	mux.HandleFunc("GET /playground", page("playground.html"))
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))

	mux.HandleFunc("GET /api/experiments", s.handleExperiments)
	mux.HandleFunc("GET /api/experiments/{id}", s.handleExperiment)
	mux.HandleFunc("GET /api/experiments/{id}/pictures/{n}", s.handlePictureSVG)
	mux.HandleFunc("GET /api/experiments/{id}/claims/{n}/history", s.handleHistory)
	mux.HandleFunc("GET /api/report", s.handleReport)
	mux.HandleFunc("GET /api/run", s.handleRunStatus)
	mux.HandleFunc("POST /api/run", s.handleRunStart)
	mux.HandleFunc("GET /api/run/events", s.handleRunWatch)

	mux.HandleFunc("GET /api/playground/scenarios", s.handleScenarios)
	mux.HandleFunc("POST /api/playground/sessions", s.handleSessionNew)
	mux.HandleFunc("GET /api/playground/sessions/{id}", s.handleSessionGet)
	mux.HandleFunc("POST /api/playground/sessions/{id}/{action}", s.handleSessionAction)

	var h http.Handler = mux
	h = http.NewCrossOriginProtection().Handler(h)
	h = s.guard(h)
	return h
}

// guard applies what every request gets: the Host check, the body bound
// and the security headers.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.opts.AnyHost && !loopbackHost(r.Host) {
			writeError(w, http.StatusForbidden, fmt.Errorf("host %q is not a loopback name: the lab answers only localhost, 127.0.0.1 and [::1] (start it with an explicit --addr to serve other names)", r.Host))
			return
		}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if h.Get("Content-Security-Policy") == "" {
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names this machine's
// loopback interface.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// apiError is the JSON body of every error response.
type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away: nothing to tell it
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, apiError{Error: err.Error()})
}

// readJSON decodes a request body into v: JSON only, no unknown fields,
// nothing after the value, at most maxBody bytes. An empty body leaves v
// as it is.
func readJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q: the API takes application/json", ct)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fmt.Errorf("%w (%d bytes at most)", errTooLarge, tooBig.Limit)
		}
		return fmt.Errorf("request body: %w", err)
	}
	if dec.More() {
		return errors.New("request body: more than one JSON value")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("request body: data after the JSON value")
	}
	return nil
}

// errTooLarge is wrapped by readJSON's error for a body over maxBody.
var errTooLarge = errors.New("request body too large")

// statusOf is the HTTP status of a request error: 413 for a body over the
// bound, 400 otherwise.
func statusOf(err error) int {
	if errors.Is(err, errTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}
