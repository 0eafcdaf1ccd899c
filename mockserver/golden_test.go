package mockserver_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenGenerated pins the generated bodies of the seed operations: a change in the
// generator (or in gofakeit) that changes what users see must show up here, and is accepted
// with `go test ./mockserver -run Golden -update`.
func TestGoldenGenerated(t *testing.T) {
	s := seedServer(t)
	names := make([]string, 0, len(validSeedRequests))
	for n := range validSeedRequests {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, code := range []string{"200", "401"} {
			t.Run(name+"-"+code, func(t *testing.T) {
				res := do(t, s, withPrefer(validSeedRequests[name], "dynamic=true, code="+code))
				if res.status != atoi(code) || res.header.Get(mockserver.HeaderSource) != mockserver.SourceGenerated {
					t.Fatalf("status %d source %q\n%s", res.status, res.header.Get(mockserver.HeaderSource), res.body)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, res.body, "", "  "); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				pretty.WriteByte('\n')
				file := filepath.Join("testdata", "golden", name+"-"+code+".json")
				if *update {
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(file, pretty.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(pretty.Bytes(), want) {
					t.Errorf("generated body changed; review and run with -update if intended\n--- got\n%s\n--- want\n%s", pretty.Bytes(), want)
				}
			})
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestGeneratedIndependentOfOrder sends the same requests in two orders to two servers: every
// body must be byte-identical.
func TestGeneratedIndependentOfOrder(t *testing.T) {
	var reqs []req
	for _, q := range validSeedRequests {
		// An explicit code keeps the state out: this is about generated bodies.
		reqs = append(reqs, withPrefer(q, "dynamic=true, code=200"))
		q.target += map[bool]string{true: "&", false: "?"}[bytes.ContainsRune([]byte(q.target), '?')] + "__ignored=1"
		reqs = append(reqs, withPrefer(q, "dynamic=true, code=401"))
	}
	sort.Slice(reqs, func(i, j int) bool {
		return reqs[i].target+reqs[i].header["Prefer"] < reqs[j].target+reqs[j].header["Prefer"]
	})
	first := map[int][]byte{}
	a := seedServer(t)
	for i, q := range reqs {
		first[i] = do(t, a, q).body
	}
	b := seedServer(t)
	for i := len(reqs) - 1; i >= 0; i-- {
		if got := do(t, b, reqs[i]).body; !bytes.Equal(got, first[i]) {
			t.Errorf("%s %s: body depends on request order\n%s\n%s", reqs[i].method, reqs[i].target, got, first[i])
		}
	}
	// Two operations on one item agree where their schemas do: the 200 of a GET and a PATCH
	// on the same path are generated from the same seed.
	s := inlineServer(t, "item.yaml", itemSpec)
	get := do(t, s, req{method: "GET", target: "/pets/7", header: map[string]string{"Prefer": "dynamic=true"}})
	patch := do(t, s, req{"PATCH", "/pets/7", map[string]string{"Prefer": "dynamic=true", "Content-Type": "application/json"}, `{}`})
	if get.status != 200 || !bytes.Equal(get.body, patch.body) {
		t.Errorf("GET and PATCH of /pets/7 differ:\n%s\n%s", get.body, patch.body)
	}
	if other := do(t, s, req{method: "GET", target: "/pets/8", header: map[string]string{"Prefer": "dynamic=true"}}); bytes.Equal(other.body, get.body) {
		t.Errorf("/pets/7 and /pets/8 got the same body")
	}
}

const itemSpec = `
openapi: 3.0.3
info: {title: item, version: "1"}
paths:
  /pets/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
    patch:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
        tag: {type: string}
        owner: {type: object, properties: {email: {type: string, format: email}, city: {type: string}}}
`
