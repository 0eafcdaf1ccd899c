package journal

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

func ids(es []*Entry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestRing(t *testing.T) {
	j := New(3, 0)
	for i := 1; i <= 5; i++ {
		j.Add(&Entry{Operation: fmt.Sprint("op", i%2), Status: 200 + i})
	}
	all := j.All(Filter{})
	if got := fmt.Sprint(ids(all)); got != "[3 4 5]" || all[0].Status != 203 {
		t.Fatalf("ring kept %v", got)
	}
	yes, s := true, ""
	j.Add(&Entry{Session: "qa", Violations: []Violation{{Code: "type"}}})
	tests := []struct {
		name string
		f    Filter
		want string
	}{
		{"operation", Filter{Operations: map[string]bool{"op1": true}}, "[5]"},
		{"operations", Filter{Operations: map[string]bool{"op1": true, "op0": true}}, "[4 5]"},
		{"no operation", Filter{Operations: map[string]bool{}}, "[]"},
		{"status", Filter{Status: 204}, "[4]"},
		{"violations", Filter{Violations: &yes}, "[6]"},
		{"default session", Filter{Session: &s}, "[4 5]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(ids(j.All(tt.f))); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	j.Clear()
	if j.Len() != 0 || j.Bytes() != 0 || len(j.All(Filter{})) != 0 {
		t.Error("clear kept entries")
	}
	if id := j.Add(&Entry{}); id != 7 {
		t.Errorf("ids restarted after clear: %d", id)
	}
}

func TestPages(t *testing.T) {
	j := New(10, 0)
	for i := 1; i <= 14; i++ { // ids 5…14 are kept
		j.Add(&Entry{Status: 200 + i%2})
	}
	odd := Filter{Status: 201}
	tests := []struct {
		name  string
		page  func() ([]*Entry, bool)
		want  string
		more  bool
		limit int
	}{
		{"after 0", func() ([]*Entry, bool) { return j.After(Filter{}, 0, 3) }, "[5 6 7]", true, 0},
		{"after a dropped id", func() ([]*Entry, bool) { return j.After(Filter{}, 2, 3) }, "[5 6 7]", true, 0},
		{"after the middle", func() ([]*Entry, bool) { return j.After(Filter{}, 7, 3) }, "[8 9 10]", true, 0},
		{"the last page, full", func() ([]*Entry, bool) { return j.After(Filter{}, 11, 3) }, "[12 13 14]", false, 0},
		{"the last page", func() ([]*Entry, bool) { return j.After(Filter{}, 12, 3) }, "[13 14]", false, 0},
		{"after the newest", func() ([]*Entry, bool) { return j.After(Filter{}, 14, 3) }, "[]", false, 0},
		{"filtered", func() ([]*Entry, bool) { return j.After(odd, 5, 2) }, "[7 9]", true, 0},
		{"filtered, the rest", func() ([]*Entry, bool) { return j.After(odd, 9, 2) }, "[11 13]", false, 0},
		{"last", func() ([]*Entry, bool) { return j.Last(Filter{}, 3) }, "[12 13 14]", true, 0},
		{"last, all", func() ([]*Entry, bool) { return j.Last(Filter{}, 10) }, "[5 6 7 8 9 10 11 12 13 14]", false, 0},
		{"last, filtered", func() ([]*Entry, bool) { return j.Last(odd, 2) }, "[11 13]", true, 0},
		{"last, filtered, all", func() ([]*Entry, bool) { return j.Last(odd, 5) }, "[5 7 9 11 13]", false, 0},
	}
	for _, tt := range tests {
		page, more := tt.page()
		if got := fmt.Sprint(ids(page)); got != tt.want || more != tt.more {
			t.Errorf("%s: %s more=%v, want %s more=%v", tt.name, got, more, tt.want, tt.more)
		}
	}
}

// TestBytes: past the byte bound the oldest entries go, whatever their number; the newest is
// kept even alone over the bound.
func TestBytes(t *testing.T) {
	one := (&Entry{Body: make([]byte, 1000)})
	one.fit()
	size := one.estimate()
	j := New(100, 3*size+size/2)
	for range 10 {
		j.Add(&Entry{Body: make([]byte, 1000)})
	}
	if got := fmt.Sprint(ids(j.All(Filter{}))); got != "[8 9 10]" || j.Bytes() != 3*size {
		t.Errorf("kept %s in %d bytes, want [8 9 10] in %d", got, j.Bytes(), 3*size)
	}
	j.Add(&Entry{Body: make([]byte, MaxBody), Headers: map[string][]string{"X-Big": {strings.Repeat("x", 50000)}}})
	if got := fmt.Sprint(ids(j.All(Filter{}))); got != "[11]" {
		t.Errorf("a large entry kept beside it %s", got)
	}
}

// TestFit: an entry is cut to the bounds on the way in; what is cut is a copy, what is kept
// whole is the request's own.
func TestFit(t *testing.T) {
	long := strings.Repeat("a", 60000)
	tests := []struct {
		name  string
		e     *Entry
		check func(t *testing.T, e *Entry)
	}{
		{"small entry kept whole", &Entry{URL: "/p?q=1", Headers: map[string][]string{"Accept": {"*/*"}}, Body: []byte(`{"a":1}`)}, func(t *testing.T, e *Entry) {
			if e.URL != "/p?q=1" || e.Headers["Accept"][0] != "*/*" || string(e.Body) != `{"a":1}` || e.URLTruncated || e.HeadersTruncated || e.BodyTruncated {
				t.Errorf("%+v", e)
			}
		}},
		{"long URL", &Entry{URL: "/p?q=" + long}, func(t *testing.T, e *Entry) {
			if len(e.URL) != MaxURL || !e.URLTruncated || !strings.HasPrefix(e.URL, "/p?q=aaa") {
				t.Errorf("URL of %d bytes, truncated %v", len(e.URL), e.URLTruncated)
			}
		}},
		{"long URL cut at a character", &Entry{URL: "/" + strings.Repeat("é", MaxURL)}, func(t *testing.T, e *Entry) {
			if len(e.URL) != MaxURL-1 || !strings.HasSuffix(e.URL, "é") {
				t.Errorf("URL of %d bytes ends %q", len(e.URL), e.URL[len(e.URL)-3:])
			}
		}},
		{"one large header", &Entry{Headers: map[string][]string{"X-Big": {long}, "Content-Type": {"application/json"}}}, func(t *testing.T, e *Entry) {
			if got := e.Headers["X-Big"]; len(got) != 1 || len(got[0]) != MaxHeaderValue || !e.HeadersTruncated {
				t.Errorf("X-Big kept %d bytes", len(got[0]))
			}
			if got := e.Headers["Content-Type"]; len(got) != 1 || got[0] != "application/json" {
				t.Errorf("Content-Type: %v", got)
			}
		}},
		{"many headers", &Entry{Headers: manyHeaders(600, 100)}, func(t *testing.T, e *Entry) {
			size := 0
			for k, vs := range e.Headers {
				size += len(k) + len(strings.Join(vs, ""))
			}
			if size > MaxHeaderBytes || len(e.Headers) > MaxHeaders || !e.HeadersTruncated || e.Headers["X-H000"] == nil {
				t.Errorf("kept %d headers, %d bytes", len(e.Headers), size)
			}
		}},
		{"a long header name", &Entry{Headers: map[string][]string{long: {"v"}, "Accept": {long}}}, func(t *testing.T, e *Entry) {
			if _, ok := e.Headers[long]; ok || len(e.Headers) != 1 {
				t.Errorf("kept %d headers", len(e.Headers))
			}
		}},
		{"long body", &Entry{Body: []byte(long)}, func(t *testing.T, e *Entry) {
			if len(e.Body) != MaxBody || cap(e.Body) > MaxBody+64 || !e.BodyTruncated {
				t.Errorf("body %d bytes (cap %d)", len(e.Body), cap(e.Body))
			}
		}},
		{"small body in a large buffer", &Entry{Body: make([]byte, 10, 1<<20)}, func(t *testing.T, e *Entry) {
			if len(e.Body) != 10 || cap(e.Body) > 64 || e.BodyTruncated {
				t.Errorf("body %d bytes (cap %d)", len(e.Body), cap(e.Body))
			}
		}},
		{"long session", &Entry{Session: long}, func(t *testing.T, e *Entry) {
			if len(e.Session) != MaxSession {
				t.Errorf("session %d bytes", len(e.Session))
			}
		}},
		{"many violations", &Entry{Violations: make([]Violation, 100)}, func(t *testing.T, e *Entry) {
			if len(e.Violations) != MaxViolations || !e.ViolationsTruncated {
				t.Errorf("%d violations", len(e.Violations))
			}
		}},
		{"long message", &Entry{Violations: []Violation{{Message: long}}}, func(t *testing.T, e *Entry) {
			if len(e.Violations[0].Message) != MaxMessage {
				t.Errorf("message %d bytes", len(e.Violations[0].Message))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			orig := struct {
				URL, Session string
				Headers      map[string][]string
			}{e.URL, e.Session, e.Headers}
			New(10, 0).Add(e)
			tt.check(t, e)
			// Nothing kept may be a piece of a larger string of the request's.
			if e.URLTruncated && shares(e.URL, orig.URL) {
				t.Error("the cut URL shares the request's")
			}
			for k, vs := range e.Headers {
				for i, v := range vs {
					if ov := orig.Headers[k][i]; len(v) < len(ov) && shares(v, ov) {
						t.Errorf("the cut header %s shares the request's", k)
					}
				}
			}
			if len(orig.Session) > len(e.Session) && shares(e.Session, orig.Session) {
				t.Error("the cut session shares the request's")
			}
			for _, v := range e.Violations {
				if len(v.Message) > 0 && shares(v.Message, long) {
					t.Error("a message shares the request's string")
				}
			}
			if e.Size() < int64(len(e.URL)+len(e.Body)) {
				t.Errorf("size %d below the URL and body alone", e.Size())
			}
		})
	}
}

// shares reports whether a and b start at the same bytes.
func shares(a, b string) bool {
	return len(a) > 0 && len(b) > 0 && unsafe.StringData(a) == unsafe.StringData(b)
}

func manyHeaders(n, size int) map[string][]string {
	h := make(map[string][]string, n)
	for i := range n {
		h[fmt.Sprintf("X-H%03d", i)] = []string{strings.Repeat("v", size)}
	}
	return h
}

// TestEstimate: an entry's accounted size grows with what it holds, map slots and the
// allocator's rounding included.
func TestEstimate(t *testing.T) {
	small := &Entry{}
	small.fit()
	withHeaders := &Entry{Headers: manyHeaders(50, 10)}
	withHeaders.fit()
	// 50 names of 6 bytes and values of 10, each a 16-byte allocation, a []string of one
	// each, and 50 slots of a string and a slice header.
	if d, least := withHeaders.estimate()-small.estimate(), int64(50*(16+16+16+16+24)); d < least {
		t.Errorf("50 headers of 16 bytes account for %d bytes, want at least %d", d, least)
	}
	for n, want := range map[int]int{0: 0, 1: 16, 16: 16, 17: 24, 33: 40, 1000: 1024, 1025: 1152, 2048: 2048, 2049: 2304, 4096: 4096, 60000: 61440} {
		if got := sizeOf(n); got != want || got < n || (n > 16 && got > n+max(8, n/8)) {
			t.Errorf("sizeOf(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestConcurrent(t *testing.T) {
	j := New(100, 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				j.Add(&Entry{Status: 200, Headers: map[string][]string{"A": {"b"}}})
				page, _ := j.Last(Filter{}, 5)
				for _, e := range page {
					_ = e.Headers["A"]
				}
			}
		})
	}
	wg.Wait()
	all := j.All(Filter{})
	if len(all) != 100 || all[99].ID != 4000 {
		t.Fatalf("kept %d, last id %d", len(all), all[len(all)-1].ID)
	}
}
