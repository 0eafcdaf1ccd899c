package mockserver

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Violation is one way a request breaks its contract.
type Violation struct {
	// Location is where: the part of the request ("path", "query", "header", "cookie", "body")
	// followed by the parameter name and the path inside the value, e.g.
	// ["body","avatar","modelResource","id"] or ["query","filter","inviteType"].
	Location []string `json:"location"`
	// Severity is Prism's: "Error" (the default, written when empty) or "Warning".
	Severity string `json:"severity"`
	// Code is a stable machine-readable reason, e.g. "required", "type", "format", "pattern",
	// "enum", "security", "content-type".
	Code    string `json:"code"`
	Message string `json:"message"`
}

// violationError is the severity of a violation, as Prism names it.
const violationError = "Error"

// MarshalJSON writes the violation with its severity, "Error" unless set.
func (v Violation) MarshalJSON() ([]byte, error) { return v.appendJSON(nil, ""), nil }

// appendJSON appends the violation as a JSON object to b, its location preceded by prefix when
// that is not "" (Prism's "request"). Written by hand: it runs for every violation of every
// invalid request, twice (X-Mock-Violations and sl-violations).
func (v Violation) appendJSON(b []byte, prefix string) []byte {
	b = append(b, `{"location":[`...)
	n := 0
	if prefix != "" {
		b = appendJSONString(b, prefix)
		n++
	}
	for _, l := range v.Location {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, l)
		n++
	}
	b = append(b, `],"severity":`...)
	b = appendJSONString(b, cmp.Or(v.Severity, violationError))
	b = append(b, `,"code":`...)
	b = appendJSONString(b, v.Code)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, v.Message)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped (as encoding/json does).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// problem is an RFC 9457 problem details object.
type problem struct {
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Status     int         `json:"status"`
	Detail     string      `json:"detail,omitempty"`
	Instance   string      `json:"instance,omitempty"`
	Operation  string      `json:"operation,omitempty"` // the operation that answered, or the closest one on a miss
	Validation []Violation `json:"validation,omitempty"`
	// Choices lists what the client could have asked for (valid codes, example names, media types).
	Choices []string `json:"choices,omitempty"`
	Allow   []string `json:"allow,omitempty"`
}

const problemMediaType = "application/problem+json"

// problemTypes names each kind of problem the mock itself produces.
var problemTypes = map[int]string{
	http.StatusBadRequest:            "urn:mockserver:problem:bad-request",
	http.StatusUnauthorized:          "urn:mockserver:problem:unauthorized",
	http.StatusNotFound:              "urn:mockserver:problem:not-found",
	http.StatusMethodNotAllowed:      "urn:mockserver:problem:method-not-allowed",
	http.StatusNotAcceptable:         "urn:mockserver:problem:not-acceptable",
	http.StatusRequestEntityTooLarge: "urn:mockserver:problem:body-too-large",
	http.StatusUnsupportedMediaType:  "urn:mockserver:problem:unsupported-media-type",
	http.StatusUnprocessableEntity:   "urn:mockserver:problem:invalid-request",
	http.StatusInternalServerError:   "urn:mockserver:problem:internal",
}

func newProblem(status int, detail string) *problem {
	t, ok := problemTypes[status]
	if !ok {
		t = "urn:mockserver:problem:" + strconv.Itoa(status)
	}
	return &problem{Type: t, Title: http.StatusText(status), Status: status, Detail: detail}
}

func (p *problem) body() []byte {
	b, err := json.Marshal(p)
	if err != nil { // cannot happen: every field marshals
		return []byte(`{"title":"problem"}`)
	}
	return b
}
