package rewrite

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	ludus "github.com/labludus/ludus"
)

// ModulePath is the module the runtime belongs to.
const ModulePath = "github.com/labludus/ludus"

// runtimeSource is the embedded runtime source: the files of the module a
// build needs, keyed by slash path, and the module's go version.
type runtimeSource struct {
	files     map[string][]byte
	goVersion string // "1.26.0"
}

// loadRuntimeSource reads the runtime's non-test Go and assembly files
// (testdata excluded) and the go line from src.
func loadRuntimeSource(src fs.FS) (*runtimeSource, error) {
	rs := &runtimeSource{files: map[string][]byte{}}
	mod, err := fs.ReadFile(src, "go.mod")
	if err != nil {
		return nil, fmt.Errorf("runtime source: %w", err)
	}
	mf, err := modfile.ParseLax("go.mod", mod, nil)
	if err != nil || mf.Go == nil {
		return nil, fmt.Errorf("runtime source: go.mod has no go line (%v)", err)
	}
	rs.goVersion = mf.Go.Version
	err = fs.WalkDir(src, "check", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" {
				return fs.SkipDir
			}
			return nil
		}
		if !runtimeFile(p) {
			return nil
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		rs.files[p] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("runtime source: %w", err)
	}
	if len(rs.files) == 0 {
		return nil, errors.New("runtime source: no files")
	}
	return rs, nil
}

// runtimeFile reports whether the file at slash path p belongs in the
// unpacked runtime: non-test Go and assembly files, not the rewriter.
func runtimeFile(p string) bool {
	if strings.HasPrefix(p, "check/rewrite/") {
		return false
	}
	name := path.Base(p)
	switch {
	case strings.HasSuffix(name, "_test.go"):
		return false
	case strings.HasSuffix(name, ".go"), strings.HasSuffix(name, ".s"), strings.HasSuffix(name, ".h"):
		return true
	}
	return false
}

// hash identifies the source, for the unpacked directory's name.
func (rs *runtimeSource) hash() string {
	names := make([]string, 0, len(rs.files))
	for n := range rs.files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "go %s\n", rs.goVersion)
	for _, n := range names {
		fmt.Fprintf(h, "%s %d\n", n, len(rs.files[n]))
		h.Write(rs.files[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// goMod is the unpacked module's go.mod: no requirements, so a build needs
// nothing from the network.
func (rs *runtimeSource) goMod() []byte {
	return []byte(fmt.Sprintf("module %s\n\ngo %s\n", ModulePath, rs.goVersion))
}

// unpack writes the runtime under parent/runtime-<hash> unless it is
// already there and returns that directory. Writers race safely: each
// writes a private directory and renames it into place.
func (rs *runtimeSource) unpack(parent string) (string, error) {
	dir := filepath.Join(parent, "runtime-"+rs.hash())
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(parent, "unpack-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // after a successful rename there is nothing left
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), rs.goMod(), 0o644); err != nil {
		return "", err
	}
	for name, b := range rs.files {
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "go.mod")); statErr == nil {
			return dir, nil // another process unpacked it first
		}
		return "", err
	}
	return dir, nil
}

// RuntimeDir unpacks the runtime embedded in this binary into the user's
// cache directory (os.UserCacheDir()/ludus; the temporary directory when
// there is none) once, and returns the module directory, with the runtime's
// go version.
func RuntimeDir() (dir, goVersion string, err error) {
	rs, err := loadRuntimeSource(ludus.CheckRuntime)
	if err != nil {
		return "", "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir, err = rs.unpack(filepath.Join(cache, "ludus"))
	if err != nil {
		return "", "", fmt.Errorf("unpacking the check runtime: %w", err)
	}
	return dir, rs.goVersion, nil
}
