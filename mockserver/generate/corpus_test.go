package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/spec"
)

// corpusDir is the corpus of real descriptions: $MOCKSERVER_CORPUS, else
// shared/corpus beside the repository.
func corpusDir() string {
	if d := os.Getenv("MOCKSERVER_CORPUS"); d != "" {
		return d
	}
	for _, d := range []string{filepath.Join("..", "..", "..", "shared", "corpus")} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

var yamlRoot = regexp.MustCompile(`(?m)^["']?(openapi|swagger)["']?\s*:`)

// rootKind returns "openapi" or "swagger" when file is a root description.
func rootKind(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if strings.HasSuffix(path, ".json") {
		dec := json.NewDecoder(bytes.NewReader(data))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return ""
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return ""
			}
			key, _ := tok.(string)
			if key == "openapi" || key == "swagger" {
				return key
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return ""
			}
		}
		return ""
	}
	if m := yamlRoot.FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return ""
}

func findRoots(dir string) []string {
	var roots []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
			if rootKind(p) != "" {
				roots = append(roots, p)
			}
		}
		return nil
	})
	sort.Strings(roots)
	return roots
}

// loadDoc loads a description the way the server does (repairs and Swagger 2.0 conversion
// included).
func loadDoc(path string) (*openapi3.T, error) {
	d, err := spec.LoadFile(context.Background(), path, spec.Options{SkipValidation: true})
	if err != nil {
		return nil, err
	}
	return d.Doc, nil
}

func isJSONMedia(mt string) bool {
	mt = strings.ToLower(strings.TrimSpace(strings.SplitN(mt, ";", 2)[0]))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// target is one schema to generate: an operation's response (or request) body.
type target struct {
	name   string
	schema *openapi3.SchemaRef
	dir    Direction
}

// targets lists every JSON response (and request) body schema of doc in a
// stable order.
func targets(doc *openapi3.T, withRequests bool) []target {
	var out []target
	if doc.Paths == nil {
		return nil
	}
	paths := doc.Paths.Map()
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, p := range keys {
		item := paths[p]
		if item == nil {
			continue
		}
		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, m := range methods {
			op := ops[m]
			if op == nil {
				continue
			}
			if op.Responses != nil {
				rs := op.Responses.Map()
				codes := make([]string, 0, len(rs))
				for c := range rs {
					codes = append(codes, c)
				}
				sort.Strings(codes)
				for _, code := range codes {
					r := rs[code]
					if r == nil || r.Value == nil {
						continue
					}
					for _, mt := range sortedContent(r.Value.Content) {
						media := r.Value.Content[mt]
						if !isJSONMedia(mt) || media == nil || media.Schema == nil || media.Schema.Value == nil {
							continue
						}
						out = append(out, target{name: m + " " + p + " " + code + " " + mt, schema: media.Schema, dir: Response})
					}
				}
			}
			if withRequests && op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range sortedContent(op.RequestBody.Value.Content) {
					media := op.RequestBody.Value.Content[mt]
					if !isJSONMedia(mt) || media == nil || media.Schema == nil || media.Schema.Value == nil {
						continue
					}
					out = append(out, target{name: m + " " + p + " request " + mt, schema: media.Schema, dir: Request})
				}
			}
		}
	}
	return out
}

func sortedContent(c openapi3.Content) []string {
	ks := make([]string, 0, len(c))
	for k := range c {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// validationOptions are the options the mock server validates with.
func validationOptions(doc *openapi3.T, dir Direction) []openapi3.SchemaValidationOption {
	opts := []openapi3.SchemaValidationOption{
		openapi3.EnableFormatValidation(),
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
		openapi3.WithStringFormatValidator("email", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)),
		openapi3.WithStringFormatValidator("ipv4", openapi3.NewIPValidator(true)),
		openapi3.WithStringFormatValidator("ipv6", openapi3.NewIPValidator(false)),
	}
	if dir == Request {
		opts = append(opts, openapi3.VisitAsRequest())
	} else {
		opts = append(opts, openapi3.VisitAsResponse())
	}
	if is31(doc) {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return opts
}

func is31(doc *openapi3.T) bool {
	return doc != nil && strings.HasPrefix(doc.OpenAPI, "3.1")
}

// validate checks v against s the way the mock server would: kin's VisitJSON
// on a JSON round trip of the value.
func validate(s *openapi3.SchemaRef, v any, opts []openapi3.SchemaValidationOption) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var back any
	if err := json.Unmarshal(data, &back); err != nil {
		return err
	}
	return s.Value.VisitJSON(back, opts...)
}

// raceSample bounds the distinct schemas checked per file under -race.
const raceSample = 200

type corpusResult struct {
	file          string
	loadErr       error
	pass, fail    int
	reqPass       int
	reqFail       int
	sampled       int
	targets       int
	distinct      int
	reasons       []string
	genTime       time.Duration
	loadTime      time.Duration
	valTime       time.Duration
	slowest       time.Duration
	slowestTarget string
	// slow are the slowest responses to generate with warm caches.
	slow []slowTarget
}

// slowTarget is one response body timed with warm caches.
type slowTarget struct {
	name string
	per  time.Duration // fastest of several runs, per body
	size int           // bytes of JSON
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	dir := corpusDir()
	if dir == "" {
		t.Skip("corpus not found: set MOCKSERVER_CORPUS or provide shared/corpus beside the repository")
	}
	roots := findRoots(dir)
	if len(roots) == 0 {
		t.Skipf("no OpenAPI/Swagger descriptions under %s", dir)
	}
	seeds := 3
	if testing.Short() {
		seeds = 1
	}
	var mu sync.Mutex
	var results []corpusResult
	t.Run("files", func(t *testing.T) {
		for _, root := range roots {
			rel, _ := filepath.Rel(dir, root)
			t.Run(rel, func(t *testing.T) {
				t.Parallel()
				res := runCorpusFile(t, root, rel, seeds)
				mu.Lock()
				results = append(results, res)
				mu.Unlock()
			})
		}
	})
	sort.Slice(results, func(i, j int) bool { return results[i].file < results[j].file })
	totalPass, totalFail := 0, 0
	for _, r := range results {
		if r.loadErr != nil {
			t.Logf("%-70s SKIPPED (load failed: %.160s)", r.file, r.loadErr)
			continue
		}
		t.Logf("%-60s targets %5d (%5d distinct schemas, %d sampled out): values valid: responses %5d/%-5d requests %4d/%-4d; load %v gen %v validate %v (slowest %v %s)", r.file, r.targets, r.distinct, r.sampled, r.pass, r.pass+r.fail, r.reqPass, r.reqPass+r.reqFail, r.loadTime.Round(time.Millisecond), r.genTime.Round(time.Millisecond), r.valTime.Round(time.Millisecond), r.slowest.Round(time.Microsecond), r.slowestTarget)
		for _, st := range r.slow {
			t.Logf("    slow %9v %8d B  %s", st.per.Round(100*time.Nanosecond), st.size, st.name)
		}
		for _, reason := range r.reasons {
			t.Logf("    FAIL %s", reason)
		}
		totalPass += r.pass + r.reqPass
		totalFail += r.fail + r.reqFail
	}
	t.Logf("corpus total: %d passed, %d failed", totalPass, totalFail)
	if totalFail > 0 {
		t.Errorf("%d generated values did not validate", totalFail)
	}
}

func runCorpusFile(t *testing.T, path, rel string, seeds int) corpusResult {
	res := corpusResult{file: rel}
	loadStart := time.Now()
	var doc *openapi3.T
	var err error
	if sharedDocs[rel] {
		doc, err = cachedDoc(path, rel)
	} else {
		doc, err = loadDoc(path)
	}
	res.loadTime = time.Since(loadStart)
	if err != nil {
		res.loadErr = err
		return res
	}
	g := New(Options{OpenAPIVersion: doc.OpenAPI})
	ts := targets(doc, true)
	optsResp := validationOptions(doc, Response)
	optsReq := validationOptions(doc, Request)
	// The JSON Schema 2020-12 validator recompiles the schema on every call;
	// for 3.1 documents validate every target with the first seed and only
	// a sample with the others to keep the run time reasonable.
	heavy := is31(doc)
	// A schema shared by many operations (Stripe's error response, for
	// instance) is generated with every seed for its first occurrences
	// only; later occurrences get one seed.
	//
	// Under -race (kin's loader and validator run about ten times slower)
	// every file is still covered, but only distinct schemas, at most
	// raceSample of them evenly spread, one seed each (three for every
	// tenth).
	seen := map[*openapi3.Schema]int{}
	distinct := 0
	for _, tg := range ts {
		if seen[tg.schema.Value] == 0 {
			distinct++
		}
		seen[tg.schema.Value]++
	}
	clear(seen)
	res.targets, res.distinct = len(ts), distinct
	stride := 1
	if raceEnabled && distinct > raceSample {
		stride = (distinct + raceSample - 1) / raceSample
	}
	k := 0
	for i, tg := range ts {
		seen[tg.schema.Value]++
		occ := seen[tg.schema.Value]
		if raceEnabled {
			if occ > 1 {
				res.sampled++
				continue
			}
			k++
			if (k-1)%stride != 0 {
				res.sampled++
				continue
			}
		}
		for s := 1; s <= seeds; s++ {
			if heavy && s > 1 && i%5 != 0 {
				continue
			}
			if occ > 3 && s > 1 {
				continue
			}
			if raceEnabled && s > 1 && k%10 != 1 {
				continue
			}
			seed := Seed("corpus", rel, tg.name, strconv.Itoa(s))
			start := time.Now()
			v := g.Value(tg.schema, seed, tg.dir)
			el := time.Since(start)
			res.genTime += el
			if el > res.slowest {
				res.slowest, res.slowestTarget = el, tg.name
			}
			opts := optsResp
			if tg.dir == Request {
				opts = optsReq
			}
			valStart := time.Now()
			err := validate(tg.schema, v, opts)
			res.valTime += time.Since(valStart)
			if err != nil {
				if tg.dir == Request {
					res.reqFail++
				} else {
					res.fail++
				}
				if len(res.reasons) < 12 {
					msg := err.Error()
					if len(msg) > 600 {
						msg = msg[:600] + "..."
					}
					res.reasons = append(res.reasons, tg.name+" seed "+strconv.Itoa(s)+": "+strings.ReplaceAll(msg, "\n", " | "))
				}
				continue
			}
			if tg.dir == Request {
				res.reqPass++
			} else {
				res.pass++
			}
		}
	}
	if !raceEnabled && !testing.Short() {
		res.slow = slowestResponses(g, rel, ts, slowReported)
	}
	return res
}

// slowReported is how many of the slowest responses per file are logged.
const slowReported = 5

// slowestResponses times every distinct response schema of a file once with
// warm caches (the generator has already seen it), then re-times the
// slowest few and returns the top k, slowest first. The times are logged,
// never asserted on: they depend on the machine and on what else runs.
func slowestResponses(g *Generator, rel string, ts []target, k int) []slowTarget {
	type key struct {
		s   *openapi3.Schema
		dir Direction
	}
	seen := map[key]bool{}
	var all []slowTarget
	idx := map[string]target{}
	for _, tg := range ts {
		if tg.dir != Response || seen[key{tg.schema.Value, tg.dir}] {
			continue
		}
		seen[key{tg.schema.Value, tg.dir}] = true
		seed := Seed("corpus", rel, tg.name, "1")
		start := time.Now()
		_ = g.Value(tg.schema, seed, tg.dir)
		all = append(all, slowTarget{name: tg.name, per: time.Since(start)})
		idx[tg.name] = tg
	}
	sort.Slice(all, func(i, j int) bool { return all[i].per > all[j].per })
	if len(all) > 3*k {
		all = all[:3*k]
	}
	for i := range all {
		tg := idx[all[i].name]
		seed := Seed("corpus", rel, tg.name, "1")
		best := time.Duration(1<<63 - 1)
		var v any
		for run := 0; run < 7; run++ {
			start := time.Now()
			v = g.Value(tg.schema, seed, tg.dir)
			if el := time.Since(start); el < best {
				best = el
			}
		}
		data, _ := json.Marshal(v)
		all[i].per, all[i].size = best, len(data)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].per > all[j].per })
	if len(all) > k {
		all = all[:k]
	}
	return all
}
