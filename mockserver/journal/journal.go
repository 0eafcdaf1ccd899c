// Package journal keeps the most recent requests the mock answered, bounded in entries and in
// bytes, for the control API to list, filter and verify.
//
// An entry holds the request as it came (cut to size, never redacted): redaction is the
// reader's job (package mockserver renders every entry through the Redactor it was recorded
// with), so that the request's path pays for none of it. Never hand an Entry out as it is.
package journal

import (
	"math/bits"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Bounds of a journal and of each entry.
const (
	// DefaultEntries and DefaultBytes bound a journal made with zeros: past either, the oldest
	// entries go.
	DefaultEntries = 10000
	DefaultBytes   = 32 << 20

	// MaxURL bounds the request target kept (path and query).
	MaxURL = 2 << 10
	// MaxHeaderBytes bounds the header names and values kept; when a request has more, each
	// value is cut to MaxHeaderValue and headers are kept in name order while they fit.
	MaxHeaderBytes = 8 << 10
	MaxHeaderValue = 1 << 10
	// MaxHeaders bounds how many header names are kept.
	MaxHeaders = 100
	// MaxHeaderName: a longer header name is not kept at all.
	MaxHeaderName = 256
	// MaxBody bounds the request body kept.
	MaxBody = 4 << 10
	// MaxSession bounds the session name kept.
	MaxSession = 1 << 10
	// MaxViolations bounds the violations kept; MaxMessage each one's message.
	MaxViolations = 32
	MaxMessage    = 512
)

// Violation is one way a request broke its contract.
type Violation struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"` // Prism's: "Error" or "Warning"
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

// Redactor says which header, query parameter, cookie and body field names carry
// credentials. The journal only keeps it with the entry: a reader shows the entry through it,
// so an entry is redacted by the rules in force when it was recorded, after a reload too.
type Redactor interface {
	Secret(name string) bool
}

// Entry is one request, as it came, and how it was answered. Add cuts it to size (the
// *Truncated fields say what was cut) and owns it afterwards: nobody changes it then.
type Entry struct {
	ID      uint64
	Time    time.Time
	Session string
	Method  string
	// URL is the request target, path and query, as the client sent it.
	URL string
	// Headers are the request's headers: the request's own map when it fits the bounds (it
	// is shared, not copied: nothing changes a request's headers once it is answered).
	Headers    map[string][]string
	Body       []byte
	Operation  string
	Status     int
	Source     string
	Example    string
	Scenario   string
	Violations []Violation
	LatencyMS  float64
	// Redact is how to show the entry (see Redactor); nil shows it as it is.
	Redact Redactor

	// What Add cut: the URL to MaxURL, the headers to MaxHeaderBytes (or MaxHeaders), the
	// body to MaxBody, the violations to MaxViolations.
	URLTruncated, HeadersTruncated, BodyTruncated, ViolationsTruncated bool

	size int64 // the bytes the entry holds, estimated by Add
	// unsent, when set, says why the answer never reached the client: the one thing that
	// changes once the entry is added (Unsend), as the mock learns it after the fact.
	unsent atomic.Pointer[string]
}

// Unsend records that the answer never reached the client, and why: the connection closed
// before it (the client went away, a write deadline passed, the mock shut down or broke it on
// purpose). Safe while the entry is read.
func (e *Entry) Unsend(why string) { e.unsent.Store(&why) }

// Received is the status the client got: Status, or 0 when the answer never reached it.
func (e *Entry) Received() int {
	status, _ := e.Delivery()
	return status
}

// Delivery is what the client got, read at once: the status (0 when the answer never reached
// it) and why it did not ("" when it did).
func (e *Entry) Delivery() (status int, unsent string) {
	if p := e.unsent.Load(); p != nil {
		return 0, *p
	}
	return e.Status, ""
}

// Size is the bytes the entry holds, as the journal accounts them (set by Add).
func (e *Entry) Size() int64 { return e.size }

// Filter selects entries; zero fields select everything.
type Filter struct {
	// Operations, when not nil, are the operation IDs selected.
	Operations map[string]bool
	Status     int
	Session    *string
	Violations *bool // true: only requests with violations; false: only those without
}

func (f *Filter) match(e *Entry) bool {
	return (f.Operations == nil || f.Operations[e.Operation]) &&
		(f.Status == 0 || e.Received() == f.Status) &&
		(f.Session == nil || e.Session == *f.Session) &&
		(f.Violations == nil || (len(e.Violations) > 0) == *f.Violations)
}

// Journal is a ring of entries bounded in number and in bytes, safe for concurrent use.
// Readers get the entries themselves (pointers, never copies) and read them without the lock:
// an entry does not change once added.
type Journal struct {
	maxBytes int64
	// mu guards ring, start, n, bytes and next.
	mu    sync.Mutex
	ring  []*Entry
	start int // index of the oldest entry
	n     int // entries held
	bytes int64
	next  uint64
}

// New makes a journal keeping at most entries entries and about maxBytes bytes of them
// (zeros: DefaultEntries, DefaultBytes). The newest entry is kept whatever its size.
func New(entries int, maxBytes int64) *Journal {
	if entries <= 0 {
		entries = DefaultEntries
	}
	if maxBytes <= 0 {
		maxBytes = DefaultBytes
	}
	return &Journal{ring: make([]*Entry, entries), maxBytes: maxBytes}
}

// Add cuts e to the entry bounds, gives it the next id and keeps it, dropping the oldest
// entries past the journal's bounds. It returns the id. e belongs to the journal afterwards.
func (j *Journal) Add(e *Entry) uint64 {
	e.fit()
	e.size = e.estimate()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.next++
	e.ID = j.next
	for j.n > 0 && (j.n == len(j.ring) || j.bytes+e.size > j.maxBytes) {
		j.dropOldest()
	}
	j.ring[(j.start+j.n)%len(j.ring)] = e
	j.n++
	j.bytes += e.size
	return e.ID
}

func (j *Journal) dropOldest() {
	j.bytes -= j.ring[j.start].size
	j.ring[j.start] = nil
	j.start = (j.start + 1) % len(j.ring)
	j.n--
}

func (j *Journal) at(i int) *Entry { return j.ring[(j.start+i)%len(j.ring)] }

// After returns the first limit entries matching f whose id is above after, oldest first,
// and whether more matching entries follow them.
func (j *Journal) After(f Filter, after uint64, limit int) (page []*Entry, more bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i := sort.Search(j.n, func(i int) bool { return j.at(i).ID > after })
	for ; i < j.n; i++ {
		if e := j.at(i); f.match(e) {
			if len(page) == limit {
				return page, true
			}
			page = append(page, e)
		}
	}
	return page, false
}

// Last returns the newest limit entries matching f, oldest first, and whether older matching
// entries were left out.
func (j *Journal) Last(f Filter, limit int) (page []*Entry, more bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := j.n - 1; i >= 0; i-- {
		if e := j.at(i); f.match(e) {
			if len(page) == limit {
				more = true
				break
			}
			page = append(page, e)
		}
	}
	for a, b := 0, len(page)-1; a < b; a, b = a+1, b-1 {
		page[a], page[b] = page[b], page[a]
	}
	return page, more
}

// All returns every entry matching f, oldest first: the entries themselves, not copies.
func (j *Journal) All(f Filter) []*Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*Entry
	for i := 0; i < j.n; i++ {
		if e := j.at(i); f.match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Clear drops every entry (ids keep counting up).
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.start, j.n, j.bytes = 0, 0, 0
}

// Len is the number of entries held.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// Bytes is the bytes the entries held account for (Entry.Size).
func (j *Journal) Bytes() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}

// fit cuts the entry to the bounds. What is cut is copied, so that the request's larger
// strings are not kept alive by a piece of them; what is kept whole is shared.
func (e *Entry) fit() {
	if len(e.URL) > MaxURL {
		e.URL, e.URLTruncated = strings.Clone(cut(e.URL, MaxURL)), true
	}
	// A request's method is a piece of its request line, and a session read from a cookie a
	// piece of the Cookie header: keeping them must not keep those.
	e.Method = method(e.Method)
	if e.Session != "" {
		e.Session = strings.Clone(cut(e.Session, MaxSession))
	}
	var cutHeaders bool
	e.Headers, cutHeaders = fitHeaders(e.Headers)
	e.HeadersTruncated = e.HeadersTruncated || cutHeaders
	switch b := e.Body; {
	case len(b) > MaxBody:
		e.Body, e.BodyTruncated = append([]byte(nil), cut(b, MaxBody)...), true
	case cap(b) > 2*len(b)+512:
		e.Body = append([]byte(nil), b...) // do not keep a large buffer for a small body
	default:
		e.Body = b[:len(b):len(b)]
	}
	if len(e.Violations) > MaxViolations {
		e.Violations, e.ViolationsTruncated = e.Violations[:MaxViolations:MaxViolations], true
	}
	for i := range e.Violations {
		// A message may be a piece of a much larger string (a value the client sent, cut for
		// the message): each is copied.
		e.Violations[i].Message = strings.Clone(cut(e.Violations[i].Message, MaxMessage))
	}
}

// method is m, as one of the constants when it is one of them, else a copy.
func method(m string) string {
	for _, k := range [...]string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"} {
		if m == k {
			return k
		}
	}
	return strings.Clone(cut(m, 64))
}

// cut is s cut to at most n bytes, not inside a UTF-8 sequence.
func cut[S ~string | ~[]byte](s S, n int) S {
	if len(s) <= n {
		return s
	}
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i]
		}
	}
	return s[:n]
}

// fitHeaders returns h itself when it fits the bounds, else a cut copy: header names in order,
// each value cut to MaxHeaderValue, while they fit MaxHeaderBytes and MaxHeaders.
func fitHeaders(h map[string][]string) (map[string][]string, bool) {
	size := 0
	for k, vs := range h {
		size += len(k)
		for _, v := range vs {
			size += len(v)
		}
	}
	if size <= MaxHeaderBytes && len(h) <= MaxHeaders {
		return h, false
	}
	names := make([]string, 0, len(h))
	for k := range h {
		if len(k) <= MaxHeaderName {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	type header struct {
		name   string
		values []string
	}
	var kept []header
	budget := MaxHeaderBytes
	for _, k := range names {
		if len(kept) == MaxHeaders || budget <= len(k) {
			break
		}
		budget -= len(k)
		var vs []string
		for _, v := range h[k] {
			if budget == 0 {
				break
			}
			if n := min(MaxHeaderValue, budget); len(v) > n {
				v = strings.Clone(cut(v, n))
			}
			budget -= len(v)
			vs = append(vs, v)
		}
		kept = append(kept, header{k, vs})
	}
	out := make(map[string][]string, len(kept)) // sized for what is kept, not for what came
	for _, hv := range kept {
		out[hv.name] = hv.values
	}
	return out, true
}

// estimate is the bytes e holds: each allocation rounded up as the Go allocator does (sizeOf),
// its maps with their slots. A shared header map or string is counted whole, as if it were
// e's alone.
func (e *Entry) estimate() int64 {
	n := sizeOf(int(unsafe.Sizeof(*e)))
	for _, s := range [...]string{e.Session, e.URL, e.Operation, e.Source, e.Example, e.Scenario} {
		n += sizeOf(len(s))
	}
	if e.Headers != nil {
		n += mapSize(len(e.Headers), 2*stringHeader+sliceHeader)
		for k, vs := range e.Headers {
			n += sizeOf(len(k)) + sizeOf(cap(vs)*stringHeader)
			for _, v := range vs {
				n += sizeOf(len(v))
			}
		}
	}
	n += sizeOf(cap(e.Body))
	n += sizeOf(cap(e.Violations) * int(unsafe.Sizeof(Violation{})))
	for _, v := range e.Violations {
		n += sizeOf(len(v.Message)) + sizeOf(cap(v.Location)*stringHeader)
		for _, l := range v.Location {
			n += sizeOf(len(l))
		}
	}
	return int64(n)
}

const (
	stringHeader = int(unsafe.Sizeof(""))
	sliceHeader  = int(unsafe.Sizeof([]string(nil)))
)

// sizeOf is the memory an allocation of n bytes takes: n rounded up to one of eight sizes
// between two powers of two, as the allocator's size classes about do (at most 12.5% more).
func sizeOf(n int) int {
	if n == 0 {
		return 0
	}
	if n <= 16 {
		return 16
	}
	step := max(1<<(bits.Len(uint(n-1))-4), 8)
	return (n + step - 1) / step * step
}

// mapSize is the memory of a map of n entries of slot bytes each: groups of 8 slots and their
// control words, filled to 7/8 at most, and the map's own header.
func mapSize(n, slot int) int {
	slots := 8
	for slots*7/8 < n {
		slots *= 2
	}
	return sizeOf(slots*slot+slots) + 64
}
