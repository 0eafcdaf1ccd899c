package mockserver

import (
	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/resource"

	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestUUIDFormat checks the hand-written uuid check against JSON Schema's definition written as
// a regular expression (any 8-4-4-4-12 hex string, whatever its version and variant digits):
// both must accept and refuse the same strings.
func TestUUIDFormat(t *testing.T) {
	re := openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	for _, v := range []string{
		"8f1c2a44-6b0e-4c9a-9d3e-2f5b7a1c0e11",
		"8F1C2A44-6B0E-4C9A-9D3E-2F5B7A1C0E11",
		"8f1c2a44-6b0e-1c9a-8d3e-2f5b7a1c0e11",
		"8f1c2a44-6b0e-8c9a-bd3e-2f5b7a1c0e11",
		"00000000-0000-0000-0000-000000000007", // version 0: what fixtures use
		"8f1c2a44-6b0e-fc9a-9d3e-2f5b7a1c0e11", // version 15
		"8f1c2a44-6b0e-9c9a-9d3e-2f5b7a1c0e11", // version 9
		"8f1c2a44-6b0e-0c9a-9d3e-2f5b7a1c0e11", // version 0
		"8f1c2a44-6b0e-4c9a-7d3e-2f5b7a1c0e11", // variant 0xxx
		"8f1c2a44-6b0e-4c9a-cd3e-2f5b7a1c0e11", // variant 110x
		"00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
		"fFfFfFfF-ffff-FFFF-ffff-ffffffffffff",
		"00000000-0000-0000-0000-000000000001",
		"8f1c2a446b0e4c9a9d3e2f5b7a1c0e11",
		"8f1c2a44-6b0e-4c9a-9d3e-2f5b7a1c0e1",
		"8f1c2a44-6b0e-4c9a-9d3e-2f5b7a1c0e111",
		"8f1c2a44_6b0e-4c9a-9d3e-2f5b7a1c0e11",
		"8f1c2a4g-6b0e-4c9a-9d3e-2f5b7a1c0e11",
		"{8f1c2a44-6b0e-4c9a-9d3e-2f5b7a1c0e}",
		"",
		"nope",
		"8f1c2a44-6b0e-4c9a-9d3e-2f5b7a1c0é1",
	} {
		want, got := re.Validate(v) == nil, generate.StringFormats()["uuid"].Validate(v) == nil
		if got != want {
			t.Errorf("%q: accepted %v, JSON Schema's definition says %v", v, got, want)
		}
	}
}

func TestKnownResources(t *testing.T) {
	few := &Server{plan: &plan{shapes: map[string]*resource.Shape{"pets": nil, "users": nil}}}
	if got := few.knownResources("pet"); got != "known: pets, users" {
		t.Errorf("few resources: %q", got)
	}
	many := &Server{plan: &plan{shapes: map[string]*resource.Shape{}}}
	for _, n := range []string{"apps", "ref", "refs", "repos", "repos.keys", "orgs.repos", "users", "teams", "gists", "zen", "meta", "emojis", "events"} {
		many.shapes[n] = nil
	}
	want := "closest: repos, orgs.repos, repos.keys, ref, refs, apps, meta, zen; 5 more in GET /__mock/routes"
	if got := many.knownResources("repo"); got != want {
		t.Errorf("many resources:\n got %q\nwant %q", got, want)
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"repo", "", 4}, {"repo", "ref", 2}, {"kitten", "sitting", 3}, {"users", "users", 0}} {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

// TestBodyCacheBounds: the cache answers what was put, and starts over when full.
func TestBodyCacheBounds(t *testing.T) {
	var c bodyCache
	schema := &openapi3.SchemaRef{}
	key := func(i int) generatedKey { return generatedKey{schema: schema, seed: uint64(i), json: true} }
	for i := range bodyCacheEntries {
		c.put(key(i), []byte{byte(i)})
	}
	if b, ok := c.get(key(7)); !ok || b[0] != 7 {
		t.Fatalf("get 7 = %v %v", b, ok)
	}
	if _, ok := c.get(generatedKey{schema: schema, seed: 7}); ok {
		t.Fatal("the JSON flag is part of the key")
	}
	c.put(key(bodyCacheEntries), []byte{1})
	if _, ok := c.get(key(7)); ok || len(c.m) != 1 {
		t.Fatalf("past %d entries the cache kept %d", bodyCacheEntries, len(c.m))
	}
	c.put(key(-1), make([]byte, bodyCacheBytes/16+1))
	if _, ok := c.get(key(-1)); ok {
		t.Fatal("a body too large to share the cache was kept")
	}
	for i := range 20 {
		c.put(key(1000+i), make([]byte, bodyCacheBytes/16))
	}
	if c.bytes > bodyCacheBytes {
		t.Fatalf("the cache holds %d bytes, over its %d", c.bytes, bodyCacheBytes)
	}
}

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "X-Api-Key": true, "Cookie": true, "X-CSRF-Token": true, "api_key": true,
		"Content-Type": false, "Accept": false, "X-Mock-Session": false, "": false,
		"X-" + strings.Repeat("Long-", 20) + "Secret": true, strings.Repeat("A", 100): false,
	} {
		if got := secretName(name); got != want {
			t.Errorf("secretName(%q) = %v, want %v", name, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { secretName("X-Request-Id") }); n != 0 {
		t.Errorf("secretName allocates %v times a call", n)
	}
}

// TestViolationJSON checks the hand-written encoder against encoding/json: what it writes
// decodes to the same violation, whatever the strings hold.
func TestViolationJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\r", "\x00\x01\x1f",
		"<html>&amp;", "é ü 日本", "\u2028\u2029", "bad \xff utf-8", "emoji 🐈"} {
		v := Violation{Location: []string{"body", s}, Code: s, Message: s}
		got, _ := v.MarshalJSON()
		var back Violation
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, got, err)
		}
		want := strings.ToValidUTF8(s, "\ufffd")
		if back.Location[1] != want || back.Code != want || back.Message != want || back.Severity != "Error" {
			t.Errorf("%q: decoded %+v", s, back)
		}
		if p := v.appendJSON(nil, "request"); !strings.HasPrefix(string(p), `{"location":["request","body",`) {
			t.Errorf("prefix: %s", p)
		}
	}
}
