package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"
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
func (v Violation) MarshalJSON() ([]byte, error) {
	type plain Violation
	if v.Severity == "" {
		v.Severity = violationError
	}
	return json.Marshal(plain(v))
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
