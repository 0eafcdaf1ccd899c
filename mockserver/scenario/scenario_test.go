package scenario

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

const ms1 = time.Millisecond

func TestDelayJSON(t *testing.T) {
	tests := []struct {
		in   string
		want Delay
	}{
		{`250`, Delay{250 * ms1, 250 * ms1}},
		{`0`, Delay{}},
		{`null`, Delay{}},
		{`1.5`, Delay{1500 * time.Microsecond, 1500 * time.Microsecond}},
		{`"100-300"`, Delay{100 * ms1, 300 * ms1}},
		{`" 100 - 300 "`, Delay{100 * ms1, 300 * ms1}},
		{`"250"`, Delay{250 * ms1, 250 * ms1}},
		{`"0.5-1"`, Delay{500 * time.Microsecond, ms1}},
		{`{"min": 100, "max": 300}`, Delay{100 * ms1, 300 * ms1}},
		{`{"min": 5, "max": 5}`, Delay{5 * ms1, 5 * ms1}},
	}
	for _, tt := range tests {
		var d Delay
		if err := json.Unmarshal([]byte(tt.in), &d); err != nil || d != tt.want {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v", tt.in, d, err, tt.want)
		}
	}
	bad := map[string]string{
		`-5`:                          "delay -5 is negative",
		`"-5"`:                        `delay "-5" is not milliseconds ("250") or a range of milliseconds ("100-300")`,
		`"300-100"`:                   "delay minimum 300 is above its maximum 100",
		`"abc"`:                       `delay "abc" is not milliseconds ("250") or a range of milliseconds ("100-300")`,
		`"100-"`:                      `delay "100-" is not milliseconds ("250") or a range of milliseconds ("100-300")`,
		`"1-2-3"`:                     `delay "1-2-3" is not milliseconds ("250") or a range of milliseconds ("100-300")`,
		`"Inf"`:                       `delay "Inf" is not milliseconds ("250") or a range of milliseconds ("100-300")`,
		`""`:                          `delay "" is not milliseconds ("250") or a range of milliseconds ("100-300")`,
		`true`:                        `delay: want milliseconds, "MIN-MAX" or {"min": MIN, "max": MAX}, got true`,
		`[1]`:                         `delay: want milliseconds, "MIN-MAX" or {"min": MIN, "max": MAX}, got [1]`,
		`{"min": 1}`:                  `delay: want both "min" and "max"`,
		`{"min": 1, "max": 2, "x":0}`: `delay: json: unknown field "x"`,
		`{"min": 3, "max": 2}`:        "delay minimum 3 is above its maximum 2",
		`1e300`:                       "delay 1e+300 is too long",
	}
	for in, want := range bad {
		var d Delay
		if err := json.Unmarshal([]byte(in), &d); err == nil || err.Error() != want {
			t.Errorf("Unmarshal(%s) error = %v, want %q", in, err, want)
		}
	}
	for d, want := range map[Delay]string{
		{}:                     `0`,
		{250 * ms1, 250 * ms1}: `250`,
		{1500 * time.Microsecond, 1500 * time.Microsecond}: `1.5`,
		{100 * ms1, 300 * ms1}:                             `{"min":100,"max":300}`,
	} {
		got, err := json.Marshal(d)
		if err != nil || string(got) != want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", d, got, err, want)
		}
		var back Delay
		if err := json.Unmarshal(got, &back); err != nil || back != d {
			t.Errorf("round trip of %v = %v, %v", d, back, err)
		}
	}
	if got := (Delay{100 * ms1, 300 * ms1}).String(); got != "100-300" {
		t.Errorf("String = %q", got)
	}
}

func TestDelayPick(t *testing.T) {
	fixed := Delay{200 * ms1, 200 * ms1}
	for _, r := range []uint64{0, 1, 12345, math.MaxUint64} {
		if got := fixed.Pick(r); got != 200*ms1 {
			t.Errorf("fixed Pick(%d) = %v", r, got)
		}
	}
	d := Delay{100 * ms1, 300 * ms1}
	if got := d.Pick(0); got != d.Min {
		t.Errorf("Pick(0) = %v, want Min", got)
	}
	if got := d.Pick(uint64(d.Max - d.Min)); got != d.Max {
		t.Errorf("Pick(span) = %v, want Max", got)
	}
	seen := map[time.Duration]bool{}
	for r := uint64(0); r < 1000; r++ {
		x := r*0x9E3779B97F4A7C15 + 7
		got := d.Pick(x)
		if got < d.Min || got > d.Max {
			t.Fatalf("Pick(%d) = %v out of [%v, %v]", x, got, d.Min, d.Max)
		}
		if got != d.Pick(x) {
			t.Fatalf("Pick(%d) is not deterministic", x)
		}
		seen[got] = true
	}
	if len(seen) < 900 {
		t.Errorf("Pick spread over only %d values", len(seen))
	}
	huge := Delay{0, math.MaxInt64}
	if got := huge.Pick(math.MaxUint64); got < 0 {
		t.Errorf("huge Pick = %v", got)
	}
	if got := (Delay{}).Pick(99); got != 0 {
		t.Errorf("zero Pick = %v", got)
	}
}

func TestStepJSON(t *testing.T) {
	tests := []struct {
		in   string
		want Step
		out  string // re-encoded
	}{
		{`{"status": 200}`, Step{Status: 200}, `{"status":200}`},
		{`{"status": 204, "body": null}`, Step{Status: 204, HasBody: true}, `{"status":204,"body":null}`},
		{`{"status": 200, "body": {"a": [1, "x"]}}`, Step{Status: 200, HasBody: true, Body: map[string]any{"a": []any{1.0, "x"}}},
			`{"status":200,"body":{"a":[1,"x"]}}`},
		{`{"status": 200, "body": 0}`, Step{Status: 200, HasBody: true, Body: 0.0}, `{"status":200,"body":0}`},
		{`{"status": 503, "example": "unavailable", "headers": {"Retry-After": "1"}, "delay": "100-300", "fault": "trickle", "undocumented": true}`,
			Step{Status: 503, Example: "unavailable", Headers: map[string]string{"Retry-After": "1"}, Delay: Delay{100 * ms1, 300 * ms1}, Fault: FaultTrickle, Undocumented: true},
			`{"status":503,"example":"unavailable","headers":{"Retry-After":"1"},"delay":{"min":100,"max":300},"fault":"trickle","undocumented":true}`},
		{`{"status": 429, "delay": 200}`, Step{Status: 429, Delay: Delay{200 * ms1, 200 * ms1}}, `{"status":429,"delay":200}`},
	}
	for _, tt := range tests {
		var st Step
		if err := json.Unmarshal([]byte(tt.in), &st); err != nil || !reflect.DeepEqual(st, tt.want) {
			t.Errorf("Unmarshal(%s) = %+v, %v; want %+v", tt.in, st, err, tt.want)
			continue
		}
		out, err := json.Marshal(st)
		if err != nil || string(out) != tt.out {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", st, out, err, tt.out)
		}
	}
	var st Step
	if err := json.Unmarshal([]byte(`{"status": 200, "stauts": 1}`), &st); err == nil || err.Error() != `json: unknown field "stauts"` {
		t.Errorf("unknown key: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"status": 200, "delay": "x"}`), &st); err == nil || !strings.Contains(err.Error(), `delay "x" is not milliseconds`) {
		t.Errorf("bad delay: %v", err)
	}
}

func TestScenarioJSON(t *testing.T) {
	in := `{
	  "name": "image-rate-limited",
	  "match": {"operation": "updateUserImage", "params": {"id": "1"}, "headers": {"X-Test": "a"}, "body": {"/size": 12345678901234567890}},
	  "steps": [{"status": 429, "delay": 200}, {"status": 200}],
	  "repeat": true,
	  "active": false,
	  "session": "qa"
	}`
	var sc Scenario
	if err := json.Unmarshal([]byte(in), &sc); err != nil {
		t.Fatal(err)
	}
	f := false
	want := Scenario{
		Name: "image-rate-limited",
		Match: Match{Operation: "updateUserImage", Params: map[string]string{"id": "1"}, Headers: map[string]string{"X-Test": "a"},
			Body: map[string]any{"/size": json.Number("12345678901234567890")}},
		Steps:   []Step{{Status: 429, Delay: Delay{200 * ms1, 200 * ms1}}, {Status: 200}},
		Repeat:  true,
		Active:  &f,
		Session: "qa",
	}
	if !reflect.DeepEqual(sc, want) {
		t.Fatalf("Unmarshal = %+v\nwant %+v", sc, want)
	}
	out, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	const wantOut = `{"name":"image-rate-limited","match":{"operation":"updateUserImage","params":{"id":"1"},"headers":{"X-Test":"a"},"body":{"/size":12345678901234567890}},"steps":[{"status":429,"delay":200},{"status":200}],"repeat":true,"active":false,"session":"qa"}`
	if string(out) != wantOut {
		t.Errorf("Marshal = %s\nwant %s", out, wantOut)
	}
	for _, bad := range []string{
		`{"name": "x", "step": []}`,
		`{"name": "x", "match": {"operation": "o", "param": {}}, "steps": []}`,
		`{"name": "x", "steps": [{"status": 200, "fualt": "reset"}]}`,
	} {
		if err := json.Unmarshal([]byte(bad), &sc); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("Unmarshal(%s) = %v, want an unknown field error", bad, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Step{Status: 200}
	tests := []struct {
		sc   Scenario
		want string
	}{
		{Scenario{Name: "a-b_c.d~1", Steps: []Step{ok}}, ""},
		{Scenario{Name: "x", Steps: []Step{ok}, Times: 3}, ""},
		{Scenario{Name: "x", Steps: []Step{ok, ok}, Repeat: true}, ""},
		{Scenario{Steps: []Step{ok}}, "scenario: empty name"},
		{Scenario{Name: "a b", Steps: []Step{ok}}, `scenario "a b": a name is made of letters, digits, "-", "_", "." and "~"`},
		{Scenario{Name: "a/b", Steps: []Step{ok}}, `scenario "a/b": a name is made of letters, digits, "-", "_", "." and "~"`},
		{Scenario{Name: "..", Steps: []Step{ok}}, `scenario "..": a name is made of letters, digits, "-", "_", "." and "~"`},
		{Scenario{Name: "é", Steps: []Step{ok}}, `scenario "é": a name is made of letters, digits, "-", "_", "." and "~"`},
		{Scenario{Name: "x"}, "scenario x: no steps"},
		{Scenario{Name: "x", Steps: []Step{ok}, Times: -1}, "scenario x: times -1 is negative"},
		{Scenario{Name: "x", Steps: []Step{ok, ok}, Times: 2}, "scenario x: times needs exactly one step, got 2"},
		{Scenario{Name: "x", Steps: []Step{ok}, Times: 2, Repeat: true}, "scenario x: want times or repeat, not both"},
		{Scenario{Name: "x", Steps: []Step{ok, {Status: 99}}}, "scenario x: steps[1]: 99 is not an HTTP status (100-599)"},
		{Scenario{Name: "x", Steps: []Step{{Status: 600}}}, "scenario x: steps[0]: 600 is not an HTTP status (100-599)"},
		{Scenario{Name: "x", Steps: []Step{{Status: 500, Fault: "boom"}}}, `scenario x: steps[0]: unknown fault "boom" (known: reset, empty, malformed, trickle)`},
		{Scenario{Name: "x", Steps: []Step{{Status: 500, Example: "e", HasBody: true}}}, "scenario x: steps[0]: want example or body, not both"},
		{Scenario{Name: "x", Steps: []Step{{Status: 500, Headers: map[string]string{"Bad Name": "v"}}}}, `scenario x: steps[0]: headers: "Bad Name" is not a valid header name`},
		{Scenario{Name: "x", Steps: []Step{{Status: 500, Headers: map[string]string{"X-A": "a\r\nX-B: b"}}}}, "scenario x: steps[0]: headers: the value of X-A holds a line break or NUL"},
		{Scenario{Name: "x", Steps: []Step{{Status: 500, Delay: Delay{2, 1}}}}, "scenario x: steps[0]: delay 2ns..1ns: want 0 ≤ min ≤ max"},
		{Scenario{Name: "x", Steps: []Step{{Status: 500, Delay: Delay{-1, 1}}}}, "scenario x: steps[0]: delay -1ns..1ns: want 0 ≤ min ≤ max"},
		{Scenario{Name: "x", Match: Match{Body: map[string]any{"avatar": 1}}, Steps: []Step{ok}}, `scenario x: match: body: JSON pointer "avatar" does not start with /`},
		{Scenario{Name: "x", Match: Match{Headers: map[string]string{"": "v"}}, Steps: []Step{ok}}, `scenario x: match: headers: "" is not a valid header name`},
	}
	for _, tt := range tests {
		err := NewSet().Put(tt.sc)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Put(%+v) = %q, want %q", tt.sc, got, tt.want)
		}
	}
}
