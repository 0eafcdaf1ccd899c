package mockserver_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// liveHeap is the heap still reachable: what is left after a full collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

const memorySpec = `openapi: 3.0.3
info: {title: memory, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: putThing
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        content: {application/json: {schema: {type: object}}}
      responses:
        "204": {description: stored}
  /render:
    post:
      operationId: render
      responses:
        "200":
          description: a 64 KB body, generated (its one string is the enum's, cheap to make)
          content:
            application/json:
              schema:
                type: object
                required: [n, data]
                properties:
                  n: {type: integer}
                  data: {type: string, enum: [BIG]}
`

// fresh is a new string of n bytes: every request's headers are its own allocation, as they
// are when the server reads them off a connection.
func fresh(n int, seed int) string {
	b := bytes.Repeat([]byte{'a' + byte(seed%26)}, n)
	return string(b)
}

// TestMemoryJournalBounded drives the worst case through the server: 10,000 requests each
// with 60 KB of headers, a 4 KB URL and a 6 KB body. The journal keeps a few KB of each, and
// no more entries than fit its byte bound: the live heap afterwards stays under the bound and
// a slack. Reading the whole journal back, page by page, streams: the heap does not grow by
// the size of a page.
func TestMemoryJournalBounded(t *testing.T) {
	const (
		requests     = 10000
		journalBytes = 8 << 20
	)
	s := inlineServer(t, "memory.yaml", memorySpec, func(c *mockserver.Config) { c.JournalBytes = journalBytes })
	before := liveHeap()

	body := `{"name":"` + strings.Repeat("b", 6000) + `","password":"S3CR3T"}`
	for i := range requests {
		r := httptest.NewRequest("POST", fmt.Sprintf("/things/%d?q=%s&token=S3CR3T", i, fresh(4000, i)), strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Big", fresh(40000, i))
		for h := range 20 {
			r.Header.Set(fmt.Sprintf("X-H%02d", h), fresh(1000, i+h))
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusNoContent {
			t.Fatalf("request %d: %d %s", i, w.Code, w.Body)
		}
	}
	after := liveHeap()
	runtime.KeepAlive(s)
	// The slack: the journal's estimate of an entry follows the allocator's size classes and
	// map slots, not exactly (1/16); besides the entries, its ring of 10,000 pointers (80 KB)
	// and whatever the requests leave in the server's other caches (a few hundred KB).
	slack := int64(journalBytes/16 + 1<<20)
	grew := after - before
	t.Logf("10,000 requests of %d KB: the live heap grew %.1f MB (bound %d MB + slack %.1f MB)",
		(40000+20*1000+4000+len(body))/1000, float64(grew)/(1<<20), journalBytes>>20, float64(slack)/(1<<20))
	if grew > journalBytes+slack {
		t.Fatalf("the live heap grew %d bytes, over the journal's %d + %d", grew, journalBytes, slack)
	}

	// Read it all back, page by page, into a writer that keeps nothing and measures the live
	// heap as the answer streams through it.
	target, pages, entries := "/__mock/requests?after=0&limit=200", 0, 0
	var written, peak int64
	base := liveHeap()
	for target != "" {
		w := &measuringWriter{header: http.Header{}, every: 16}
		s.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		if w.status != http.StatusOK || w.n < 1000 {
			t.Fatalf("%s: %d, %d bytes", target, w.status, w.n)
		}
		if w.secret {
			t.Fatalf("%s: the answer shows a secret", target)
		}
		pages++
		entries += w.ids
		written += w.n
		peak = max(peak, w.peak)
		target = ""
		if l := w.header.Get("Link"); l != "" {
			target = strings.TrimPrefix(l[:strings.Index(l, ">")], "<")
		}
	}
	grewReading := peak - base
	t.Logf("read %d entries in %d pages, %.1f MB: the live heap grew at most %.1f MB while streaming",
		entries, pages, float64(written)/(1<<20), float64(grewReading)/(1<<20))
	if entries < 100 || pages < 2 || written < 4<<20 {
		t.Fatalf("read %d entries in %d pages, %d bytes: too few to tell", entries, pages, written)
	}
	// One page is written entry by entry through a 32 KiB buffer: the page's entries (held by
	// the journal anyway), one entry's JSON and the buffer are live, never the page's answer.
	if perPage := written / int64(pages); grewReading > perPage/4 {
		t.Errorf("the live heap grew %d bytes while a page of %d bytes was written", grewReading, perPage)
	}
}

// measuringWriter is an http.ResponseWriter that keeps nothing of the answer: it counts the
// bytes and the entries, looks for a secret, and measures the live heap every few writes.
type measuringWriter struct {
	header       http.Header
	status       int
	n            int64
	writes       int
	every        int
	peak         int64
	ids          int
	secret       bool
	tail         []byte // the end of the last write, for a word split between two
	scan         []byte
	idMark, mark []byte
}

func (w *measuringWriter) Header() http.Header  { return w.header }
func (w *measuringWriter) WriteHeader(code int) { w.status = code }

func (w *measuringWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.idMark == nil {
		w.idMark, w.mark = []byte(`"id": `), []byte("S3CR3T")
	}
	w.scan = append(append(w.scan[:0], w.tail...), p...)
	w.ids += bytes.Count(w.scan, w.idMark) - bytes.Count(w.tail, w.idMark)
	w.secret = w.secret || bytes.Contains(w.scan, w.mark)
	w.tail = append(w.tail[:0], p[max(0, len(p)-8):]...)
	w.n += int64(len(p))
	if w.writes++; w.writes%w.every == 0 {
		w.peak = max(w.peak, liveHeap())
	}
	return len(p), nil
}

// TestMemoryGeneratedBodies: generated answers are cached, bounded (4,096 bodies or 32 MiB):
// a client asking for a different 64 KB body every time does not grow the heap past it.
func TestMemoryGeneratedBodies(t *testing.T) {
	const (
		requests   = 1500 // 96 MB of bodies: three times the cache's bound
		cacheBytes = 32 << 20
	)
	spec := strings.Replace(memorySpec, "BIG", strings.Repeat("x", 64<<10), 1)
	s := inlineServer(t, "memory.yaml", spec, func(c *mockserver.Config) { c.JournalBytes = 1 << 20 })
	render := func(seed int) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/render", nil)
		r.Header.Set("Prefer", fmt.Sprintf("seed=%d", seed))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusOK || w.Body.Len() < 64<<10 || w.Header().Get(mockserver.HeaderSource) != mockserver.SourceGenerated {
			t.Fatalf("seed %d: %d, %d bytes, %s", seed, w.Code, w.Body.Len(), w.Header().Get(mockserver.HeaderSource))
		}
		return w
	}
	before := liveHeap()
	var first string
	for i := range requests {
		w := render(i)
		if i == 0 {
			first = w.Body.String()
		}
	}
	grew := liveHeap() - before
	// The same seed again is the same body (cached or generated again).
	if render(0).Body.String() != first {
		t.Error("seed 0 got another body")
	}
	runtime.KeepAlive(s)
	// The slack: the cache counts a body's length, and the allocator rounds a 64 KB body up to
	// 72 KiB (1/8); the journal's 1 MiB of these requests; a MiB for the server's other caches.
	slack := int64(cacheBytes/8 + 1<<20 + 1<<20)
	t.Logf("%d generated bodies of 64 KB: the live heap grew %.1f MB (cache bound %d MB + slack %.1f MB)",
		requests, float64(grew)/(1<<20), cacheBytes>>20, float64(slack)/(1<<20))
	if grew > cacheBytes+slack {
		t.Fatalf("the live heap grew %d bytes, over the cache's %d + %d", grew, cacheBytes, slack)
	}
}
