package jsonptr

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"/", []string{""}, ""},
		{"/a/b", []string{"a", "b"}, ""},
		{"/a~1b/~0c", []string{"a/b", "~c"}, ""},
		{"/~01", []string{"~1"}, ""},
		{"/~10", []string{"/0"}, ""},
		{"//", []string{"", ""}, ""},
		{"a", nil, `JSON pointer "a" does not start with /`},
		{"/a~", nil, `JSON pointer "/a~": ~ must be followed by 0 or 1`},
		{"/a~2", nil, `JSON pointer "/a~2": ~ must be followed by 0 or 1`},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Parse(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if got := p.Tokens(); err != nil || !reflect.DeepEqual(got, tt.want) || p.String() != tt.in {
			t.Errorf("Parse(%q) = %q (%q), %v; want %q", tt.in, got, p.String(), err, tt.want)
		}
	}
}

// TestEquals is "the value at a pointer equals X" over a body as the server decodes it.
func TestEquals(t *testing.T) {
	var doc any
	dec := json.NewDecoder(strings.NewReader(`{
		"n": 7, "f": 7.5, "s": "7", "big": 9007199254740993, "null": null, "t": true,
		"a": {"b": {"c": "deep"}}, "a/b": "slash", "m~n": "tilde", "~1": "escaped-looking", "": "empty key",
		"list": ["x", {"k": 1}, null], "obj": {"x": 1, "y": [1, 2]}}`))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var plain any // the same body without UseNumber: numbers are float64
	if err := json.Unmarshal([]byte(`{"n": 7, "list": [1.5]}`), &plain); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		doc  any
		ptr  string
		want any
		ok   bool
	}{
		{"int equals int", doc, "/n", 7, true},
		{"int equals float", doc, "/n", 7.0, true},
		{"int equals json.Number", doc, "/n", json.Number("7.00"), true},
		{"int equals exponent form", doc, "/n", json.Number("0.7e1"), true},
		{"float64 body", plain, "/n", 7, true},
		{"number is not a string", doc, "/n", "7", false},
		{"string is not a number", doc, "/s", 7, false},
		{"string equals string", doc, "/s", "7", true},
		{"other number", doc, "/n", 8, false},
		{"fraction", doc, "/f", 7.5, true},
		{"fraction is not the integer", doc, "/f", 7, false},
		{"large integer exact", doc, "/big", json.Number("9007199254740993"), true},
		{"large integer off by one", doc, "/big", json.Number("9007199254740992"), false},
		{"nested", doc, "/a/b/c", "deep", true},
		{"nested other value", doc, "/a/b/c", "shallow", false},
		{"escaped slash ~1", doc, "/a~1b", "slash", true},
		{"escaped tilde ~0", doc, "/m~0n", "tilde", true},
		{"~01 is ~1, not /", doc, "/~01", "escaped-looking", true},
		{"empty key", doc, "/", "empty key", true},
		{"array index", doc, "/list/0", "x", true},
		{"array then object", doc, "/list/1/k", 1, true},
		{"array null element", doc, "/list/2", nil, true},
		{"array of a float64 body", plain, "/list/0", json.Number("1.50"), true},
		{"array past the end", doc, "/list/3", nil, false},
		{"array dash", doc, "/list/-", "x", false},
		{"array leading zero", doc, "/list/00", "x", false},
		{"array index not a number", doc, "/list/x", "x", false},
		{"missing key", doc, "/nope", nil, false},
		{"null is not missing", doc, "/null", nil, true},
		{"missing under a scalar", doc, "/s/x", "7", false},
		{"bool", doc, "/t", true, true},
		{"bool is not a string", doc, "/t", "true", false},
		{"object, any key order", doc, "/obj", map[string]any{"y": []any{1, 2.0}, "x": 1}, true},
		{"object with a key missing", doc, "/obj", map[string]any{"x": 1}, false},
		{"array order counts", doc, "/obj/y", []any{2, 1}, false},
		{"whole document", "text", "", "text", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.ptr)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Equals(tt.doc, tt.want); got != tt.ok {
				v, found := p.Get(tt.doc)
				t.Errorf("Equals(%q, %#v) = %v, want %v (value %#v, found %v)", tt.ptr, tt.want, got, tt.ok, v, found)
			}
		})
	}
}

func TestEqualNumbers(t *testing.T) {
	eq := [][2]any{
		{int64(7), 7.0},
		{7, json.Number("7")},
		{json.Number("7"), json.Number("7.0")},
		{json.Number("700"), json.Number("7e2")},
		{json.Number("700"), json.Number("7E+2")},
		{json.Number("0.07"), json.Number("7e-2")},
		{json.Number("-0"), 0},
		{0.1, json.Number("0.1")},
		{1e21, json.Number("1000000000000000000000")},
		{uint64(18446744073709551615), json.Number("18446744073709551615")},
		{float32(1.5), 1.5},
		{int8(-3), json.Number("-3.000")},
		{json.Number("1e999999999"), json.Number("10e999999998")}, // linear, whatever the exponent
	}
	for _, p := range eq {
		if !Equal(p[0], p[1]) || !Equal(p[1], p[0]) {
			t.Errorf("Equal(%#v, %#v) = false, want true", p[0], p[1])
		}
	}
	ne := [][2]any{
		{7, "7"},
		{7, 8},
		{json.Number("-7"), 7},
		{json.Number("9007199254740993"), float64(9007199254740992)},
		{json.Number("1e5"), json.Number("1e6")},
		{0, nil},
		{0, false},
		{json.Number("x"), json.Number("y")},
		{json.Number("1e"), 1},
		{map[string]any{"a": 1}, map[string]any{"b": 1}},
		{[]any{1}, []any{1, 2}},
		{map[string]any{}, []any{}},
		{"a", []byte("a")},
	}
	for _, p := range ne {
		if Equal(p[0], p[1]) || Equal(p[1], p[0]) {
			t.Errorf("Equal(%#v, %#v) = true, want false", p[0], p[1])
		}
	}
	if !Equal(json.Number("x"), json.Number("x")) {
		t.Error("a malformed json.Number is not equal to itself")
	}
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "-0.000": "0", "0e5": "0", "120": "12e1", "1.20": "12e-1", "-0.5": "-5e-1",
		"12.5e-3": "125e-4", "1e+07": "1e7", "007": "7e0",
	} {
		if got, err := canonical(in); err != nil || got != want {
			t.Errorf("canonical(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-", ".5", "1.2.3", "1e", "1e+", "abc", "NaN", "+Inf", "1e1234567890123456", strings.Repeat("1", 3) + "x"} {
		if got, err := canonical(in); err == nil {
			t.Errorf("canonical(%q) = %q, want an error", in, got)
		}
	}
}
