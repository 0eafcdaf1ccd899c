package mockserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver"
)

const (
	aliceAvatar = "8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d"
	bobAvatar   = "2b7e1c90-5d3a-4f6e-8a21-9c4d7e8f0a13"
)

func jsonReq(method, target, token, session, body string) req {
	h := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	if session != "" {
		h["X-Mock-Session"] = session
	}
	return req{method, target, h, body}
}

func formReq(target, token, session, body string) req {
	q := jsonReq("PATCH", target, token, session, body)
	q.header["Content-Type"] = "application/x-www-form-urlencoded"
	return q
}

func controlGet(t *testing.T, s *mockserver.Server, target string) map[string]any {
	t.Helper()
	res := do(t, s, req{method: "GET", target: target})
	if res.status != 200 {
		t.Fatalf("GET %s: %d %s", target, res.status, res.body)
	}
	return res.json(t)
}

// TestStateTour is the README's state tour: reads and writes agree, filters patch exactly what
// they match, fixture rules answer the documented errors, sessions never see each other.
func TestStateTour(t *testing.T) {
	s := seedServer(t)

	// PATCH a known user-avatar: 200 with the merged record, visible next time and in /__mock/state.
	const newAvatar = "11111111-2222-4333-8444-555555555555"
	res := do(t, s, jsonReq("PATCH", "/user-avatar/"+aliceAvatar, "alice-token", "", `{"avatarId":"`+newAvatar+`"}`))
	body := res.json(t)
	if res.status != 200 || body["avatarId"] != newAvatar || body["userId"] != "6f47594c-2e50-4a05-a5ab-47a61cff2143" || body["createdAt"] != "2024-03-18T09:12:44.000Z" || body["updatedAt"] == "2024-05-02T14:03:11.000Z" {
		t.Fatalf("PATCH known avatar: %d %s", res.status, res.body)
	}
	if again := do(t, s, jsonReq("PATCH", "/user-avatar/"+aliceAvatar, "alice-token", "", `{}`)).json(t); again["avatarId"] != newAvatar {
		t.Errorf("the write is not visible to the next request: %v", again)
	}
	if rec := controlGet(t, s, "/__mock/state/user-avatar/"+aliceAvatar); rec["avatarId"] != newAvatar {
		t.Errorf("/__mock/state shows %v", rec)
	}

	// An unknown id: the documented 404.
	res = do(t, s, jsonReq("PATCH", "/user-avatar/99999999-2222-4333-8444-555555555555", "alice-token", "", `{}`))
	if res.status != 404 || res.json(t)["className"] != "not-found" || res.header.Get(mockserver.HeaderSource) != "state+example" {
		t.Errorf("unknown avatar: %d %s %s", res.status, res.header.Get(mockserver.HeaderSource), res.body)
	}
	// Bob patching alice's avatar: the iR "not found" (the owner rule).
	if res := do(t, s, jsonReq("PATCH", "/user-avatar/"+aliceAvatar, "bob-token", "", `{}`)); res.status != 404 || res.header.Get(mockserver.HeaderSource) != "rule" {
		t.Errorf("bob on alice's avatar: %d %s", res.status, res.header.Get(mockserver.HeaderSource))
	}
	if res := do(t, s, jsonReq("PATCH", "/user-avatar/"+bobAvatar, "bob-token", "", `{}`)); res.status != 200 {
		t.Errorf("bob on his own avatar: %d %s", res.status, res.body)
	}

	// PATCH /invite?filter={"inviteType":"friend"}: exactly the friend invites, patched.
	filter := url.QueryEscape(`{"inviteType":"friend"}`)
	res = do(t, s, jsonReq("PATCH", "/invite?filter="+filter, "alice-token", "", `{"passcode":"424242"}`))
	var patched []map[string]any
	if err := json.Unmarshal(res.body, &patched); err != nil || res.status != 200 || len(patched) != 2 {
		t.Fatalf("PATCH /invite friend: %d %s", res.status, res.body)
	}
	for _, inv := range patched {
		if inv["inviteType"] != "friend" || inv["passcode"] != "424242" {
			t.Errorf("patched invite %v", inv)
		}
	}
	list := controlGet(t, s, "/__mock/state/invite")["records"].([]any)
	friends := 0
	for _, e := range list {
		rec := e.(map[string]any)["record"].(map[string]any)
		if rec["inviteType"] == "friend" {
			friends++
		}
		if (rec["passcode"] == "424242") != (rec["inviteType"] == "friend") {
			t.Errorf("invite %v: patched iff a friend invite", rec)
		}
	}
	if len(list) != 4 || friends != 2 {
		t.Errorf("invites: %d, friends %d", len(list), friends)
	}

	// The community user PATCH: another user's token → 403; a taken username → the documented 400.
	if res := do(t, s, formReq("/api/v2/user/8/", "alice-token", "", "bio=hi")); res.status != 403 {
		t.Errorf("alice patching bob: %d %s", res.status, res.body)
	}
	res = do(t, s, formReq("/api/v2/user/7/", "alice-token", "", "username=bob_builder"))
	if res.status != 400 || res.header.Get(mockserver.HeaderExample) != "usernameTaken" {
		t.Errorf("taken username: %d %s %s", res.status, res.header.Get(mockserver.HeaderExample), res.body)
	}
	res = do(t, s, formReq("/api/v2/user/7/", "alice-token", "", "username=alice_2&avatar_base64=image%2Fpng%3Bbase64%2CiVBORw0KGgo%3D"))
	if res.status != 200 || res.json(t)["username"] != "alice_2" || res.json(t)["avatar_base64"] != nil {
		t.Errorf("own username change: %d %s", res.status, res.body)
	}

	// Two sessions never see each other's writes; reset brings the seeds back.
	do(t, s, jsonReq("PATCH", "/user-avatar/"+bobAvatar, "bob-token", "qa-1", `{"avatarId":"`+newAvatar+`"}`))
	if rec := controlGet(t, s, "/__mock/state/user-avatar/"+bobAvatar+"?session=qa-1"); rec["avatarId"] != newAvatar {
		t.Errorf("session qa-1 lost its write: %v", rec)
	}
	if rec := controlGet(t, s, "/__mock/state/user-avatar/"+bobAvatar+"?session=qa-2"); rec["avatarId"] == newAvatar {
		t.Errorf("session qa-2 sees qa-1's write")
	}
	if rec := controlGet(t, s, "/__mock/state/user-avatar/"+bobAvatar); rec["avatarId"] == newAvatar {
		t.Errorf("the default session sees qa-1's write")
	}
	if res := do(t, s, req{method: "POST", target: "/__mock/reset?session=qa-1"}); res.status != 200 {
		t.Fatalf("reset: %d", res.status)
	}
	if rec := controlGet(t, s, "/__mock/state/user-avatar/"+bobAvatar+"?session=qa-1"); rec["avatarId"] == newAvatar {
		t.Errorf("reset kept qa-1's write")
	}
	if rec := controlGet(t, s, "/__mock/state/user-avatar/"+aliceAvatar); rec["avatarId"] != newAvatar {
		t.Errorf("resetting qa-1 reset the default session")
	}
	do(t, s, req{method: "POST", target: "/__mock/reset"})
	if rec := controlGet(t, s, "/__mock/state/user-avatar/"+aliceAvatar); rec["avatarId"] == newAvatar {
		t.Errorf("reset all kept the default session's write")
	}

	// The F5 image is a singleton per caller.
	q := jsonReq("PUT", "/api/web/namespaces/system/user/settings/image", "", "", `{"content_type":"image/png","image":"aGk="}`)
	q.header["Authorization"] = "APIToken alice-token"
	if res := do(t, s, q); res.status != 200 || string(res.body) != "{}" {
		t.Errorf("F5 PUT: %d %s", res.status, res.body)
	}
	if rec := controlGet(t, s, "/__mock/state/image/6f47594c-2e50-4a05-a5ab-47a61cff2143"); rec == nil {
		t.Errorf("no image record for alice")
	}
}

var crudSpec = `
openapi: 3.0.3
info: {title: crud, version: "1"}
paths:
  /things:
    get:
      parameters: [{name: color, in: query, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}}}}}
    post:
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses: {"201": {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}, example: {id: 1, name: example thing, color: red}}}}
        "404": {description: missing}
    put:
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
    patch:
      requestBody: {required: true, content: {application/json: {schema: {type: object}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}
    delete:
      responses: {"204": {description: gone}, "404": {description: missing}}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        color: {type: string}
        secret: {type: string, writeOnly: true}
        createdAt: {type: string, format: date-time, readOnly: true}
        updatedAt: {type: string, format: date-time, readOnly: true}
` + distinctFields

// distinctFields adds f0…f31 to Thing for the concurrency test.
var distinctFields = func() string {
	var b strings.Builder
	for i := 0; i < 32; i++ {
		fmt.Fprintf(&b, "        f%d: {type: integer}\n", i)
	}
	return b.String()
}()

func TestCRUD(t *testing.T) {
	s := inlineServer(t, "crud.yaml", crudSpec)
	// An open resource: an item nobody wrote is its example, with its own id, remembered.
	res := do(t, s, req{method: "GET", target: "/things/42"})
	if res.status != 200 || res.json(t)["id"] != float64(42) || res.json(t)["name"] != "example thing" {
		t.Fatalf("GET unknown thing: %d %s", res.status, res.body)
	}
	// Create: a new id (the read stored nothing), 201, timestamps, writeOnly not echoed.
	res = do(t, s, jsonReq("POST", "/things", "", "", `{"name":"lamp","color":"blue","secret":"s3"}`))
	created := res.json(t)
	if res.status != 201 || created["id"] != float64(1) || created["createdAt"] == nil || created["secret"] != nil {
		t.Fatalf("POST: %d %s", res.status, res.body)
	}
	if loc := res.header.Get("Location"); loc != "/things/1" {
		t.Errorf("POST: Location %q, want /things/1", loc)
	}
	if got := do(t, s, req{method: "GET", target: "/things/1"}).json(t); got["name"] != "lamp" {
		t.Errorf("GET created: %v", got)
	}
	// List with a filter naming a property.
	var list []map[string]any
	_ = json.Unmarshal(do(t, s, req{method: "GET", target: "/things?color=blue"}).body, &list)
	if len(list) != 1 || list[0]["name"] != "lamp" {
		t.Errorf("GET ?color=blue: %v", list)
	}
	// Merge patch: null removes.
	res = do(t, s, jsonReq("PATCH", "/things/1", "", "", `{"color":null,"name":"desk lamp"}`))
	if got := res.json(t); got["color"] != nil || got["name"] != "desk lamp" || got["id"] != float64(1) {
		t.Errorf("PATCH: %s", res.body)
	}
	// Replace keeps the id and createdAt.
	res = do(t, s, jsonReq("PUT", "/things/1", "", "", `{"name":"chair"}`))
	if got := res.json(t); got["name"] != "chair" || got["id"] != float64(1) || got["createdAt"] != created["createdAt"] {
		t.Errorf("PUT: %s", res.body)
	}
	// Delete, then the documented 404.
	if res := do(t, s, req{method: "DELETE", target: "/things/1"}); res.status != 204 {
		t.Errorf("DELETE: %d", res.status)
	}
	if res := do(t, s, jsonReq("PATCH", "/things/1", "", "", `{}`)); res.status != 404 {
		t.Errorf("PATCH after DELETE: %d %s", res.status, res.body)
	}
}

// TestReadsFollowWrites: a record read again and again answers the same bytes (its encoding is
// remembered) until a write changes it, in that session only; writeOnly properties are kept in
// the store but never answered.
func TestReadsFollowWrites(t *testing.T) {
	s := inlineServer(t, "crud.yaml", crudSpec)
	get := func(session string) string {
		t.Helper()
		res := do(t, s, jsonReq("GET", "/things/5", "", session, ""))
		if res.status != 200 {
			t.Fatalf("GET: %d %s", res.status, res.body)
		}
		return string(res.body)
	}
	first := get("")
	if again := get(""); again != first {
		t.Fatalf("an unchanged record answered differently:\n%s\n%s", first, again)
	}
	steps := []struct {
		method, body, session string
		want                  map[string]any
	}{
		{"PATCH", `{"name":"lamp","secret":"s3"}`, "", map[string]any{"name": "lamp", "id": float64(5)}},
		{"PATCH", `{"color":"green"}`, "", map[string]any{"name": "lamp", "color": "green"}},
		{"PUT", `{"name":"desk","secret":"s4"}`, "", map[string]any{"name": "desk", "color": nil}},
		{"PATCH", `{"name":"other session"}`, "b", map[string]any{"name": "other session"}},
	}
	for _, st := range steps {
		if res := do(t, s, jsonReq(st.method, "/things/5", "", st.session, st.body)); res.status != 200 {
			t.Fatalf("%s %s: %d %s", st.method, st.body, res.status, res.body)
		}
		for range 2 { // the second read answers from the remembered encoding
			var got map[string]any
			if err := json.Unmarshal([]byte(get(st.session)), &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range st.want {
				if got[k] != v {
					t.Errorf("after %s %s: %s = %v, want %v", st.method, st.body, k, got[k], v)
				}
			}
			if _, leaked := got["secret"]; leaked {
				t.Errorf("after %s %s: the writeOnly secret was answered: %v", st.method, st.body, got)
			}
		}
	}
	if got := get(""); !strings.Contains(got, `"desk"`) {
		t.Errorf("session b's write shows in the default session: %s", got)
	}
	// The store still holds the secret the reads left out.
	if rec := controlGet(t, s, "/__mock/state/things/5"); rec["secret"] != "s4" {
		t.Errorf("the stored record lost its writeOnly property: %v", rec)
	}
}

// TestConcurrentPatchesLoseNothing patches distinct fields of one record from many goroutines.
func TestConcurrentPatchesLoseNothing(t *testing.T) {
	s := inlineServer(t, "crud.yaml", crudSpec)
	var wg sync.WaitGroup
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 1; i <= 25; i++ {
				res := do(t, s, jsonReq("PATCH", "/things/7", "", "", fmt.Sprintf(`{"f%d":%d}`, g, i)))
				if res.status != 200 {
					t.Errorf("PATCH f%d: %d %s", g, res.status, res.body)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	rec := controlGet(t, s, "/__mock/state/things/7")
	for g := 0; g < 32; g++ {
		if rec[fmt.Sprintf("f%d", g)] != float64(25) {
			t.Errorf("f%d = %v, want 25", g, rec[fmt.Sprintf("f%d", g)])
		}
	}
}

func TestFixtureErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	bad := `resources:
  user-avatar:
    records:
      - id: 8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d
        userId: 12
operations:
  patchUserAvatr:
    kind: item
rules:
  - unique: {resource: nope, property: x}
    status: 400
`
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := mockserver.New(context.Background(), mockserver.Config{Specs: []string{"../specs"}, Fixtures: dir})
	if err == nil {
		t.Fatal("bad fixtures accepted")
	}
	for _, want := range []string{"bad.yaml:4:", "bad.yaml:7: unknown operation \"patchUserAvatr\"", "bad.yaml:10:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestControlAPIDescription(t *testing.T) {
	s := seedServer(t)
	res := do(t, s, req{method: "GET", target: "/__mock/openapi.json"})
	doc, err := openapi3.NewLoader().LoadFromData(res.body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("control API description: %v", err)
	}
	routes := do(t, s, req{method: "GET", target: "/__mock/routes"})
	var rs []map[string]any
	if err := json.Unmarshal(routes.body, &rs); err != nil || len(rs) != 4 {
		t.Fatalf("routes: %s", routes.body)
	}
	kinds := map[string]string{}
	for _, r := range rs {
		kinds[r["operation"].(string)] = r["kind"].(string) + " " + r["resource"].(string)
	}
	want := map[string]string{"patchUserAvatar": "item user-avatar", "patchInvites": "collection invite", "patchCommunityUser": "item user", "updateUserImage": "singleton image"}
	for op, w := range want {
		if kinds[op] != w {
			t.Errorf("%s inferred as %q, want %q", op, kinds[op], w)
		}
	}
	// Records can be put and deleted through the control API.
	put := do(t, s, req{"PUT", "/__mock/state/user/9?session=ctl", map[string]string{"Content-Type": "application/json"}, `{"username":"carol"}`})
	if put.status != 201 || put.json(t)["id"] != float64(9) {
		t.Errorf("PUT record: %d %s", put.status, put.body)
	}
	if res := do(t, s, formReq("/api/v2/user/9/", "carol-token", "ctl", "bio=hello")); res.status != 200 || res.json(t)["username"] != "carol" {
		t.Errorf("PATCH a record put through the control API: %d %s", res.status, res.body)
	}
	if res := do(t, s, req{method: "DELETE", target: "/__mock/state/user/9?session=ctl"}); res.status != 204 {
		t.Errorf("DELETE record: %d", res.status)
	}
}

// TestConcurrentCreates: parallel POSTs each get a record of their own.
func TestConcurrentCreates(t *testing.T) {
	s := inlineServer(t, "crud.yaml", crudSpec)
	var mu sync.Mutex
	ids := map[float64]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				res := do(t, s, jsonReq("POST", "/things", "", "", `{"name":"x"}`))
				if res.status != 201 {
					t.Errorf("POST: %d %s", res.status, res.body)
					return
				}
				mu.Lock()
				ids[res.json(t)["id"].(float64)] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(ids) != 200 {
		t.Errorf("%d distinct ids for 200 creates", len(ids))
	}
}
