package mockserver

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/journal"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// What the mock hides of a request before it leaves the process (the journal's answers,
// verify's where-clauses, the logs, coverage's samples). The journal keeps requests as they
// came, and they are redacted when read: the request's path pays nothing for it.
//
// A name (header, query parameter, cookie, body field at any depth) is secret when
//   - a description declares it: an apiKey security scheme's name (header, query or cookie),
//     a request body property that is writeOnly or has format: password, a parameter with
//     format: password; http, oauth2 and openIdConnect schemes send Authorization, which is
//     always secret;
//   - Config.Redact names it (any case);
//   - it is Authorization, Proxy-Authorization or Cookie;
//   - it is a common credential name (secretName): matched by whole words, so that author,
//     keyword or Idempotency-Key are shown.
//
// The mock's own session header and cookie (X-Mock-Session, mock_session) are never hidden by
// the common names: the journal lists and filters by session.

// redacted stands where a secret was.
const redacted = "[redacted]"

// Common credential names, matched case-insensitively on the words of a name (secretName).
var (
	// secretWhole are secret only as the whole name (a leading "X-" aside): "key" or "X-Key",
	// not Idempotency-Key.
	secretWhole = [...]string{"key", "sig", "sid", "pass", "pw"}
	// secretWords are secret as any word of a name: X-Auth, zt-session, access_token.
	secretWords = [...]string{"token", "secret", "password", "passwd", "pwd", "passphrase", "apikey",
		"signature", "sig", "session", "credential", "credentials", "auth", "authorization", "cookie",
		"jwt", "csrf", "xsrf", "otp", "cvc", "cvv"}
	// secretSuffixes are secret at the end of a word: accesstoken, clientsecret, jsessionid.
	secretSuffixes = [...]string{"token", "secret", "password", "passwd", "apikey", "sessionid", "sessid"}
	// secretPairs are secret as two words in a row, the first maybe the end of a longer one:
	// api_key, X-Api-Key, privateKey, X-Rapidapi-Key.
	secretPairs = [...][2]string{{"api", "key"}, {"private", "key"}, {"secret", "key"}, {"access", "key"},
		{"signing", "key"}, {"encryption", "key"}, {"master", "key"}, {"subscription", "key"},
		{"client", "key"}, {"pass", "word"}, {"pass", "phrase"}}
)

// secretName reports whether name is a common credential name. It splits name into words (at
// anything not a letter or digit, at a lower-case letter followed by a capital, before the
// last capital of a run followed by a lower-case letter, between letters and digits) and
// looks them up in the lists above. It allocates nothing.
func secretName(name string) bool {
	if strings.EqualFold(name, HeaderSession) || strings.EqualFold(name, CookieSession) {
		return false
	}
	whole := name
	if len(whole) > 2 && (whole[0] == 'x' || whole[0] == 'X') && whole[1] == '-' {
		whole = whole[2:]
	}
	for _, w := range secretWhole {
		if strings.EqualFold(whole, w) {
			return true
		}
	}
	var prev string
	return eachWord(name, func(w string) bool {
		for _, s := range secretWords {
			if strings.EqualFold(w, s) {
				return true
			}
		}
		for _, s := range secretSuffixes {
			if len(w) > len(s) && strings.EqualFold(w[len(w)-len(s):], s) {
				return true
			}
		}
		for _, p := range secretPairs {
			if len(prev) >= len(p[0]) && strings.EqualFold(prev[len(prev)-len(p[0]):], p[0]) && strings.EqualFold(w, p[1]) {
				return true
			}
		}
		prev = w
		return false
	})
}

// eachWord calls f with each word of name (as secretName splits them) until f returns true,
// and reports whether it did.
func eachWord(name string, f func(string) bool) bool {
	start := -1
	for i := 0; i <= len(name); i++ {
		if i == len(name) || !wordByte(name[i]) {
			if start >= 0 && f(name[start:i]) {
				return true
			}
			start = -1
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		p, c := name[i-1], name[i]
		if lower(p) && upper(c) || // fooBar
			upper(p) && upper(c) && i+1 < len(name) && lower(name[i+1]) || // APIKey
			digit(p) != digit(c) { // sha256
			if f(name[start:i]) {
				return true
			}
			start = i
		}
	}
	return false
}

func lower(c byte) bool    { return 'a' <= c && c <= 'z' }
func upper(c byte) bool    { return 'A' <= c && c <= 'Z' }
func digit(c byte) bool    { return '0' <= c && c <= '9' }
func wordByte(c byte) bool { return lower(c) || upper(c) || digit(c) || c >= 0x80 }

// redactor knows the secret names of one version of the server: built at start-up from the
// descriptions and the configuration (newRedactor), only read afterwards.
type redactor struct {
	names map[string]bool // by nameKey: declared, configured, Authorization, Cookie
}

// nameKey is how a secret name is known whatever its spelling in a header, a query or a body:
// in any case, with or without - and _ (X-Custom, x_custom, xcustom).
func nameKey(name string) string {
	return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
}

// maxSchemaDepth bounds the walk of a request body's schema for secret properties.
const maxSchemaDepth = 64

// newRedactor collects the secret names the descriptions declare (see the top of this file),
// and those of Config.Redact.
func newRedactor(docs []*spec.Document, extra []string) *redactor {
	rd := &redactor{names: map[string]bool{"authorization": true, "proxyauthorization": true, "cookie": true}}
	add := func(name string) {
		if name != "" {
			rd.names[nameKey(name)] = true
		}
	}
	for _, n := range extra {
		add(strings.TrimSpace(n))
	}
	for _, d := range docs {
		if d.Doc.Components != nil {
			for _, ref := range d.Doc.Components.SecuritySchemes {
				// Swagger 2.0's securityDefinitions are converted to these on load.
				if ref != nil && ref.Value != nil && strings.EqualFold(ref.Value.Type, "apiKey") {
					add(ref.Value.Name)
				}
			}
		}
		seen := map[*openapi3.Schema]bool{} // the properties found under a schema are the same wherever it is used
		var walk func(ref *openapi3.SchemaRef, depth int)
		walk = func(ref *openapi3.SchemaRef, depth int) {
			if ref == nil || ref.Value == nil || seen[ref.Value] || depth > maxSchemaDepth {
				return
			}
			s := ref.Value
			seen[s] = true
			for name, p := range s.Properties {
				if p != nil && p.Value != nil && (p.Value.WriteOnly || p.Value.Format == "password") {
					add(name)
				}
				walk(p, depth+1)
			}
			for _, p := range s.PatternProperties {
				walk(p, depth+1)
			}
			walk(s.Items, depth+1)
			walk(s.AdditionalProperties.Schema, depth+1)
			for _, group := range [...]openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
				for _, p := range group {
					walk(p, depth+1)
				}
			}
		}
		for _, op := range d.Ops {
			for _, p := range op.Params {
				if p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Format == "password" {
					add(p.Name)
				}
			}
			if rb := op.Op.RequestBody; rb != nil && rb.Value != nil {
				for _, mt := range rb.Value.Content {
					if mt != nil {
						walk(mt.Schema, 0)
					}
				}
			}
		}
	}
	return rd
}

// Secret reports whether the header, parameter, cookie or field name must be hidden. A form
// field or query name such as user[password] or filter.token is secret when any of its parts
// is.
func (rd *redactor) Secret(name string) bool {
	if secretName(name) {
		return true
	}
	if rd == nil {
		return false
	}
	if rd.names[nameKey(name)] {
		return true
	}
	if strings.ContainsAny(name, "[].") {
		for part := range strings.FieldsFuncSeq(name, func(r rune) bool { return r == '[' || r == ']' || r == '.' }) {
			if rd.names[nameKey(part)] {
				return true
			}
		}
	}
	return false
}

// both hides what either of two redactors hides: a journal entry is shown by the rules it was
// recorded under and by the current ones.
type both [2]journal.Redactor

func (b both) Secret(name string) bool { return b[0].Secret(name) || b[1].Secret(name) }

// rulesFor is how to show e: by the redactor it was recorded with and the server's own.
func (s *Server) rulesFor(e *journal.Entry) journal.Redactor {
	if e.Redact == nil || e.Redact == journal.Redactor(s.redact) {
		return s.redact
	}
	return both{e.Redact, s.redact}
}

// redactHeaders returns h with the values of secret headers hidden: h itself when none is.
// Authorization keeps its scheme (Bearer, Basic…) and Cookie the cookies' names, which tests
// may want to check; the mock's own session cookie is shown.
func redactHeaders(rd journal.Redactor, h map[string][]string) map[string][]string {
	var out map[string][]string
	for k, vs := range h {
		if !rd.Secret(k) {
			continue
		}
		if out == nil {
			out = make(map[string][]string, len(h))
			for k, vs := range h {
				out[k] = vs
			}
		}
		out[k] = redactHeader(k, vs)
	}
	if out == nil {
		return h
	}
	return out
}

// redactHeader hides the values of the secret header name.
func redactHeader(name string, vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		switch {
		case strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization"):
			out[i] = redacted
			if scheme, _, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
				out[i] = scheme + " " + redacted
			}
		case strings.EqualFold(name, "Cookie"):
			var b strings.Builder
			for part := range strings.SplitSeq(v, ";") {
				if b.Len() > 0 {
					b.WriteString("; ")
				}
				n, val, ok := strings.Cut(strings.TrimSpace(part), "=")
				switch {
				case !ok: // no name: all of it is the value
					b.WriteString(redacted)
				case n == CookieSession:
					b.WriteString(n + "=" + val)
				default:
					b.WriteString(n + "=" + redacted)
				}
			}
			out[i] = b.String()
		default:
			out[i] = redacted
		}
	}
	return out
}

// redactPairs hides the values of the secret names in a query string or a form body
// (name=value pairs between & or ;). It keeps everything else as written, and returns s itself
// when nothing is hidden. s may be cut anywhere: a value cut short is hidden all the same.
func redactPairs(rd journal.Redactor, s string) string {
	var b strings.Builder
	last := 0 // s[last:] is not yet in b
	for i := 0; i < len(s); {
		end := strings.IndexAny(s[i:], "&;")
		if end < 0 {
			end = len(s)
		} else {
			end += i
		}
		pair := s[i:end]
		if k, _, ok := strings.Cut(pair, "="); ok {
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			if rd.Secret(name) {
				b.WriteString(s[last : i+len(k)+1])
				b.WriteString(redacted)
				last = end
			}
		}
		i = end + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactURL is a request target (path and query) with the values of secret query parameters
// hidden.
func redactURL(rd journal.Redactor, target string) string {
	path, query, ok := strings.Cut(target, "?")
	if !ok {
		return target
	}
	if q := redactPairs(rd, query); q != query {
		return path + "?" + q
	}
	return target
}

// secretPaths are, by operation ID, the served paths of the operations with a path parameter
// whose name is secret (/tokens/{token}), as which of their segments (split at /) hold one:
// those segments are hidden in the journal and the logs. Nil when no operation has one.
func secretPaths(routes []Route, rd *redactor) map[string][][]bool {
	var out map[string][][]bool
	for _, rt := range routes {
		segs := strings.Split(rt.Path, "/")
		hide := make([]bool, len(segs))
		found := false
		for i, seg := range segs {
			hide[i] = secretSegment(rd, seg)
			found = found || hide[i]
		}
		if found {
			if out == nil {
				out = map[string][][]bool{}
			}
			out[rt.op.ID] = append(out[rt.op.ID], hide)
		}
	}
	return out
}

// secretSegment reports whether a template's path segment holds a secret parameter.
func secretSegment(rd journal.Redactor, seg string) bool {
	for rest := seg; ; {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest[i+1:], '}')
		if i < 0 || j < 0 {
			return false
		}
		if rd.Secret(rest[i+1 : i+1+j]) {
			return true
		}
		rest = rest[i+2+j:]
	}
}

// redactPath hides the segments of path (as sent, no query) that hold a secret parameter in
// one of the paths it may have matched (secretPaths); path itself when there is none.
func redactPath(paths [][]bool, path string) string {
	if len(paths) == 0 {
		return path
	}
	segs := strings.Split(path, "/")
	changed := false
	for _, hide := range paths {
		if len(hide) != len(segs) {
			continue
		}
		for i, h := range hide {
			if h && segs[i] != redacted {
				segs[i], changed = redacted, true
			}
		}
	}
	if !changed {
		return path
	}
	return strings.Join(segs, "/")
}

// redactedURL is r's target as the logs may show it.
func (s *Server) redactedURL(r *http.Request) string {
	return redactURL(s.redact, r.URL.RequestURI())
}

// redactBody hides the values of the secret fields of a request body: of a form body (or one
// whose Content-Type is not known: the journal may have cut it), of the parts of a multipart
// one, and of JSON members at any depth, whatever the Content-Type says (a JSON part of a
// multipart body, a JSON body sent as text). It returns body itself when nothing is hidden.
// body may be cut anywhere.
func redactBody(rd journal.Redactor, contentType string, body []byte) []byte {
	mt, params, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/x-www-form-urlencoded" || (mt == "" && bytes.IndexByte(body, '=') >= 0):
		if s := redactPairs(rd, string(body)); s != string(body) {
			body = []byte(s)
		}
	case strings.HasPrefix(mt, "multipart/") && params["boundary"] != "":
		body = redactParts(rd, params["boundary"], body)
	}
	return redactJSON(rd, body)
}

// redactParts hides the content of the parts of a multipart body whose name (its
// Content-Disposition's) is secret; a part cut short is hidden to the end. It returns body
// itself when nothing is hidden.
func redactParts(rd journal.Redactor, boundary string, body []byte) []byte {
	delim := []byte("--" + boundary)
	var out []byte
	last := 0 // body[last:] is not yet in out
	for i := bytes.Index(body, delim); i >= 0; {
		start := i + len(delim)
		next := bytes.Index(body[start:], delim)
		end := len(body)
		if next >= 0 {
			end = start + next
		}
		part := body[start:end]
		if h := bytes.Index(part, []byte("\r\n\r\n")); h >= 0 && rd.Secret(partName(part[:h])) {
			content := start + h + 4
			stop := end
			if next >= 0 && stop-2 >= content && string(body[stop-2:stop]) == "\r\n" {
				stop -= 2 // the line break before the next delimiter is not the part's
			}
			out = append(append(out, body[last:content]...), redacted...)
			last = stop
		}
		if next < 0 {
			break
		}
		i = end
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// partName is the name a multipart part's headers give it (Content-Disposition: form-data;
// name="…"), "" when they give none.
func partName(headers []byte) string {
	for line := range strings.SplitSeq(string(headers), "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "Content-Disposition") {
			continue
		}
		if _, params, err := mime.ParseMediaType(strings.TrimSpace(v)); err == nil {
			return params["name"]
		}
	}
	return ""
}

// redactJSON replaces the value of every member whose name is secret, at any depth, with
// "[redacted]". It scans the bytes rather than decoding them, so that a body cut anywhere (the
// journal keeps its start) is hidden as well as a whole one: a member name followed by a
// colon is a member wherever it is, and a value cut short is hidden to the end. It returns b
// itself when nothing is hidden.
func redactJSON(rd journal.Redactor, b []byte) []byte {
	var out []byte
	last := 0 // b[last:] is not yet in out
	for i := 0; i < len(b); {
		if b[i] != '"' {
			i++
			continue
		}
		end, closed := jsonStringEnd(b, i)
		j := skipJSONSpace(b, end)
		if !closed || j >= len(b) || b[j] != ':' {
			i = end
			continue
		}
		if !rd.Secret(jsonName(b[i:end])) {
			i = j + 1
			continue
		}
		vs := skipJSONSpace(b, j+1)
		if vs >= len(b) {
			break // the body ends before the value: nothing to hide
		}
		ve := jsonValueEnd(b, vs)
		out = append(append(out, b[last:vs]...), `"`+redacted+`"`...)
		last, i = ve, ve
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// jsonName is the text of the JSON string s (quotes included).
func jsonName(s []byte) string {
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s[1 : len(s)-1])
	}
	var name string
	if json.Unmarshal(s, &name) != nil {
		return string(s[1 : len(s)-1])
	}
	return name
}

// jsonStringEnd is the index after the string starting at b[i] (a quote), and whether it
// ends before b does.
func jsonStringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(b), false
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// jsonValueEnd is the index after the value starting at b[i], or len(b) when b ends first.
func jsonValueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		end, _ := jsonStringEnd(b, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _ := jsonStringEnd(b, j)
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for ; j < len(b); j++ {
		switch b[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return j
}

// hidesMessage reports whether the message of a violation at location (["query", "api_key"],
// ["body", "user", "password"]…) must be hidden: it is about a secret header, parameter or
// field, and may quote its value. A message saying the value is missing or empty is shown.
func hidesMessage(rd journal.Redactor, location []string, code string) bool {
	if code == "required" || code == "empty" {
		return false
	}
	for i, l := range location {
		if i > 0 && rd.Secret(l) {
			return true
		}
	}
	return false
}
