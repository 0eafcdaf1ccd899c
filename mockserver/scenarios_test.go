package mockserver_test

import (
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// TestScenarioQASession is the QA session of the README: the F5 image upload forced into
// 429, 429, 200; progress per session; a scenario posted through the control API.
func TestScenarioQASession(t *testing.T) {
	s := seedServer(t)
	q := withPrefer(validSeedRequests["updateUserImage"], "scenario=image-rate-limited")
	for i, want := range []int{429, 429, 200, 200} {
		res := do(t, s, q)
		if res.status != want {
			t.Fatalf("call %d: %d, want %d\n%s", i+1, res.status, want, res.body)
		}
		if i < 3 && res.header.Get(mockserver.HeaderScenario) != "image-rate-limited" {
			t.Errorf("call %d: scenario header %q", i+1, res.header.Get(mockserver.HeaderScenario))
		}
		if i < 2 && res.header.Get("Retry-After") != "1" {
			t.Errorf("call %d: Retry-After %q", i+1, res.header.Get("Retry-After"))
		}
	}
	// Another session replays from the first step; an inactive scenario does not apply unnamed.
	q2 := q
	q2.header = map[string]string{"X-Mock-Session": "other"}
	for k, v := range q.header {
		q2.header[k] = v
	}
	if res := do(t, s, q2); res.status != 429 {
		t.Errorf("other session: %d", res.status)
	}
	if res := do(t, s, validSeedRequests["updateUserImage"]); res.status != 200 || res.header.Get(mockserver.HeaderScenario) != "" {
		t.Errorf("unnamed request answered by an inactive scenario: %d", res.status)
	}
	// Reset replays it.
	do(t, s, req{method: "POST", target: "/__mock/reset"})
	if res := do(t, s, q); res.status != 429 {
		t.Errorf("after reset: %d", res.status)
	}

	// A scenario through the control API: active for everyone, twice, then it falls through.
	post := func(body string) result {
		return do(t, s, req{"POST", "/__mock/scenarios", map[string]string{"Content-Type": "application/json"}, body})
	}
	if res := post(`{"name":"avatar-503","match":{"operation":"patchUserAvatar"},"times":2,"steps":[{"status":503}]}`); res.status != 422 || !strings.Contains(string(res.body), "undocumented") {
		t.Errorf("undocumented status accepted: %d %s", res.status, res.body)
	}
	if res := post(`{"name":"avatar-503","match":{"operation":"patchUserAvatar","params":{"id":"` + avatarID + `"}},"times":2,"steps":[{"status":503,"undocumented":true,"headers":{"Retry-After":"5"}}]}`); res.status != 201 {
		t.Fatalf("post scenario: %d %s", res.status, res.body)
	}
	for i, want := range []int{503, 503, 200} {
		res := do(t, s, validSeedRequests["patchUserAvatar"])
		if res.status != want {
			t.Errorf("avatar call %d: %d, want %d", i+1, res.status, want)
		}
		if want == 503 && !strings.Contains(res.header.Get(mockserver.HeaderWarning), "not documented") {
			t.Errorf("forced undocumented status without a warning: %v", res.header)
		}
	}
	if res := do(t, s, req{method: "GET", target: "/__mock/scenarios"}); !strings.Contains(string(res.body), "avatar-503") {
		t.Errorf("list: %s", res.body)
	}
	if res := do(t, s, req{method: "DELETE", target: "/__mock/scenarios/avatar-503"}); res.status != 204 {
		t.Errorf("delete: %d", res.status)
	}
	// Switched on globally.
	if res := do(t, s, req{method: "POST", target: "/__mock/scenarios/image-rate-limited/activate"}); res.status != 200 {
		t.Fatalf("activate: %d", res.status)
	}
	do(t, s, req{method: "POST", target: "/__mock/reset"})
	if res := do(t, s, validSeedRequests["updateUserImage"]); res.status != 429 {
		t.Errorf("active scenario did not apply: %d", res.status)
	}
	// The journal names the scenario; verify counts the calls.
	if res := do(t, s, req{method: "GET", target: "/__mock/requests?status=429&limit=1"}); !strings.Contains(string(res.body), `"scenario": "image-rate-limited"`) {
		t.Errorf("journal: %s", res.body)
	}
}

func TestScenarioFixtureErrors(t *testing.T) {
	bad := "scenarios:\n  x:\n    match: {operation: updateUserImage}\n    steps: [{status: 418}]\n"
	dir := t.TempDir()
	writeFile(t, dir, "s.yaml", bad)
	_, err := mockserver.New(t.Context(), mockserver.Config{Specs: []string{"../specs"}, Fixtures: dir})
	if err == nil || !strings.Contains(err.Error(), "s.yaml:2:") || !strings.Contains(err.Error(), "418") {
		t.Errorf("err = %v", err)
	}
}
