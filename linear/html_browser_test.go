package linear_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/labludus/ludus/linear"
	"github.com/labludus/ludus/linear/formats"
	"github.com/labludus/ludus/linear/models"
)

// chromium is the browser the view test drives: $LUDUS_CHROMIUM, or
// Debian's chromium on the PATH.
func chromium() string {
	if p := os.Getenv("LUDUS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// headless starts headless Chromium with a fresh profile, off the network,
// with a window of the given size.
func headless(t *testing.T, width, height int) context.Context {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("headless Chromium is not installed: install Debian's package chromium (apt-get install -y chromium) to run the view test")
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height))
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser and ties it to ctx, which must
	// have no deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	if err := browse(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// browse runs steps within a minute.
func browse(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// measure runs a script that returns a number.
func measure(t *testing.T, ctx context.Context, script string) float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](script))
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return v
}

// viewChecks are what a failure's page must show at 1280 px: each script
// returns a count that must be zero.
var viewChecks = []struct{ what, script string }{
	{"the page scrolls sideways", `Math.max(0, document.documentElement.scrollWidth - innerWidth)`},
	{"the picture scrolls sideways", `(a => Math.max(0, a.scrollWidth - a.clientWidth))(document.getElementById("axis"))`},
	{"labels cut off", `[...document.querySelectorAll(".op")].filter(d => d.scrollWidth > d.clientWidth + 1 || d.scrollHeight > d.clientHeight + 1).length`},
	{"the operation that cannot be linearized is not in view", `[...document.querySelectorAll(".op.stuck")].filter(d => { const r = d.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; }).length === 1 ? 0 : 1`},
	{"no part of the longest prefix is in view", `document.querySelectorAll(".op.prefix").length > 0 ? 0 : 1`},
	{"the failure is not explained", `(f => !f.hidden && f.textContent.includes("None of the operations that could come next fits") ? 0 : 1)(document.getElementById("failure"))`},
	{"the page does not say how to read it", `document.querySelectorAll(".how").length >= 2 && document.body.textContent.includes("How to read this picture") ? 0 : 1`},
	{"bars overlap", `[...document.querySelectorAll(".row")].map(row => {
		const r = [...row.querySelectorAll(".op")].map(d => d.getBoundingClientRect());
		let n = 0;
		for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++)
			if (r[i].left < r[j].right - 1 && r[j].left < r[i].right - 1 && r[i].top < r[j].bottom - 1 && r[j].top < r[i].bottom - 1) n++;
		return n;
	}).reduce((a, b) => a + b, 0)`},
}

// TestViewInChromium opens the pages of failing histories in headless
// Chromium at 1280 px and checks that the failure is shown whole: no
// sideways scrolling, the stuck operation and the prefix in view, no label
// cut off, no bar hiding another, and the explanation on the page. It
// keeps a screenshot of each.
func TestViewInChromium(t *testing.T) {
	ctx := headless(t, 1280, 900)
	dir := t.TempDir()
	if d := os.Getenv("LUDUS_LINEAR_SCREENSHOTS"); d != "" {
		dir = d
	}
	pages := map[string]func() []byte{
		"etcd_000": func() []byte {
			h := readEtcd(t, "etcd_000.log")
			return page(t, formats.EtcdModel(), h)
		},
		"kv-c50-bad": func() []byte {
			h := readKV(t, "c50-bad.txt")
			return page(t, models.KV(), h)
		},
		"register-small": func() []byte {
			h := []regOp{write(0, 1, 0, 1), read(1, 1, 2, 3), read(2, 2, 4, 5), write(3, 9, 4, linear.Pending)}
			return page(t, models.Register(0), h)
		},
	}
	for name, build := range pages {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, name+".html")
			if err := os.WriteFile(file, build(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := browse(ctx, chromedp.Navigate("file://"+file), chromedp.WaitReady("#axis")); err != nil {
				t.Fatal(err)
			}
			for _, c := range viewChecks {
				if n := measure(t, ctx, c.script); n != 0 {
					t.Errorf("%s: %v", c.what, n)
				}
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(shot))
			if err != nil || img.Bounds().Dx() != 1280 {
				t.Fatalf("screenshot: %v, %v", err, img.Bounds())
			}
			if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s", name, filepath.Join(dir, name+".png"))
		})
	}
}

// page checks h with m and returns its page.
func page[S, I, O any](t *testing.T, m linear.Model[S, I, O], h []linear.Operation[I, O]) []byte {
	t.Helper()
	res := linear.Check(m, h)
	if res.Verdict != linear.NotLinearizable {
		t.Fatalf("want a failing history, got %v", res)
	}
	var buf bytes.Buffer
	if err := linear.WriteHTML(&buf, m, h, res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readEtcd(t *testing.T, name string) []formats.EtcdOperation {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "porcupine", "jepsen", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := formats.ParseJepsenEtcd(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func readKV(t *testing.T, name string) []formats.KVOperation {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "porcupine", "kv", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := formats.ParsePorcupineKV(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
