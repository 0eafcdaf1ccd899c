package route

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mockserver/mockserver/mockserver/internal/corpustest"
)

func corpusDir(tb testing.TB) string { return corpustest.Dir(tb) }

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// specLoader reads descriptions with yaml.v3 (JSON is YAML) and follows
// path-item $refs into other files.
type specLoader struct {
	docs map[string]*yaml.Node
}

func (l *specLoader) load(file string) (*yaml.Node, error) {
	if n, ok := l.docs[file]; ok {
		return n, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if l.docs == nil {
		l.docs = make(map[string]*yaml.Node)
	}
	l.docs[file] = root
	return root, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func mapGet(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// resolve follows a $ref (relative file path and optional #/json/pointer)
// from a node of file.
func (l *specLoader) resolve(file, ref string) (string, *yaml.Node, error) {
	target, pointer, _ := strings.Cut(ref, "#")
	if target != "" {
		file = filepath.Join(filepath.Dir(file), target)
	}
	n, err := l.load(file)
	if err != nil {
		return "", nil, err
	}
	if pointer != "" {
		if p, err := url.PathUnescape(pointer); err == nil {
			pointer = p
		}
		for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			switch n = deref(n); n.Kind {
			case yaml.MappingNode:
				n = mapGet(n, tok)
			case yaml.SequenceNode:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(n.Content) {
					return "", nil, fmt.Errorf("bad pointer %q", ref)
				}
				n = n.Content[i]
			default:
				n = nil
			}
			if n == nil {
				return "", nil, fmt.Errorf("pointer %q not found in %s", ref, file)
			}
		}
	}
	return file, deref(n), nil
}

// operations returns the entries of a root description, or ok=false for a
// file without a top-level openapi or swagger key.
func (l *specLoader) operations(file string) (entries []Entry, ok bool, err error) {
	root, err := l.load(file)
	if err != nil {
		return nil, false, err
	}
	if mapGet(root, "openapi") == nil && mapGet(root, "swagger") == nil {
		return nil, false, nil
	}
	paths := mapGet(root, "paths")
	if paths == nil || paths.Kind != yaml.MappingNode {
		return nil, true, nil
	}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		tmpl := paths.Content[i].Value
		if strings.HasPrefix(tmpl, "x-") {
			continue
		}
		item := deref(paths.Content[i+1])
		items := []*yaml.Node{item}
		from := file
		for hops := 0; hops < 10; hops++ {
			ref := mapGet(item, "$ref")
			if ref == nil {
				break
			}
			from, item, err = l.resolve(from, ref.Value)
			if err != nil {
				return nil, true, fmt.Errorf("path %s: %w", tmpl, err)
			}
			items = append(items, item)
		}
		seen := map[string]bool{}
		for _, it := range items {
			for _, m := range httpMethods {
				if mapGet(it, m) != nil && !seen[m] {
					seen[m] = true
					entries = append(entries, Entry{Method: strings.ToUpper(m), Template: tmpl, Value: len(entries)})
				}
			}
		}
	}
	return entries, true, nil
}

// corpusFiles lists the candidate description files under dir.
func corpusFiles(tb testing.TB, dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
		default:
			return nil
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// mightBeRoot is a cheap filter before parsing: a root description has an
// "openapi" or "swagger" key somewhere in its text.
func mightBeRoot(file string) bool {
	b, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	return bytes.Contains(b, []byte("openapi")) || bytes.Contains(b, []byte("swagger"))
}

var paramRE = regexp.MustCompile(`\{[^}]*\}`)

// concrete substitutes the k-th parameter of tmpl with "zz9v<k>", a value no
// literal sibling uses, and returns the expected Params.
func concrete(tmpl string) (string, []Param) {
	var want []Param
	u := paramRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		v := "zz9v" + strconv.Itoa(len(want))
		want = append(want, Param{Name: m[1 : len(m)-1], Value: v})
		return v
	})
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	return u, want
}

// templateRE matches the concrete (raw) URLs a template stands for.
func templateRE(tmpl string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	if !strings.HasPrefix(tmpl, "/") {
		b.WriteString("/")
	}
	last := 0
	for _, loc := range paramRE.FindAllStringIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:loc[0]]))
		b.WriteString("[^/]+")
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

type corpusCounts struct {
	ops, exact, shadowed, misrouted, panics, rejected int
}

// TestCorpus routes a concrete URL for every operation of every description
// in the corpus and checks it reaches that operation.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	var l specLoader
	var total corpusCounts
	files := 0
	for _, file := range corpusFiles(t, dir) {
		if !mightBeRoot(file) {
			continue
		}
		entries, ok, err := l.operations(file)
		rel, _ := filepath.Rel(dir, file)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if !ok {
			continue
		}
		files++
		c := routeCorpusFile(t, rel, entries)
		t.Logf("%-90s ops %4d  exact %4d  shadowed %d  misrouted %d  panics %d  rejected %d",
			rel, c.ops, c.exact, c.shadowed, c.misrouted, c.panics, c.rejected)
		total.ops += c.ops
		total.exact += c.exact
		total.shadowed += c.shadowed
		total.misrouted += c.misrouted
		total.panics += c.panics
		total.rejected += c.rejected
	}
	t.Logf("TOTAL %d descriptions: ops %d  exact %d  shadowed %d  misrouted %d  panics %d  rejected %d",
		files, total.ops, total.exact, total.shadowed, total.misrouted, total.panics, total.rejected)
	if files == 0 {
		t.Errorf("no descriptions found under %s", dir)
	}
}

func routeCorpusFile(t *testing.T, rel string, entries []Entry) (c corpusCounts) {
	c.ops = len(entries)
	r, err := New(entries)
	if err != nil {
		// Every corpus description is expected to be routable as a whole.
		t.Errorf("%s: New: %v", rel, err)
		c.rejected = strings.Count(err.Error(), "\n") + 1
	}
	for _, e := range entries {
		if res := checkOperation(t, rel, r, entries, e); res < 0 {
			c.misrouted++
		} else if res == 0 {
			c.exact++
		} else {
			c.shadowed++
		}
		// Near misses must not panic and must agree with the plain scan.
		raw, _ := concrete(e.Template)
		for _, miss := range []string{raw + "/zz9extra", raw + "/", strings.TrimSuffix(raw, "/") + "x"} {
			got, panicked := safeMatch(r, e.Method, miss)
			if panicked != nil {
				c.panics++
				t.Errorf("%s: Match(%s, %q) panicked: %v", rel, e.Method, miss, panicked)
			} else if slow := r.matchSlow(e.Method, miss); !reflect.DeepEqual(got, slow) {
				c.misrouted++
				t.Errorf("%s: Match(%s, %q) = %+v, scan = %+v", rel, e.Method, miss, got, slow)
			}
		}
	}
	return c
}

// checkOperation matches the concrete URL of e and reports 0 when it reaches
// e, 1 when an as specific template with the same method legitimately serves
// it, and -1 (after reporting the error) for anything else.
func checkOperation(t *testing.T, rel string, r *Router, entries []Entry, e Entry) int {
	raw, want := concrete(e.Template)
	// The raw form, and the form a Go client sends (URL.EscapedPath, which
	// escapes '#', '?', non-ASCII, ...), must both route here.
	escaped := (&url.URL{Path: raw}).EscapedPath()
	result := 0
	for _, path := range []string{raw, escaped} {
		got, panicked := safeMatch(r, e.Method, path)
		switch {
		case panicked != nil:
			t.Errorf("%s: Match(%s, %q) panicked: %v", rel, e.Method, path, panicked)
			return -1
		case got.Status != 0:
			t.Errorf("%s: %s %s: Match(%q) = %+v", rel, e.Method, e.Template, path, got)
			return -1
		case got.Value == e.Value:
			// Adjacent parameters ("{a}{b}") have no single split.
			if !strings.Contains(e.Template, "}{") && !reflect.DeepEqual(got.Params, want) {
				t.Errorf("%s: %s %s: Match(%q) params %q, want %q", rel, e.Method, e.Template, path, got.Params, want)
				return -1
			}
		default:
			// Another template is legitimately at least as specific for
			// this URL only if it matches the URL and has the method.
			other := entries[got.Value]
			if other.Method != e.Method || !templateRE(other.Template).MatchString(raw) {
				t.Errorf("%s: %s %s: Match(%q) routed to %s %s", rel, e.Method, e.Template, path, other.Method, other.Template)
				return -1
			}
			t.Logf("%s: %s %s: %q is served by the as specific %s", rel, e.Method, e.Template, path, other.Template)
			result = 1
		}
		if slow := r.matchSlow(e.Method, path); !reflect.DeepEqual(slow, got) {
			t.Errorf("%s: Match(%s, %q) = %+v, scan = %+v", rel, e.Method, path, got, slow)
			return -1
		}
	}
	return result
}

func safeMatch(r *Router, method, path string) (res Result, panicked any) {
	defer func() { panicked = recover() }()
	return r.Match(method, path), nil
}

// BenchmarkMatch matches a mix of concrete URLs: every operation of GitHub's
// description (from the corpus) and of a small petstore-like description.
func BenchmarkMatch(b *testing.B) {
	b.Run("petstore", func(b *testing.B) {
		entries := []Entry{
			{"PUT", "/pet", 0}, {"POST", "/pet", 1}, {"GET", "/pet/findByStatus", 2},
			{"GET", "/pet/findByTags", 3}, {"GET", "/pet/{petId}", 4}, {"POST", "/pet/{petId}", 5},
			{"DELETE", "/pet/{petId}", 6}, {"POST", "/pet/{petId}/uploadImage", 7},
			{"GET", "/store/inventory", 8}, {"POST", "/store/order", 9},
			{"GET", "/store/order/{orderId}", 10}, {"DELETE", "/store/order/{orderId}", 11},
			{"POST", "/user", 12}, {"POST", "/user/createWithList", 13}, {"GET", "/user/login", 14},
			{"GET", "/user/logout", 15}, {"GET", "/user/{username}", 16}, {"PUT", "/user/{username}", 17},
			{"DELETE", "/user/{username}", 18},
		}
		benchEntries(b, entries)
	})
	b.Run("github", func(b *testing.B) {
		var l specLoader
		entries, _, err := l.operations(filepath.Join(corpusDir(b), "github-api.github.com.json"))
		if err != nil {
			b.Fatal(err)
		}
		benchEntries(b, entries)
	})
	b.Run("github-404", func(b *testing.B) {
		var l specLoader
		entries, _, err := l.operations(filepath.Join(corpusDir(b), "github-api.github.com.json"))
		if err != nil {
			b.Fatal(err)
		}
		r, err := New(entries)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if res := r.Match("GET", "/repos/octo/hello/nothing/here"); res.Status != 404 {
				b.Fatal(res)
			}
		}
	})
}

func benchEntries(b *testing.B, entries []Entry) {
	r, err := New(entries)
	if err != nil {
		b.Fatal(err)
	}
	type req struct {
		method, path string
		value        int
	}
	var reqs []req
	for _, e := range entries {
		raw, _ := concrete(e.Template)
		reqs = append(reqs, req{e.Method, raw, e.Value})
	}
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	i := 0
	for b.Loop() {
		q := reqs[i]
		if res := r.Match(q.method, q.path); res.Status != 0 || res.Value != q.value {
			b.Fatalf("%s %s: %+v", q.method, q.path, res)
		}
		i++
		if i == len(reqs) {
			i = 0
		}
	}
	runtime.ReadMemStats(&after)
	// The mix has routes that allocate nothing and routes that allocate
	// once; allocs/op is rounded down to an integer, so report the mean too.
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N), "avg-allocs/op")
}
