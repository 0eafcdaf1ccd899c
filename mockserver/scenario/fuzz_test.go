package scenario

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzScenarioJSON checks that a scenario Put accepts encodes to JSON that
// decodes to the same scenario, which Put accepts again, and that Next on it
// never panics.
func FuzzScenarioJSON(f *testing.F) {
	f.Add([]byte(`{"name":"a","match":{"operation":"PATCH /x","params":{"id":"1"},"headers":{"X-A":"b"},"body":{"/a~1b/0":[1,{"c":null}],"":2}},"steps":[{"status":429,"delay":"100-300"},{"status":200,"body":null,"headers":{"Retry-After":"1"},"delay":{"min":1,"max":2.5}}],"repeat":true}`))
	f.Add([]byte(`{"name":"b","steps":[{"status":503,"example":"e","fault":"trickle","undocumented":true,"delay":0.000001}],"times":3,"active":false,"session":"q"}`))
	f.Add([]byte(`{"name":"c","steps":[{"status":200,"body":{"k":[1e400]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var sc Scenario
		if json.Unmarshal(data, &sc) != nil {
			return
		}
		s := NewSet()
		if s.Put(sc) != nil {
			return
		}
		out, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		var back Scenario
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", out, err)
		}
		again, err := json.Marshal(back)
		if err != nil || string(again) != string(out) {
			t.Fatalf("round trip: %s, %v; want %s", again, err, out)
		}
		for i, st := range sc.Steps {
			b := back.Steps[i]
			if b.Status != st.Status || b.Delay != st.Delay || b.HasBody != (st.HasBody || st.Body != nil) || b.Fault != st.Fault || b.Example != st.Example {
				t.Fatalf("round trip changed step %d: %#v, want %#v", i, b, st)
			}
		}
		if back.Name != sc.Name || back.Times != sc.Times || back.Repeat != sc.Repeat || back.Session != sc.Session ||
			!reflect.DeepEqual(back.Active, sc.Active) || back.Match.Operation != sc.Match.Operation {
			t.Fatalf("round trip changed the scenario: %#v, want %#v", back, sc)
		}
		if err := s.Put(back); err != nil {
			t.Fatalf("Put after the round trip: %v", err)
		}
		r := Request{Operation: sc.Match.Operation, Named: sc.Name, Body: sc.Match.Body[""], Session: sc.Session}
		for range 3 {
			if h, ok := s.Next(r); ok && (h.Scenario != sc.Name || h.Index < 0 || h.Index >= len(sc.Steps)) {
				t.Fatalf("Next = %+v", h)
			}
		}
	})
}
