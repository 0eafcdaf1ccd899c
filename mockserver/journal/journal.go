// Package journal keeps the most recent requests the mock answered, in a bounded ring, for the
// control API to list, filter and verify.
package journal

import (
	"sync"
	"time"
)

// Violation is one way a request broke its contract.
type Violation struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"` // Prism's: "Error" or "Warning"
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

// Entry is one request and how it was answered.
type Entry struct {
	ID            uint64              `json:"id"`
	Time          time.Time           `json:"time"`
	Session       string              `json:"session"`
	Method        string              `json:"method"`
	URL           string              `json:"url"`
	Path          string              `json:"path"`
	Query         map[string][]string `json:"query,omitempty"`
	Headers       map[string][]string `json:"headers"`
	Body          string              `json:"body,omitempty"`
	BodyTruncated bool                `json:"bodyTruncated,omitempty"`
	Operation     string              `json:"operation,omitempty"`
	Status        int                 `json:"status"`
	Source        string              `json:"source"`
	Example       string              `json:"example,omitempty"`
	Scenario      string              `json:"scenario,omitempty"`
	Violations    []Violation         `json:"violations,omitempty"`
	LatencyMS     float64             `json:"latencyMs"`
}

// Filter selects entries; zero fields select everything.
type Filter struct {
	Operation  string
	Status     int
	Session    *string
	Violations *bool // true: only requests with violations; false: only those without
	Limit      int   // the newest Limit entries (0: all)
}

func (f Filter) match(e *Entry) bool {
	return (f.Operation == "" || e.Operation == f.Operation) &&
		(f.Status == 0 || e.Status == f.Status) &&
		(f.Session == nil || e.Session == *f.Session) &&
		(f.Violations == nil || (len(e.Violations) > 0) == *f.Violations)
}

// Journal is a bounded ring of entries, safe for concurrent use.
type Journal struct {
	// mu guards ring, start, n and next.
	mu    sync.Mutex
	ring  []Entry
	start int // index of the oldest entry
	n     int // entries held
	next  uint64
}

// New makes a journal keeping the newest capacity entries (0 → 10,000).
func New(capacity int) *Journal {
	if capacity <= 0 {
		capacity = 10000
	}
	return &Journal{ring: make([]Entry, capacity)}
}

// Add records e, giving it the next id, and returns it.
func (j *Journal) Add(e Entry) Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.next++
	e.ID = j.next
	if j.n < len(j.ring) {
		j.ring[(j.start+j.n)%len(j.ring)] = e
		j.n++
	} else {
		j.ring[j.start] = e
		j.start = (j.start + 1) % len(j.ring)
	}
	return e
}

// Query returns the matching entries, oldest first.
func (j *Journal) Query(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	for i := 0; i < j.n; i++ {
		e := &j.ring[(j.start+i)%len(j.ring)]
		if f.match(e) {
			out = append(out, *e)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Clear drops every entry (ids keep counting up).
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.start, j.n = 0, 0
}

// Len is the number of entries held.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}
