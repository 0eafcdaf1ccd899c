package opsel

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string // want: String(), or "error"
	}{
		{"getThing", "getThing"},
		{"  getThing ", "getThing"},
		{"GET /things/{id}", "GET /things/{id}"},
		{"get /things/{id}", "GET /things/{id}"},
		{" Post \t /things  ", "POST /things"},
		{"*", "*"},
		{" * ", "*"},
		{"GET things", "GET things"}, // not the method form: an operationId that will not be found
		{"/things", "/things"},
		{"", "error"},
		{" \t ", "error"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.in)
		got := s.String()
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestMatches(t *testing.T) {
	type op struct{ id, method, template string }
	things := op{"createThing", "POST", "/things"}
	thing := op{"getThing", "GET", "/things/{id}"}
	noID := op{"", "GET", "/ping"}
	tests := []struct {
		sel  string
		op   op
		want bool
	}{
		{"createThing", things, true},
		{"creatething", things, true},
		{"CREATETHING", things, true},
		{"createThings", things, false},
		{"POST /things", things, true},
		{"post /things", things, true},
		{"Post  /things ", things, true},
		{"GET /things", things, false},
		{"POST /things/", things, false},
		{"POST /Things", things, false},
		{"GET /things/{id}", thing, true},
		{"get /things/{id}", thing, true},
		{"GET /things/{ID}", thing, false},
		{"GET /things/{thingId}", thing, false},
		{"GET /things/7", thing, false},
		{"GET /ping", noID, true},
		{"ping", noID, false},
		{"GET", noID, false},
		{"*", things, true},
		{"*", noID, true},
	}
	for _, tt := range tests {
		s, err := Parse(tt.sel)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.sel, err)
		}
		if got := s.Matches(tt.op.id, tt.op.method, tt.op.template); got != tt.want {
			t.Errorf("%q matches %v: %v, want %v", tt.sel, tt.op, got, tt.want)
		}
	}
	if (Selector{}).Matches("", "", "") || (Selector{}).Matches("x", "GET", "/") {
		t.Error("the zero Selector selected an operation")
	}
}
