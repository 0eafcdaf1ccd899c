package scenario

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// avatarRequest is a PATCH of a user avatar with a JSON body.
func avatarRequest() Request {
	return Request{
		Operation:  "patchUserAvatar",
		Method:     "PATCH",
		Template:   "/user-avatar/{id}",
		PathParams: map[string]string{"id": "8f1c"},
		Query:      url.Values{"id": {"from-query"}, "tag": {"a", "b"}, "mode": {"fast"}},
		Header:     http.Header{"X-Test": {"reset"}, "Accept": {"application/json", "text/plain"}},
		Body: map[string]any{
			"avatar": map[string]any{"id": "6416", "size": float64(7), "big": json.Number("9007199254740993")},
			"tags":   []any{"x", map[string]any{"k": true}, nil},
			"a/b":    "slash",
			"m~n":    "tilde",
			"~1":     "escaped-looking",
			"":       "empty key",
			"n":      int64(3),
		},
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name string
		m    Match
		want bool
	}{
		{"zero matches all", Match{}, true},
		// Operation.
		{"operation id", Match{Operation: "patchUserAvatar"}, true},
		{"other operation id", Match{Operation: "getUserAvatar"}, false},
		{"method and template", Match{Operation: "PATCH /user-avatar/{id}"}, true},
		{"method case-insensitive", Match{Operation: "patch /user-avatar/{id}"}, true},
		{"extra spaces", Match{Operation: " PATCH  /user-avatar/{id} "}, true},
		{"operation id case-insensitive", Match{Operation: "PatchUserAvatar"}, true},
		{"every operation", Match{Operation: "*"}, true},
		{"other method", Match{Operation: "GET /user-avatar/{id}"}, false},
		{"template exact", Match{Operation: "PATCH /user-avatar/{ID}"}, false},
		{"concrete path is not the template", Match{Operation: "PATCH /user-avatar/8f1c"}, false},
		// Params: path first, then query.
		{"path param", Match{Params: map[string]string{"id": "8f1c"}}, true},
		{"path wins over query", Match{Params: map[string]string{"id": "from-query"}}, false},
		{"query param", Match{Params: map[string]string{"mode": "fast"}}, true},
		{"query param other value", Match{Params: map[string]string{"mode": "slow"}}, false},
		{"any query value", Match{Params: map[string]string{"tag": "b"}}, true},
		{"missing param", Match{Params: map[string]string{"page": "1"}}, false},
		{"all params", Match{Params: map[string]string{"id": "8f1c", "mode": "fast"}}, true},
		{"one param fails", Match{Params: map[string]string{"id": "8f1c", "mode": "slow"}}, false},
		// Headers.
		{"header", Match{Headers: map[string]string{"X-Test": "reset"}}, true},
		{"header name case-insensitive", Match{Headers: map[string]string{"x-TEST": "reset"}}, true},
		{"header value exact", Match{Headers: map[string]string{"X-Test": "Reset"}}, false},
		{"any header value", Match{Headers: map[string]string{"accept": "text/plain"}}, true},
		{"missing header", Match{Headers: map[string]string{"X-Other": ""}}, false},
		// Body pointers.
		{"nested pointer", Match{Body: map[string]any{"/avatar/id": "6416"}}, true},
		{"nested pointer other value", Match{Body: map[string]any{"/avatar/id": "6417"}}, false},
		{"number", Match{Body: map[string]any{"/avatar/size": 7}}, true},
		{"number as float", Match{Body: map[string]any{"/avatar/size": 7.0}}, true},
		{"number as json.Number", Match{Body: map[string]any{"/avatar/size": json.Number("7.00")}}, true},
		{"number in exponent form", Match{Body: map[string]any{"/avatar/size": json.Number("0.7e1")}}, true},
		{"int64 body number", Match{Body: map[string]any{"/n": json.Number("3")}}, true},
		{"string is not a number", Match{Body: map[string]any{"/avatar/size": "7"}}, false},
		{"number is not a string", Match{Body: map[string]any{"/avatar/id": json.Number("6416")}}, false},
		{"large integer exact", Match{Body: map[string]any{"/avatar/big": json.Number("9007199254740993")}}, true},
		{"large integer off by one", Match{Body: map[string]any{"/avatar/big": json.Number("9007199254740992")}}, false},
		{"array index", Match{Body: map[string]any{"/tags/0": "x"}}, true},
		{"array then object", Match{Body: map[string]any{"/tags/1/k": true}}, true},
		{"array null element", Match{Body: map[string]any{"/tags/2": nil}}, true},
		{"array past the end", Match{Body: map[string]any{"/tags/3": nil}}, false},
		{"array dash", Match{Body: map[string]any{"/tags/-": "x"}}, false},
		{"array leading zero", Match{Body: map[string]any{"/tags/00": "x"}}, false},
		{"array index not a number", Match{Body: map[string]any{"/tags/x": "x"}}, false},
		{"whole array", Match{Body: map[string]any{"/tags": []any{"x", map[string]any{"k": true}, nil}}}, true},
		{"whole array, other order", Match{Body: map[string]any{"/tags": []any{nil, "x", map[string]any{"k": true}}}}, false},
		{"object deep, numbers numerically", Match{Body: map[string]any{"/avatar": map[string]any{"id": "6416", "size": int64(7), "big": json.Number("9007199254740993")}}}, true},
		{"object with a key missing", Match{Body: map[string]any{"/avatar": map[string]any{"id": "6416"}}}, false},
		{"escaped slash", Match{Body: map[string]any{"/a~1b": "slash"}}, true},
		{"escaped tilde", Match{Body: map[string]any{"/m~0n": "tilde"}}, true},
		{"~01 is ~1, not /", Match{Body: map[string]any{"/~01": "escaped-looking"}}, true},
		{"empty key", Match{Body: map[string]any{"/": "empty key"}}, true},
		{"missing key", Match{Body: map[string]any{"/nope": nil}}, false},
		{"null is not missing", Match{Body: map[string]any{"/avatar/nope": nil}}, false},
		{"through a scalar", Match{Body: map[string]any{"/avatar/id/x": "6416"}}, false},
		{"several pointers", Match{Body: map[string]any{"/avatar/id": "6416", "/n": 3}}, true},
		// Everything together.
		{"all kinds", Match{
			Operation: "patchUserAvatar",
			Params:    map[string]string{"id": "8f1c"},
			Headers:   map[string]string{"x-test": "reset"},
			Body:      map[string]any{"/avatar/id": "6416"},
		}, true},
		{"all kinds, one fails", Match{
			Operation: "patchUserAvatar",
			Params:    map[string]string{"id": "8f1c"},
			Headers:   map[string]string{"x-test": "other"},
			Body:      map[string]any{"/avatar/id": "6416"},
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.m.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			c, err := compile(tt.m)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			r := avatarRequest()
			if got := c.matches(&r); got != tt.want {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchEdgeRequests(t *testing.T) {
	// No operationId: only the method form matches.
	r := Request{Method: "get", Template: "/ping"}
	for op, want := range map[string]bool{"GET /ping": true, "": true, "ping": false, "GET": false, "GET /pong": false} {
		c, _ := compile(Match{Operation: op})
		if got := c.matches(&r); got != want {
			t.Errorf("Operation %q on an operation without id: %v, want %v", op, got, want)
		}
	}
	// An empty operationId never matches an empty Match.Operation by id.
	c, _ := compile(Match{Body: map[string]any{"": nil}})
	if c.matches(&Request{}) {
		t.Error("a body pointer matched a request without body")
	}
	c, _ = compile(Match{Body: map[string]any{"": "text"}})
	if !c.matches(&Request{Body: "text"}) {
		t.Error(`pointer "" did not match the whole body`)
	}
	// Header maps whose keys are not canonical.
	c, _ = compile(Match{Headers: map[string]string{"X-Lower": "v"}})
	if !c.matches(&Request{Header: http.Header{"x-lower": {"v"}}}) {
		t.Error("non-canonical header key not found")
	}
	// Nil maps everywhere.
	c, _ = compile(Match{Params: map[string]string{"id": "1"}, Headers: map[string]string{"A": "b"}})
	if c.matches(&Request{}) {
		t.Error("matched a request with no params and headers")
	}
}

// TestParsePointer: ParsePointer is jsonptr.Parse's tokens (tested there), for the fixture
// package.
func TestParsePointer(t *testing.T) {
	if got, err := ParsePointer("/a~1b/~0c"); err != nil || !reflect.DeepEqual(got, []string{"a/b", "~c"}) {
		t.Errorf("ParsePointer = %q, %v", got, err)
	}
	if _, err := ParsePointer("a"); err == nil {
		t.Error("ParsePointer accepted a pointer without /")
	}
}

// TestMatchSelector is the operation selector as scenarios use it: the same
// rules as fixtures, rate limits and verify (see package opsel).
func TestMatchSelector(t *testing.T) {
	get := Request{Operation: "getThing", Method: "GET", Template: "/things/{id}", PathParams: map[string]string{"id": "7"}}
	noID := Request{Method: "GET", Template: "/things/{id}"}
	tests := []struct {
		op        string
		get, noID bool
	}{
		{"GET /things/{id}", true, true},
		{"get /things/{id}", true, true},
		{"Get   /things/{id}  ", true, true},
		{"getThing", true, false},
		{"GETTHING", true, false},
		{"*", true, true},
		{"GET /things/{thingId}", false, false},
		{"GET /things/7", false, false},
		{"POST /things/{id}", false, false},
		{"GET things", false, false},
	}
	for _, tt := range tests {
		c, err := compile(Match{Operation: tt.op})
		if err != nil {
			t.Fatalf("compile(%q): %v", tt.op, err)
		}
		if got := c.matches(&get); got != tt.get {
			t.Errorf("%q on getThing: %v, want %v", tt.op, got, tt.get)
		}
		if got := c.matches(&noID); got != tt.noID {
			t.Errorf("%q on an operation without id: %v, want %v", tt.op, got, tt.noID)
		}
	}
	if _, err := compile(Match{Operation: "  "}); err == nil {
		t.Error("a blank operation compiled")
	}
	// Through a Set, as the server uses it.
	s := NewSet()
	active := true
	if err := s.Put(Scenario{Name: "lower", Match: Match{Operation: "get /things/{id}"}, Active: &active, Steps: []Step{{Status: 404}}}); err != nil {
		t.Fatal(err)
	}
	if h, ok := s.Next(get); !ok || h.Step.Status != 404 {
		t.Errorf("Next = %+v, %v; want the 404 step", h, ok)
	}
}
