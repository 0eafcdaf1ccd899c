package mockserver

import (
	"bytes"
	"cmp"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mockserver/mockserver/mockserver/journal"
)

// maxJournalBody bounds the request body kept in the journal.
const maxJournalBody = 4 << 10

// record writes down what happened: a journal entry, the coverage counters, one log line.
func (s *Server) record(r *http.Request, x *exchange, rep *reply, start time.Time, data []byte) {
	latency := time.Since(start)
	e := journal.Entry{
		Time:    start.UTC(),
		Session: sessionOf(r),
		Method:  r.Method,
		URL:     redactURL(r.URL),
		Path:    r.URL.Path,
		Headers: redactHeaders(r.Header),
		Status:  rep.Status,
		Source:  rep.Source,
		Example: rep.Example,
		Scenario: func() string {
			if x != nil {
				return x.scenario
			}
			return ""
		}(),
		LatencyMS: float64(latency.Microseconds()) / 1000,
	}
	if q := r.URL.Query(); len(q) > 0 {
		e.Query = redactQuery(q)
	}
	if len(data) > 0 {
		body := data
		if len(body) > maxJournalBody {
			body, e.BodyTruncated = body[:maxJournalBody], true
		}
		if utf8.Valid(body) {
			e.Body = string(body)
		} else {
			e.Body = "(binary)"
		}
	}
	var violations []Violation
	if x != nil {
		e.Operation = x.op.ID
		if x.val != nil {
			violations = x.val.Violations
		}
		for _, v := range violations {
			e.Violations = append(e.Violations, journal.Violation{Location: v.Location, Severity: cmp.Or(v.Severity, violationError), Code: v.Code, Message: v.Message})
		}
		s.coverage.add(x.op, rep, violations)
	}
	s.journal.Add(e)
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("operation", e.Operation),
			slog.Int("status", rep.Status),
			slog.String("source", rep.Source),
			slog.Int("violations", len(violations)),
			slog.String("session", e.Session),
			slog.Duration("duration", latency),
		)
	}
}

// secretName reports whether a header or parameter name carries a credential. It runs for
// every header of every request: names of usual length are lower-cased on the stack.
func secretName(name string) bool {
	var buf [64]byte
	n := buf[:0]
	if len(name) > len(buf) {
		n = make([]byte, 0, len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		n = append(n, c)
	}
	for _, w := range [...]string{"authorization", "cookie", "token", "secret", "password", "passwd", "api-key", "apikey", "api_key", "session-key", "signature"} {
		if bytes.Contains(n, []byte(w)) {
			return true
		}
	}
	return false
}

const redacted = "[redacted]"

func redactHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		if secretName(k) {
			out[k] = []string{redactValue(k, v)}
			continue
		}
		out[k] = v // a request's header values are its own: nothing changes them after
	}
	return out
}

// redactValue keeps the scheme of an Authorization header (Bearer, Basic…), which tests may
// want to check, and hides the credential.
func redactValue(name string, v []string) string {
	if len(v) > 0 && strings.EqualFold(name, "Authorization") {
		if scheme, _, ok := strings.Cut(v[0], " "); ok {
			return scheme + " " + redacted
		}
	}
	return redacted
}

func redactQuery(q url.Values) map[string][]string {
	out := make(map[string][]string, len(q))
	for k, v := range q {
		if secretName(k) {
			out[k] = []string{redacted}
			continue
		}
		out[k] = v
	}
	return out
}

func redactURL(u *url.URL) string {
	c := *u
	if c.RawQuery != "" {
		q := c.Query()
		for k := range q {
			if secretName(k) {
				q.Set(k, redacted)
			}
		}
		c.RawQuery = q.Encode()
	}
	return c.RequestURI()
}
