package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Decoding a large JSON description is most of start-up. kin-openapi's UnmarshalJSON methods
// decode their input twice (into the struct, and into a map for the extensions) after checking
// it, and encoding/json checks and skips every value it hands to one: the text of a schema is
// read again at every level it is nested in. So the whole document is also decoded as generic
// maps at the top, then again for the components, and the paths once more after a round trip
// through json.Marshal.
//
// loadJSON decodes the same document with the same methods from the entries down: every path
// item, component and webhook is handed to kin-openapi's own UnmarshalJSON, with the text
// encoding/json would hand it, less its insignificant whitespace (fewer bytes to read again at
// every level), and these (with the top-level extensions) are decoded in parallel. Only the
// small rest of the document and of its components goes through kin-openapi's T and Components
// decoding, and kin-openapi's loader then resolves the $refs as it does after its own decoding.
// GitHub's description (13 MB) decodes in a third of the time on two cores, Stripe's in half.

// isJSON reports whether data is written as JSON (rather than YAML).
func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// loadJSON loads an OpenAPI 3 description written as JSON, as loader.LoadFromDataWithPath does.
// decoded is false when it did not decode data: the caller then loads it with
// LoadFromDataWithPath, for kin-openapi's error (or a document kin-openapi reads after all).
// Once data is decoded, the error is kin-openapi's, from resolving the $refs.
func loadJSON(loader *openapi3.Loader, data []byte, location *url.URL) (doc *openapi3.T, decoded bool, err error) {
	top, err := objectMembers(data)
	if err != nil {
		return nil, false, err
	}
	// encoding/json matches keys to fields without regard to case, and picks among keys that
	// differ only in case: such a document is left to kin-openapi.
	if foldedKeys(top, "paths", "components", "webhooks") {
		return nil, false, errors.New("top-level keys differ only in case")
	}
	var jobs decodeJobs
	// The top-level extensions (GitHub's x-webhooks is a megabyte) are decoded with the rest
	// of the jobs, into the generic values T.UnmarshalJSON keeps in Extensions.
	var extKeys []string
	for k := range top {
		if strings.HasPrefix(k, "x-") {
			extKeys = append(extKeys, k)
		}
	}
	ext := make([]any, len(extKeys))
	for i, k := range extKeys {
		jobs.add(top[k], func(r []byte) error { return json.Unmarshal(r, &ext[i]) })
		delete(top, k)
	}
	var paths *openapi3.Paths
	if raw := top["paths"]; raw != nil && !isNull(raw) {
		if paths, err = splitPaths(&jobs, raw); err != nil {
			return nil, false, err
		}
	}
	var components *openapi3.Components
	if raw := top["components"]; raw != nil && !isNull(raw) {
		if components, err = splitComponents(&jobs, raw); err != nil {
			return nil, false, err
		}
	}
	var webhooks map[string]*openapi3.PathItem
	if raw := top["webhooks"]; raw != nil {
		if err := splitMap(&jobs, raw, &webhooks); err != nil {
			return nil, false, err
		}
	}
	if err := jobs.run(); err != nil {
		return nil, false, err
	}

	// The rest (openapi, info, servers, tags, security …) goes through the loader, which then
	// knows the document and its location as after LoadFromDataWithPath; with neither paths
	// nor components, it has no $ref to resolve yet.
	delete(top, "paths")
	delete(top, "components")
	delete(top, "webhooks")
	rest, err := json.Marshal(top)
	if err != nil {
		return nil, false, err
	}
	// The loader reads as YAML what it cannot decode as JSON: that is left to it too, whole.
	if err := json.Unmarshal(rest, &openapi3.T{}); err != nil {
		return nil, false, err
	}
	doc, err = loader.LoadFromDataWithPath(rest, location)
	if err != nil {
		return nil, false, err
	}
	doc.Paths, doc.Components, doc.Webhooks = paths, components, webhooks
	for i, k := range extKeys {
		if doc.Extensions == nil {
			doc.Extensions = make(map[string]any, len(extKeys))
		}
		doc.Extensions[k] = ext[i]
	}
	if err := loader.ResolveRefsIn(doc, location); err != nil {
		return nil, true, err
	}
	return doc, true, nil
}

// splitComponents decodes the small part of a Components object (its extensions) with
// kin-openapi's Components.UnmarshalJSON, and adds a job per named component.
func splitComponents(jobs *decodeJobs, raw []byte) (*openapi3.Components, error) {
	sections, err := objectMembers(raw)
	if err != nil {
		return nil, err
	}
	c := &openapi3.Components{}
	split := map[string]func([]byte) error{
		"schemas":         func(r []byte) error { return splitMap(jobs, r, &c.Schemas) },
		"parameters":      func(r []byte) error { return splitMap(jobs, r, &c.Parameters) },
		"headers":         func(r []byte) error { return splitMap(jobs, r, &c.Headers) },
		"requestBodies":   func(r []byte) error { return splitMap(jobs, r, &c.RequestBodies) },
		"responses":       func(r []byte) error { return splitMap(jobs, r, &c.Responses) },
		"securitySchemes": func(r []byte) error { return splitMap(jobs, r, &c.SecuritySchemes) },
		"examples":        func(r []byte) error { return splitMap(jobs, r, &c.Examples) },
		"links":           func(r []byte) error { return splitMap(jobs, r, &c.Links) },
		"callbacks":       func(r []byte) error { return splitMap(jobs, r, &c.Callbacks) },
	}
	if foldedKeys(sections, slices.Collect(maps.Keys(split))...) {
		return nil, errors.New("components keys differ only in case")
	}
	rest := map[string]json.RawMessage{}
	for k, r := range sections {
		if split[k] == nil {
			rest[k] = r
		}
	}
	text, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(text, c); err != nil {
		return nil, err
	}
	for k, r := range sections {
		if f := split[k]; f != nil {
			if err := f(r); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

// splitMap adds a job per entry of a JSON object to be decoded into *dst, a map of pointers:
// each entry is decoded as encoding/json decodes a map's element (null gives a nil pointer).
func splitMap[M ~map[string]*V, V any](jobs *decodeJobs, raw []byte, dst *M) error {
	if isNull(raw) {
		return nil
	}
	var keys []string
	var raws [][]byte
	err := eachMember(raw, func(k string, r []byte) error {
		keys, raws = append(keys, k), append(raws, r)
		return nil
	})
	if err != nil {
		return err
	}
	vals := make([]*V, len(keys))
	for i, r := range raws {
		jobs.add(r, func(r []byte) error { return json.Unmarshal(r, &vals[i]) })
	}
	// The map is filled once the jobs have run, in document order (the last of two equal
	// keys wins, as with encoding/json).
	m := make(M, len(keys))
	*dst = m
	jobs.then(func() {
		for i, k := range keys {
			m[k] = vals[i]
		}
	})
	return nil
}

// splitPaths prepares the decoding of a Paths object as Paths.UnmarshalJSON does it: x-
// entries are extensions, the others path items. Path items are decoded from their own text
// (kin-openapi decodes them from their re-encoding, which gives the same values).
func splitPaths(jobs *decodeJobs, raw []byte) (*openapi3.Paths, error) {
	paths := openapi3.NewPaths()
	paths.Extensions = map[string]any{}
	var keys []string
	var items []*openapi3.PathItem
	err := eachMember(raw, func(k string, r []byte) error {
		if strings.HasPrefix(k, "x-") {
			var v any
			if err := json.Unmarshal(r, &v); err != nil {
				return err
			}
			paths.Extensions[k] = v
			return nil
		}
		item := &openapi3.PathItem{}
		keys, items = append(keys, k), append(items, item)
		jobs.add(r, item.UnmarshalJSON)
		return nil
	})
	if err != nil {
		return nil, err
	}
	jobs.then(func() {
		for i, k := range keys {
			paths.Set(k, items[i])
		}
	})
	return paths, nil
}

// decodeJobs are decodings that can run in parallel, and what to do once they all have.
type decodeJobs struct {
	list []decodeJob
	done []func()
}

type decodeJob struct {
	raw    []byte
	decode func([]byte) error
}

func (j *decodeJobs) add(raw []byte, decode func([]byte) error) {
	j.list = append(j.list, decodeJob{raw, decode})
}

func (j *decodeJobs) then(f func()) { j.done = append(j.done, f) }

// run runs the jobs on GOMAXPROCS goroutines, the largest first so that none is left alone at
// the end, and returns the first error. Each job's text is compacted first.
func (j *decodeJobs) run() error {
	slices.SortStableFunc(j.list, func(a, b decodeJob) int { return len(b.raw) - len(a.raw) })
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(j.list) {
					return
				}
				job := j.list[i]
				var buf bytes.Buffer
				buf.Grow(len(job.raw))
				err := json.Compact(&buf, job.raw)
				if err == nil {
					err = job.decode(buf.Bytes())
				}
				if err != nil {
					errs[w] = err
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, f := range j.done {
		f()
	}
	return nil
}

// objectMembers returns the members of a JSON object (the last of two equal keys wins). The
// value a later key replaces is checked here, as nothing decodes it later.
func objectMembers(data []byte) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	err := eachMember(data, func(k string, v []byte) error {
		if old, dup := m[k]; dup && !json.Valid(old) {
			return errors.New("malformed JSON value")
		}
		m[k] = v
		return nil
	})
	return m, err
}

// eachMember calls f with the key and the text of each member of the JSON object data, in
// order. It checks the object's own syntax only: a value is checked when it is decoded.
func eachMember(data []byte, f func(key string, value []byte) error) error {
	errSyntax := errors.New("malformed JSON object")
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errSyntax
	}
	i = skipJSONSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			if i >= len(data) || data[i] != '"' {
				return errSyntax
			}
			end := stringEnd(data, i)
			if end < 0 {
				return errSyntax
			}
			key, err := unquoteKey(data[i:end])
			if err != nil {
				return err
			}
			i = skipJSONSpace(data, end)
			if i >= len(data) || data[i] != ':' {
				return errSyntax
			}
			i = skipJSONSpace(data, i+1)
			end = valueEnd(data, i)
			if end <= i {
				return errSyntax
			}
			if err := f(key, data[i:end]); err != nil {
				return err
			}
			i = skipJSONSpace(data, end)
			if i < len(data) && data[i] == ',' {
				i = skipJSONSpace(data, i+1)
				continue
			}
			if i >= len(data) || data[i] != '}' {
				return errSyntax
			}
			i++
			break
		}
	}
	if skipJSONSpace(data, i) != len(data) {
		return errSyntax
	}
	return nil
}

// unquoteKey decodes a JSON string (quotes included) as encoding/json does.
func unquoteKey(s []byte) (string, error) {
	inner := s[1 : len(s)-1]
	plain := utf8.Valid(inner)
	for _, c := range inner {
		if c == '\\' || c < ' ' {
			plain = false
			break
		}
	}
	if plain {
		return string(inner), nil
	}
	var k string
	err := json.Unmarshal(s, &k)
	return k, err
}

// valueEnd returns the index just past the JSON value starting at i, -1 when it is cut short.
// Only strings and nesting are followed: the value itself is checked when it is decoded.
func valueEnd(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				if i = stringEnd(data, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ']' && !isJSONSpace(data[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at i, -1 when it is not closed.
func stringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) && isJSONSpace(data[i]) {
		i++
	}
	return i
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// foldedKeys reports whether two keys of m, or a key of m and one of names, differ but are
// equal without regard to case.
func foldedKeys(m map[string]json.RawMessage, names ...string) bool {
	keys := slices.AppendSeq(slices.Clone(names), maps.Keys(m))
	for i, a := range keys {
		for _, b := range keys[i+1:] {
			if a != b && strings.EqualFold(a, b) {
				return true
			}
		}
	}
	return false
}

func isNull(raw []byte) bool { return bytes.Equal(raw, []byte("null")) }
