package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

// handoverSpec is a pets API whose records take client-chosen ids and fields w0…w7, one per
// writer of the concurrency test.
var handoverSpec = `
openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}}
        "503": {description: unavailable}
    post:
      operationId: createPet
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
      responses: {"201": {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}
  /pets/{petId}:
    parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getPet
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}, example: {id: example, name: the example}}}}
        "404": {description: missing}
        "503": {description: unavailable}
    patch:
      operationId: updatePet
      requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
        "404": {description: missing}
    delete:
      operationId: deletePet
      responses: {"204": {description: gone}, "404": {description: missing}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: string}
        name: {type: string}
` + func() string {
	var b strings.Builder
	for i := range 8 {
		fmt.Fprintf(&b, "        w%d: {type: integer}\n", i)
	}
	return b.String()
}()

// liveServer serves spec (and fixtures, if any) from files in a temporary directory, through a
// Live that reloads them; it returns the directory.
func liveServer(t *testing.T, spec string, fixtures map[string]string, mod ...func(*mockserver.Config)) (*mockserver.Live, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pets.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := mockserver.Config{Specs: []string{filepath.Join(dir, "pets.yaml")}}
	if fixtures != nil {
		cfg.Fixtures = filepath.Join(dir, "fixtures")
		if err := os.Mkdir(cfg.Fixtures, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range fixtures {
			if err := os.WriteFile(filepath.Join(cfg.Fixtures, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range mod {
		m(&cfg)
	}
	s, err := mockserver.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return mockserver.NewLive(s), dir
}

// TestReloadKeepsAcknowledgedWrites: writers create and patch records while the server reloads
// again and again; every write answered 2xx, by whichever version, is there afterwards.
func TestReloadKeepsAcknowledgedWrites(t *testing.T) {
	// The writers write until the reloads are done (at most maxRounds each).
	const writers, reloads, maxRounds = 8, 15, 2000
	live, _ := liveServer(t, handoverSpec, nil)
	sessions := []string{"", "qa"}
	for _, session := range sessions {
		if res := do(t, live, jsonReq("POST", "/pets", "", session, `{"id":"shared","name":"shared"}`)); res.status != 201 {
			t.Fatalf("create shared: %d %s", res.status, res.body)
		}
	}

	var done atomic.Bool
	var started sync.WaitGroup // every writer has written once
	started.Add(writers)
	reloaded := make(chan struct{})
	go func() {
		defer close(reloaded)
		defer done.Store(true)
		started.Wait()
		for range reloads {
			if _, err := live.Reload(context.Background()); err != nil {
				t.Error(err)
				return
			}
		}
	}()

	type write struct {
		session, id, name string
	}
	var wg sync.WaitGroup
	created := make([][]write, writers)
	patched := make([]map[string]int, writers) // session → the last value acknowledged
	for w := range writers {
		patched[w] = map[string]int{}
		wg.Go(func() {
			for i := 0; i < maxRounds && (i == 0 || !done.Load()); i++ {
				session := sessions[(w+i)%len(sessions)]
				id, name := fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("pet %d of writer %d", i, w)
				res := do(t, live, jsonReq("POST", "/pets", "", session, fmt.Sprintf(`{"id":%q,"name":%q}`, id, name)))
				if res.status/100 == 2 {
					created[w] = append(created[w], write{session, id, name})
				} else {
					t.Errorf("POST %s: %d %s", id, res.status, res.body)
				}
				res = do(t, live, jsonReq("PATCH", "/pets/shared", "", session, fmt.Sprintf(`{"w%d":%d}`, w, i)))
				if res.status/100 == 2 {
					patched[w][session] = i
				} else {
					t.Errorf("PATCH shared: %d %s", res.status, res.body)
				}
				if i == 0 {
					started.Done()
				}
			}
		})
	}
	wg.Wait()
	<-reloaded
	n := 0
	for _, ws := range created {
		n += len(ws)
	}
	t.Logf("%d reloads during %d creates and as many patches", reloads, n)

	lost := 0
	for _, ws := range created {
		for _, c := range ws {
			res := do(t, live, jsonReq("GET", "/pets/"+c.id, "", c.session, ""))
			var got map[string]any
			_ = json.Unmarshal(res.body, &got)
			if res.status != 200 || got["name"] != c.name {
				lost++
				if lost <= 5 {
					t.Errorf("session %q: %s was acknowledged, now %d %s", c.session, c.id, res.status, res.body)
				}
			}
		}
	}
	for _, session := range sessions {
		got := do(t, live, jsonReq("GET", "/pets/shared", "", session, "")).json(t)
		for w := range writers {
			if want, ok := patched[w][session]; ok && got[fmt.Sprintf("w%d", w)] != float64(want) {
				lost++
				t.Errorf("session %q: writer %d's last patch (%d) is lost: %v", session, w, want, got)
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d acknowledged writes lost", lost)
	}
}

// TestReloadKeepsScenarios: a scenario put through the control API survives a reload with its
// progress, as does the progress of a fixture file's scenario; a reload drops the one whose
// operation is gone and the one removed from the files.
func TestReloadKeepsScenarios(t *testing.T) {
	const fileScenario = `for: pets.yaml
scenarios:
  file-flaky:
    active: false
    match: {operation: listPets}
    steps: [{status: 503}, {status: 503}, {status: 200}]
`
	live, dir := liveServer(t, handoverSpec, map[string]string{"scenarios.yaml": fileScenario})
	reload := func() {
		t.Helper()
		if _, err := live.Reload(context.Background()); err != nil {
			t.Fatalf("reload: %v", err)
		}
	}
	scenarios := func() string {
		t.Helper()
		return string(do(t, live, req{method: "GET", target: "/__mock/scenarios"}).body)
	}
	get := func(target string, header map[string]string) (int, string) {
		t.Helper()
		res := do(t, live, req{method: "GET", target: target, header: header})
		return res.status, res.header.Get(mockserver.HeaderSource)
	}
	named := map[string]string{"Prefer": "scenario=file-flaky"}

	res := do(t, live, req{"POST", "/__mock/scenarios", map[string]string{"Content-Type": "application/json"},
		`{"name": "api-flaky", "match": {"operation": "getPet"}, "steps": [{"status": 503}, {"status": 503}, {"status": 200}]}`})
	if res.status != 201 {
		t.Fatalf("put scenario: %d %s", res.status, res.body)
	}
	if st, src := get("/pets/1", nil); st != 503 || !strings.HasPrefix(src, "scenario") {
		t.Fatalf("first call: %d %s", st, src)
	}
	if st, src := get("/pets", named); st != 503 || !strings.HasPrefix(src, "scenario") {
		t.Fatalf("file scenario, first call: %d %s", st, src)
	}

	reload()
	if s := scenarios(); !strings.Contains(s, "api-flaky") || !strings.Contains(s, "file-flaky") {
		t.Fatalf("after the reload: %s", s)
	}
	// api-flaky goes on from its second step, then is exhausted.
	for i, want := range []int{503, 200} {
		if st, src := get("/pets/1", nil); st != want || !strings.HasPrefix(src, "scenario") {
			t.Fatalf("call %d after the reload: %d %s, want %d from the scenario", i+2, st, src, want)
		}
	}
	if st, src := get("/pets/1", nil); strings.HasPrefix(src, "scenario") {
		t.Fatalf("exhausted scenario still answers: %d %s", st, src)
	}
	// So does the file's scenario.
	if st, src := get("/pets", named); st != 503 || !strings.HasPrefix(src, "scenario") {
		t.Fatalf("file scenario, second call after the reload: %d %s", st, src)
	}

	// getPet disappears from the description and file-flaky from the files.
	if err := os.WriteFile(filepath.Join(dir, "pets.yaml"), []byte(strings.Replace(handoverSpec, "    get:\n      operationId: getPet", "    head:\n      operationId: headPet", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fixtures", "scenarios.yaml"), []byte("for: pets.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reload()
	if s := scenarios(); strings.Contains(s, "api-flaky") || strings.Contains(s, "file-flaky") {
		t.Fatalf("after the second reload: %s", s)
	}
}

// TestStateFullNamesTheBound: a write past the byte budget is answered 507 naming the cause
// (memory, not the count of records), and a delete makes room again.
func TestStateFullNamesTheBound(t *testing.T) {
	live, _ := liveServer(t, handoverSpec, nil, func(c *mockserver.Config) { c.State.MaxBytes = 1 << 20 })
	big := strings.Repeat("x", 300<<10) // estimated at about 600 KiB: text counts stored and encoded
	post := func(id string) result {
		return do(t, live, jsonReq("POST", "/pets", "", "full", fmt.Sprintf(`{"id":%q,"name":%q}`, id, big)))
	}
	if res := post("a"); res.status != 201 {
		t.Fatalf("first: %d %s", res.status, res.body)
	}
	res := post("b")
	if res.status != 507 || !strings.Contains(string(res.body), "more memory than a session may (1 MiB") || !strings.Contains(string(res.body), "reset this session (POST /__mock/reset?session=full)") {
		t.Fatalf("second: %d %s", res.status, res.body)
	}
	t.Logf("%s", res.body)
	if res := do(t, live, jsonReq("DELETE", "/pets/a", "", "full", "")); res.status != 204 {
		t.Fatalf("delete: %d %s", res.status, res.body)
	}
	if res := post("b"); res.status != 201 {
		t.Fatalf("after the delete: %d %s", res.status, res.body)
	}
}
