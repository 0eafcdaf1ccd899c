package mockserver

import (
	"cmp"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/mockserver/journal"
)

// DefaultJournalBytes bounds the journal when Config.JournalBytes is 0.
const DefaultJournalBytes = journal.DefaultBytes

// record writes down what happened: a journal entry, the coverage counters, one log line.
// The entry keeps the request as it came, cut to the journal's bounds and shared where kept
// whole (the URL, the header map, the body): it is redacted when the journal is read
// (journalView), off the request's path.
//
// It returns the entry, for send to mark should the answer then not reach the client.
func (s *Server) record(r *http.Request, x *exchange, rep *reply, start time.Time, data []byte) *journal.Entry {
	latency := time.Since(start)
	e := &journal.Entry{
		Time:      start.UTC(),
		Session:   sessionOf(r),
		Method:    r.Method,
		URL:       requestTarget(r),
		Headers:   r.Header,
		Body:      data,
		Status:    rep.Status,
		Source:    rep.Source,
		Example:   rep.Example,
		LatencyMS: float64(latency.Microseconds()) / 1000,
		Redact:    s.redact,
	}
	if rep.Closed != "" {
		e.Unsend(rep.Closed)
	}
	var violations []Violation
	if x != nil {
		e.Operation, e.Scenario = x.op.ID, x.scenario
		if x.val != nil {
			violations = x.val.Violations
		}
		if len(violations) > 0 {
			e.Violations = make([]journal.Violation, 0, len(violations))
		}
		for _, v := range violations {
			e.Violations = append(e.Violations, journal.Violation{Location: v.Location, Severity: cmp.Or(v.Severity, violationError), Code: v.Code, Message: v.Message})
		}
		s.coverage.add(x.op, rep, violations)
	}
	s.journal.Add(e)
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		attrs := [...]slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", s.logPath(r, x)),
			slog.String("operation", e.Operation),
			slog.Int("status", e.Received()),
			slog.String("source", rep.Source),
			slog.Int("violations", len(violations)),
			slog.String("session", e.Session),
			slog.Duration("duration", latency),
			slog.String("closed", rep.Closed),
		}
		n := len(attrs)
		if rep.Closed == "" {
			n-- // said only of an answer the client never got
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs[:n]...)
	}
	return e
}

// logPath is the request's path as the logs show it: a secret path parameter hidden.
func (s *Server) logPath(r *http.Request, x *exchange) string {
	if s.secretPaths == nil || x == nil {
		return r.URL.Path
	}
	return redactPath(s.secretPaths[x.op.ID], r.URL.Path)
}

// requestTarget is the path and query the client asked for, as sent: the request's own string
// when it has one in that form.
func requestTarget(r *http.Request) string {
	if t := r.RequestURI; t != "" && t[0] == '/' {
		return t
	}
	return r.URL.RequestURI()
}

// entryView is a journal entry as the control API shows it: redacted, the path and the query
// worked out from the URL kept.
type entryView struct {
	ID               uint64              `json:"id"`
	Time             time.Time           `json:"time"`
	Session          string              `json:"session"`
	Method           string              `json:"method"`
	URL              string              `json:"url"`
	URLTruncated     bool                `json:"urlTruncated,omitempty"`
	Path             string              `json:"path"`
	Query            map[string][]string `json:"query,omitempty"`
	Headers          map[string][]string `json:"headers"`
	HeadersTruncated bool                `json:"headersTruncated,omitempty"`
	Body             string              `json:"body,omitempty"`
	BodyTruncated    bool                `json:"bodyTruncated,omitempty"`
	Operation        string              `json:"operation,omitempty"`
	// Status is what the client received: 0 when the answer never reached it (Closed says
	// why; Source and Example what it would have been).
	Status              int                 `json:"status"`
	Closed              string              `json:"closed,omitempty"`
	Source              string              `json:"source"`
	Example             string              `json:"example,omitempty"`
	Scenario            string              `json:"scenario,omitempty"`
	Violations          []journal.Violation `json:"violations,omitempty"`
	ViolationsTruncated bool                `json:"violationsTruncated,omitempty"`
	LatencyMS           float64             `json:"latencyMs"`
}

// journalView is e as it may leave the process: every secret hidden (redact.go).
func (s *Server) journalView(e *journal.Entry) entryView {
	rd := s.rulesFor(e)
	path, query, hasQuery := strings.Cut(e.URL, "?")
	path, query = redactPath(s.secretPaths[e.Operation], path), redactPairs(rd, query)
	target := path
	if hasQuery {
		target += "?" + query
	}
	v := entryView{
		ID: e.ID, Time: e.Time, Session: e.Session, Method: e.Method,
		URL: target, URLTruncated: e.URLTruncated,
		Headers: redactHeaders(rd, e.Headers), HeadersTruncated: e.HeadersTruncated,
		BodyTruncated: e.BodyTruncated,
		Operation:     e.Operation, Source: e.Source, Example: e.Example, Scenario: e.Scenario,
		ViolationsTruncated: e.ViolationsTruncated, LatencyMS: e.LatencyMS,
	}
	v.Status, v.Closed = e.Delivery()
	v.Path = path
	if p, err := url.PathUnescape(path); err == nil {
		v.Path = p
	}
	v.Query = parseQuery(query)
	v.Body = entryBody(rd, e)
	if len(e.Violations) > 0 {
		v.Violations = make([]journal.Violation, len(e.Violations))
		for i, vi := range e.Violations {
			if hidesMessage(rd, vi.Location, vi.Code) {
				vi.Message = redacted
			}
			v.Violations[i] = vi
		}
	}
	return v
}

// parseQuery is a query string (already redacted) as a map; nil when there is none.
func parseQuery(raw string) map[string][]string {
	if raw == "" {
		return nil
	}
	q, _ := url.ParseQuery(raw) // what parses: a URL cut short, or with a bad pair, still shows the rest
	if len(q) == 0 {
		return nil
	}
	return q
}

// entryBody is an entry's body as text, redacted: "(binary)" when it is not UTF-8.
func entryBody(rd journal.Redactor, e *journal.Entry) string {
	if len(e.Body) == 0 {
		return ""
	}
	if !utf8.Valid(e.Body) {
		return "(binary)"
	}
	var ctype string
	if vs := e.Headers["Content-Type"]; len(vs) > 0 {
		ctype = vs[0]
	}
	return string(redactBody(rd, ctype, e.Body))
}
