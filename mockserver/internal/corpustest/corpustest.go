// Package corpustest finds the shared corpus of real-world API descriptions that tests and
// benchmarks read (it is never copied into the repository).
package corpustest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Env names the variable that overrides where the corpus is.
const Env = "MOCKSERVER_CORPUS"

// Dir returns the corpus directory: $MOCKSERVER_CORPUS, else ../shared/corpus beside the
// repository (the directory holding go.mod). It skips the test, saying why, when there is none.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv(Env)
	if dir == "" {
		dir = filepath.Join(repoRoot(), "..", "shared", "corpus")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		tb.Skipf("corpus not found at %s: set %s to the corpus directory", dir, Env)
	}
	return dir
}

// repoRoot walks up from the working directory (a package directory, under go test) to the
// directory holding go.mod.
func repoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// rootDoc tells a root description from the files it refers to: it says which version of
// OpenAPI or Swagger it is.
var rootDoc = regexp.MustCompile(`(?m)^(openapi|swagger)\s*:|"(openapi|swagger)"\s*:\s*"`)

// Roots lists the root descriptions of the corpus (Dir), sorted; it skips as Dir does.
func Roots(tb testing.TB) []string {
	tb.Helper()
	var out []string
	err := filepath.WalkDir(Dir(tb), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
		default:
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rootDoc.Match(data) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(out)
	return out
}
