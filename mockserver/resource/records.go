package resource

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// What the server maintains in a record: its key, its creation and update times, the fields
// its schema requires that the client did not send.

var (
	createdRe = regexp.MustCompile(`^(created|creation|inserted)(_?(at|on|date|time|timestamp))?$`)
	updatedRe = regexp.MustCompile(`^(updated|modified|last_?modified|changed)(_?(at|on|date|time|timestamp))?$`)
)

// timeProp is a record property the server maintains: a creation or update time.
type timeProp struct {
	name    string
	schema  *openapi3.Schema
	created bool // set once, on creation (when the client sent none); else on every write
}

// timeProps finds the maintained times of a record schema, by name: created_at, updatedAt,
// modified, lastModified …
func timeProps(schema *openapi3.SchemaRef) []timeProp {
	if schema == nil || schema.Value == nil {
		return nil
	}
	var out []timeProp
	for name, p := range objectProperties(schema.Value, 0) {
		if p == nil || p.Value == nil {
			continue
		}
		lower := strings.ToLower(name)
		switch {
		case createdRe.MatchString(lower):
			out = append(out, timeProp{name, p.Value, true})
		case updatedRe.MatchString(lower):
			out = append(out, timeProp{name, p.Value, false})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func timeValue(s *openapi3.Schema, t time.Time) any {
	switch {
	case s.Type.Includes("integer") || s.Type.Includes("number"):
		return t.Unix()
	case s.Format == "date":
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// idStyle is how the description's ids look, so that a created record's id looks the same.
type idStyle struct {
	integer bool
	uuid    bool
	prefix  string // what the key's examples share up to and including a "_" or "-" ("cus_")
}

// idStyleOf reads the key property's schema and examples.
func idStyleOf(sh *Shape) idStyle {
	var st idStyle
	if sh.keySch == nil || sh.keySch.Value == nil {
		st.integer = sh.keyParam != nil && sh.keyParam.Value != nil && sh.keyParam.Value.Type.Is("integer")
		return st
	}
	k := sh.keySch.Value
	st.integer = k.Type.Includes("integer") || k.Type.Includes("number") ||
		sh.keyParam != nil && sh.keyParam.Value != nil && sh.keyParam.Value.Type.Is("integer")
	st.uuid = k.Format == "uuid"
	var examples []string
	if s, ok := k.Example.(string); ok {
		examples = append(examples, s)
	}
	if sh.Media != nil {
		if m, ok := sh.Media.Example.(map[string]any); ok {
			if s, ok := m[sh.KeyProperty].(string); ok {
				examples = append(examples, s)
			}
		}
		names := make([]string, 0, len(sh.Media.Examples))
		for n := range sh.Media.Examples {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if e := sh.Media.Examples[n]; e != nil && e.Value != nil {
				if m, ok := e.Value.Value.(map[string]any); ok {
					if s, ok := m[sh.KeyProperty].(string); ok {
						examples = append(examples, s)
					}
				}
			}
		}
	}
	st.prefix = sharedPrefix(examples)
	return st
}

// sharedPrefix is what every example starts with, up to and including its last "_" or "-"
// ("cus_" of "cus_NffrFeUfNV2Hib" and "cus_4QFOF3xrvBT2nU"); "" when they share none.
func sharedPrefix(examples []string) string {
	if len(examples) == 0 {
		return ""
	}
	p := examples[0]
	for _, e := range examples[1:] {
		for !strings.HasPrefix(e, p) {
			p = p[:len(p)-1]
		}
	}
	i := strings.LastIndexAny(p, "_-")
	if i <= 0 || i > 12 {
		return ""
	}
	return p[:i+1]
}

// formatID makes the n-th created id of a collection in the description's style: the next
// integer, a uuid, its examples' prefix with 14 letters and digits, or a short base-36 string.
// h and h2 are hashes naming the id (deterministic from the seed, session and collection).
func (st idStyle) formatID(n int64, h, h2 uint64) string {
	switch {
	case st.integer:
		return strconv.FormatInt(n, 10)
	case st.uuid:
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, (uint16(h2>>48)&0x3fff)|0x8000, h2&0xffffffffffff)
	case st.prefix != "":
		const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		b := []byte(st.prefix)
		for i := 0; i < 14; i++ {
			if i == 7 {
				h = h2
			}
			b = append(b, alphabet[h%62])
			h /= 62
		}
		return string(b)
	}
	return strconv.FormatUint(h, 36)
}

// idKey names a collection in a session.
type idKey struct{ session, resource, scope string }

// Sequences hand out the ids of created records: one counter per collection and session,
// started from what the collection holds, so that a create costs O(1) and concurrent creates
// never collide among themselves. They are runtime state: a reload hands them over. The zero
// value is ready to use.
type Sequences struct {
	// mu guards last.
	mu   sync.Mutex
	last map[idKey]int64
}

// maxSequences bounds the counters kept; past it they start over from the collections.
const maxSequences = 100000

func (q *Sequences) next(k idKey, start func() int64) int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	n, ok := q.last[k]
	if !ok {
		if len(q.last) >= maxSequences || q.last == nil {
			q.last = map[idKey]int64{}
		}
		n = start()
	}
	n++
	q.last[k] = n
	return n
}

// Reset forgets one session's counters ("" and all=true: every session's).
func (q *Sequences) Reset(session string, all bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for k := range q.last {
		if all || k.session == session {
			delete(q.last, k)
		}
	}
}

// TypedID converts a path id to the key property's type (it may still not fit the property).
func (sh *Shape) TypedID(id string) any { return typed(sh.keySch, id) }

// typed converts a path id to schema's type.
func typed(s *openapi3.SchemaRef, id string) any {
	if s == nil || s.Value == nil {
		return id
	}
	switch p := s.Value; {
	case p.Type.Includes("integer") && !p.Type.Includes("string"):
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			return n
		}
	case p.Type.Includes("number") && !p.Type.Includes("string"):
		if f, err := strconv.ParseFloat(id, 64); err == nil {
			return f
		}
	}
	return id
}

// ScalarString is a scalar's text: 7, 7.0 and "7" are all "7". It names records by their key
// (a path says "7" for the record whose id is 7).
func ScalarString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	case bool:
		return strconv.FormatBool(t)
	}
	return fmt.Sprint(v)
}

// mergePatch applies an RFC 7386 JSON merge patch to target, in place: target must be the
// caller's own copy (nested objects are merged in place too). The result may share values
// with patch.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}
