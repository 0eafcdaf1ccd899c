// Package scenario holds the mock server's scenarios: named rules that match
// requests and force their answers, so that a QA engineer can reproduce a
// sequence such as "the image upload answers 429 twice, then succeeds" or
// "503 on the second call only".
//
// A Scenario matches requests (Match) and answers them with its Steps in
// order, one step per matching request. After the last step the scenario is
// exhausted and requests fall through to the next matching scenario, or to
// the mock's ordinary answer, unless the scenario repeats. Progress is counted
// per session: each session (see the state package) replays a scenario from
// its first step.
//
// This package is pure logic: it matches, counts and chooses a step. Serving
// the step (finding the named example, checking that the status is
// documented, delaying, injecting a fault) is the caller's job.
//
// # JSON
//
// Scenario, Match, Step and Delay encode to and decode from JSON with lower
// camel case names, for the control API. Decoding is strict: an unknown key
// is an error, as it is in fixture files. A delay is a number of
// milliseconds (250), a range of milliseconds as a string ("100-300") or an
// object ({"min": 100, "max": 300}); it encodes as the number when fixed and
// as the object otherwise. Numbers in Match.Body decode as json.Number, so
// that large integers compare exactly.
//
// # Sharing
//
// Put copies the scenario it is given and Get and List return copies. The
// Step of a Hit shares its Headers and Body with the Set: treat them as
// read-only.
package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Faults a step can inject instead of, or while, answering.
const (
	FaultNone      = ""          // answer normally
	FaultReset     = "reset"     // close the connection without answering
	FaultEmpty     = "empty"     // answer the status with an empty body
	FaultMalformed = "malformed" // answer a body that is not valid for its media type
	FaultTrickle   = "trickle"   // send the body slowly, a few bytes at a time
)

// Faults lists the known faults other than FaultNone.
var Faults = []string{FaultReset, FaultEmpty, FaultMalformed, FaultTrickle}

// ValidFault reports whether f is FaultNone or one of Faults.
func ValidFault(f string) bool {
	if f == FaultNone {
		return true
	}
	for _, k := range Faults {
		if f == k {
			return true
		}
	}
	return false
}

// Scenario is one named rule.
type Scenario struct {
	Name  string `json:"name"`
	Match Match  `json:"match"`
	// Steps are answered in order, one per matching request; after the last,
	// the scenario is exhausted (falls through) unless Repeat.
	Steps []Step `json:"steps"`
	// Repeat cycles the steps forever.
	Repeat bool `json:"repeat,omitempty"`
	// Times is a shorthand: with one step, answer it Times times. With one
	// step, Times 0 and no Repeat, the step is answered forever. Times
	// requires exactly one step and excludes Repeat.
	Times int `json:"times,omitempty"`
	// Active nil or true: the scenario applies to every matching request;
	// false: only to a request that names it (Prefer: scenario=NAME).
	Active *bool `json:"active,omitempty"`
	// Session "": the scenario applies in every session, each session
	// counting its own progress; otherwise only in that session.
	Session string `json:"session,omitempty"`

	// files is set on a scenario the fixture files define (Set.MarkFiles,
	// Set.Reload), nil on one put at run time (the control API): a reload
	// reads the first kind from the files again and carries the second over.
	// It survives Get and Put, so that switching a file's scenario on or off
	// keeps it one.
	files *fileOrigin
}

// Match selects the requests a scenario applies to. Every field given must
// match; a zero Match matches every request.
type Match struct {
	// Operation is an operationId, or "METHOD /path/template" (method
	// case-insensitive, template exact); "" matches any operation.
	Operation string `json:"operation,omitempty"`
	// Params are path or query parameter values, compared exactly. A name is
	// looked up in the path parameters first, then in the query, where any
	// of its values may match.
	Params map[string]string `json:"params,omitempty"`
	// Headers are header values, compared exactly; names are
	// case-insensitive. Any of a header's values may match.
	Headers map[string]string `json:"headers,omitempty"`
	// Body maps a JSON pointer (RFC 6901, "/avatar/id"; "" is the whole
	// body) to the JSON value expected there. Numbers compare numerically
	// (1 = 1.0), never equal to a string ("7" ≠ 7); objects and arrays
	// compare deeply.
	Body map[string]any `json:"body,omitempty"`
}

// Step is one forced answer.
type Step struct {
	Status  int    `json:"status"`
	Example string `json:"example,omitempty"` // a named example of Status in the description; excludes Body
	Body    any    `json:"body,omitempty"`
	// HasBody is set when a body was given, even null (JSON "body": null).
	HasBody bool              `json:"-"`
	Headers map[string]string `json:"headers,omitempty"`
	Delay   Delay             `json:"delay,omitempty"` // wait before answering
	Fault   string            `json:"fault,omitempty"` // FaultNone or one of Faults
	// Undocumented allows a status the operation does not document.
	Undocumented bool `json:"undocumented,omitempty"`
}

// Delay is a wait, fixed (Min == Max) or picked in [Min, Max].
type Delay struct{ Min, Max time.Duration }

// IsZero reports whether d waits not at all.
func (d Delay) IsZero() bool { return d.Min == 0 && d.Max == 0 }

// Pick returns a duration in [Min, Max] chosen by r: the same r always gives
// the same duration. A caller passes a random or seeded r.
func (d Delay) Pick(r uint64) time.Duration {
	if d.Max <= d.Min {
		return d.Min
	}
	return d.Min + time.Duration(r%(uint64(d.Max-d.Min)+1))
}

// String renders d in milliseconds as JSON's string form does: "250" or
// "100-300".
func (d Delay) String() string {
	if d.Min == d.Max {
		return ms(d.Min)
	}
	return ms(d.Min) + "-" + ms(d.Max)
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

// maxMillis is the longest delay, in milliseconds, that a time.Duration holds.
const maxMillis = float64(math.MaxInt64 / int64(time.Millisecond))

// NewDelay returns the delay from minMS to maxMS milliseconds. Both must be
// finite, non-negative and representable, and minMS ≤ maxMS.
func NewDelay(minMS, maxMS float64) (Delay, error) {
	for _, v := range []float64{minMS, maxMS} {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return Delay{}, fmt.Errorf("delay %v is not a number of milliseconds", v)
		case v < 0:
			return Delay{}, fmt.Errorf("delay %s is negative", strconv.FormatFloat(v, 'g', -1, 64))
		case v > maxMillis:
			return Delay{}, fmt.Errorf("delay %s is too long", strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	if minMS > maxMS {
		return Delay{}, fmt.Errorf("delay minimum %s is above its maximum %s",
			strconv.FormatFloat(minMS, 'g', -1, 64), strconv.FormatFloat(maxMS, 'g', -1, 64))
	}
	toDur := func(v float64) time.Duration { return time.Duration(math.Round(v * float64(time.Millisecond))) }
	return Delay{Min: toDur(minMS), Max: toDur(maxMS)}, nil
}

// ParseDelay parses the string form of a delay: milliseconds ("250") or a
// range of milliseconds ("100-300"). Spaces around the numbers are allowed.
func ParseDelay(s string) (Delay, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	num := func(t string) (float64, bool) {
		t = strings.TrimSpace(t)
		if t == "" || t[0] < '0' || t[0] > '9' { // no sign, no "Inf" or "NaN"
			return 0, false
		}
		v, err := strconv.ParseFloat(t, 64)
		return v, err == nil
	}
	bad := fmt.Errorf(`delay %q is not milliseconds ("250") or a range of milliseconds ("100-300")`, s)
	a, ok := num(lo)
	if !ok {
		return Delay{}, bad
	}
	b := a
	if isRange {
		if b, ok = num(hi); !ok {
			return Delay{}, bad
		}
	}
	return NewDelay(a, b)
}

// MarshalJSON encodes d as a number of milliseconds when fixed, else as
// {"min": MIN, "max": MAX}.
func (d Delay) MarshalJSON() ([]byte, error) {
	if d.Min == d.Max {
		return []byte(ms(d.Min)), nil
	}
	return []byte(`{"min":` + ms(d.Min) + `,"max":` + ms(d.Max) + `}`), nil
}

// UnmarshalJSON decodes 250, "100-300" or {"min": 100, "max": 300}
// (milliseconds); null is no delay.
func (d *Delay) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case string(data) == "null":
		*d = Delay{}
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		v, err := ParseDelay(s)
		if err != nil {
			return err
		}
		*d = v
		return nil
	case len(data) > 0 && data[0] == '{':
		var o struct {
			Min *float64 `json:"min"`
			Max *float64 `json:"max"`
		}
		if err := strict(data, &o); err != nil {
			return fmt.Errorf("delay: %w", err)
		}
		if o.Min == nil || o.Max == nil {
			return errors.New(`delay: want both "min" and "max"`)
		}
		v, err := NewDelay(*o.Min, *o.Max)
		if err != nil {
			return err
		}
		*d = v
		return nil
	}
	var n float64
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf(`delay: want milliseconds, "MIN-MAX" or {"min": MIN, "max": MAX}, got %s`, data)
	}
	v, err := NewDelay(n, n)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// strict decodes data into v, rejecting unknown keys and trailing data.
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// stepJSON is Step's JSON form.
type stepJSON struct {
	Status       int               `json:"status"`
	Example      string            `json:"example,omitempty"`
	Body         json.RawMessage   `json:"body,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	Delay        *Delay            `json:"delay,omitempty"`
	Fault        string            `json:"fault,omitempty"`
	Undocumented bool              `json:"undocumented,omitempty"`
}

// MarshalJSON encodes st, with "body" when HasBody (or Body is not nil) and
// "delay" when not zero.
func (st Step) MarshalJSON() ([]byte, error) {
	j := stepJSON{Status: st.Status, Example: st.Example, Headers: st.Headers, Fault: st.Fault, Undocumented: st.Undocumented}
	if st.HasBody || st.Body != nil {
		b, err := json.Marshal(st.Body)
		if err != nil {
			return nil, err
		}
		j.Body = b
	}
	if !st.Delay.IsZero() {
		j.Delay = &st.Delay
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes st strictly, setting HasBody when "body" is given,
// even as null.
func (st *Step) UnmarshalJSON(data []byte) error {
	var j stepJSON
	if err := strict(data, &j); err != nil {
		return err
	}
	*st = Step{Status: j.Status, Example: j.Example, Headers: j.Headers, Fault: j.Fault, Undocumented: j.Undocumented}
	if j.Delay != nil {
		st.Delay = *j.Delay
	}
	if j.Body != nil {
		st.HasBody = true
		if err := json.Unmarshal(j.Body, &st.Body); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalJSON decodes m strictly, the numbers of Body as json.Number.
func (m *Match) UnmarshalJSON(data []byte) error {
	type plain Match
	var j plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*m = Match(j)
	return nil
}

// UnmarshalJSON decodes sc strictly.
func (sc *Scenario) UnmarshalJSON(data []byte) error {
	type plain Scenario
	var j plain
	if err := strict(data, &j); err != nil {
		return err
	}
	*sc = Scenario(j)
	return nil
}

// ValidName reports whether name can name a scenario: non-empty, made of
// ASCII letters, digits and "-", "_", ".", "~" (URL-safe, so that it fits
// /__mock/scenarios/NAME and Prefer: scenario=NAME unescaped), and neither
// "." nor "..".
func ValidName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~') {
			return false
		}
	}
	return true
}

// Validate checks sc as Put does: a valid name, at least one step, each
// step valid, Times ≥ 0 and only with exactly one step and no Repeat, and
// Match valid.
func (sc Scenario) Validate() error {
	if !ValidName(sc.Name) {
		if sc.Name == "" {
			return errors.New("scenario: empty name")
		}
		return fmt.Errorf(`scenario %q: a name is made of letters, digits, "-", "_", "." and "~"`, sc.Name)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("scenario %s: %s", sc.Name, fmt.Sprintf(format, args...))
	}
	if len(sc.Steps) == 0 {
		return fail("no steps")
	}
	switch {
	case sc.Times < 0:
		return fail("times %d is negative", sc.Times)
	case sc.Times > 0 && len(sc.Steps) != 1:
		return fail("times needs exactly one step, got %d", len(sc.Steps))
	case sc.Times > 0 && sc.Repeat:
		return fail("want times or repeat, not both")
	}
	if err := sc.Match.Validate(); err != nil {
		return fail("match: %v", err)
	}
	for i, st := range sc.Steps {
		if err := st.Validate(); err != nil {
			return fail("steps[%d]: %v", i, err)
		}
	}
	return nil
}

// Validate checks m: its JSON pointers are valid and its header names are
// HTTP tokens.
func (m Match) Validate() error {
	for _, k := range sortedKeys(m.Headers) {
		if !ValidHeaderName(k) {
			return fmt.Errorf("headers: %q is not a valid header name", k)
		}
	}
	for _, k := range sortedKeys(m.Body) {
		if _, err := ParsePointer(k); err != nil {
			return fmt.Errorf("body: %v", err)
		}
	}
	return nil
}

// Validate checks st: a status in 100–599, a known fault, not both example
// and body, valid header names and values, a valid delay.
func (st Step) Validate() error {
	if st.Status < 100 || st.Status > 599 {
		return fmt.Errorf("%d is not an HTTP status (100-599)", st.Status)
	}
	if !ValidFault(st.Fault) {
		return fmt.Errorf("unknown fault %q (known: %s)", st.Fault, strings.Join(Faults, ", "))
	}
	if st.Example != "" && (st.HasBody || st.Body != nil) {
		return errors.New("want example or body, not both")
	}
	for _, k := range sortedKeys(st.Headers) {
		if !ValidHeaderName(k) {
			return fmt.Errorf("headers: %q is not a valid header name", k)
		}
		if strings.ContainsAny(st.Headers[k], "\r\n\x00") {
			return fmt.Errorf("headers: the value of %s holds a line break or NUL", k)
		}
	}
	if d := st.Delay; d.Min < 0 || d.Max < d.Min {
		return fmt.Errorf("delay %v..%v: want 0 ≤ min ≤ max", d.Min, d.Max)
	}
	return nil
}

// validHeaderName reports whether s is an HTTP token (RFC 9110).
func ValidHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// clone returns a deep copy of sc, so that the Set shares nothing with its
// callers.
func (sc Scenario) clone() Scenario {
	c := sc
	if sc.Active != nil {
		a := *sc.Active
		c.Active = &a
	}
	c.Match.Params = cloneMap(sc.Match.Params)
	c.Match.Headers = cloneMap(sc.Match.Headers)
	if sc.Match.Body != nil {
		c.Match.Body = make(map[string]any, len(sc.Match.Body))
		for k, v := range sc.Match.Body {
			c.Match.Body[k] = cloneValue(v)
		}
	}
	if sc.Steps != nil {
		c.Steps = make([]Step, len(sc.Steps))
		for i, st := range sc.Steps {
			st.Headers = cloneMap(st.Headers)
			st.Body = cloneValue(st.Body)
			c.Steps[i] = st
		}
	}
	return c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// cloneValue deep-copies the objects and arrays of a JSON-compatible value.
func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, x := range v {
			c[k] = cloneValue(x)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = cloneValue(x)
		}
		return c
	}
	return v
}
