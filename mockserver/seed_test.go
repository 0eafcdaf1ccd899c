package mockserver_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mockserver/mockserver/mockserver"
)

const (
	avatarID = "8f1c2a44-2d7e-4b8f-9a51-0c6f2f1e9b3d"
	bearer   = "Bearer tour-token"
)

// validSeedRequests is one valid request per seed operation.
var validSeedRequests = map[string]req{
	"patchUserAvatar": {"PATCH", "/user-avatar/" + avatarID,
		map[string]string{"Authorization": bearer, "Content-Type": "application/json"},
		`{"avatarId":"3c0a1b52-6a8e-4a43-9a4e-2f4b8d1e7c90"}`},
	"patchInvites": {"PATCH", "/invite?filter=" + url.QueryEscape(`{"inviteType":"friend"}`),
		map[string]string{"Authorization": bearer, "Content-Type": "application/json"},
		`{"passcode":"123456"}`},
	"patchCommunityUser": {"PATCH", "/api/v2/user/7/",
		map[string]string{"Authorization": bearer, "Content-Type": "application/x-www-form-urlencoded"},
		`bio=Hello+there&username=new_name-1`},
	"updateUserImage": {"PUT", "/api/web/namespaces/system/user/settings/image",
		map[string]string{"Authorization": "APIToken tour-token", "Content-Type": "application/json"},
		`{"content_type":"image/png","image":"aGVsbG8="}`},
}

func withPrefer(q req, prefer string) req {
	h := map[string]string{}
	for k, v := range q.header {
		h[k] = v
	}
	h["Prefer"] = prefer
	q.header = h
	return q
}

// TestSeedEveryDocumentedStatus asks every seed operation for every status it documents.
func TestSeedEveryDocumentedStatus(t *testing.T) {
	s := seedServer(t)
	seen := map[string]bool{}
	for _, rt := range s.Routes() {
		q, ok := validSeedRequests[rt.Operation]
		if !ok {
			t.Errorf("no valid request written for seed operation %s", rt.Operation)
			continue
		}
		seen[rt.Operation] = true
		res := do(t, s, q)
		if res.status < 200 || res.status > 299 {
			t.Errorf("%s: valid request got %d\n%s", rt.Operation, res.status, res.body)
		}
		if vs := res.headerViolations(t); len(vs) > 0 {
			t.Errorf("%s: valid request has violations %v", rt.Operation, locations(vs))
		}
		for _, code := range documentedCodes(t, s, rt) {
			res := do(t, s, withPrefer(q, "code="+code))
			if strconv.Itoa(res.status) != code {
				t.Errorf("%s Prefer code=%s: got %d\n%s", rt.Operation, code, res.status, res.body)
				continue
			}
			if got := res.header.Get(mockserver.HeaderOperation); got != rt.Operation {
				t.Errorf("%s code=%s: %s = %q", rt.Operation, code, mockserver.HeaderOperation, got)
			}
			if src := res.header.Get(mockserver.HeaderSource); src != "example" && src != "generated" && src != "empty" && src != "fixture" {
				t.Errorf("%s code=%s: source %q", rt.Operation, code, src)
			}
			// The query fallback reaches the same status.
			qq := q
			sep := "?"
			if strings.Contains(qq.target, "?") {
				sep = "&"
			}
			qq.target += sep + "__code=" + code
			if res := do(t, s, qq); strconv.Itoa(res.status) != code {
				t.Errorf("%s __code=%s: got %d", rt.Operation, code, res.status)
			}
		}
	}
	for op := range validSeedRequests {
		if !seen[op] {
			t.Errorf("seed operation %s is not served", op)
		}
	}
}

func documentedCodes(t *testing.T, s *mockserver.Server, rt mockserver.Route) []string {
	t.Helper()
	for _, d := range s.Documents() {
		for _, op := range d.Ops {
			if op.ID == rt.Operation {
				var codes []string
				for k := range op.Op.Responses.Map() {
					if _, err := strconv.Atoi(k); err == nil {
						codes = append(codes, k)
					}
				}
				sort.Strings(codes)
				return codes
			}
		}
	}
	t.Fatalf("operation %s not found", rt.Operation)
	return nil
}

// TestSeedTour is the README's five-minute tour, as a user runs it.
func TestSeedTour(t *testing.T) {
	s := seedServer(t)

	// A success: the iR user-avatar PATCH merges into the stored record and answers it.
	res := do(t, s, validSeedRequests["patchUserAvatar"])
	if res.status != 200 || res.header.Get(mockserver.HeaderSource) != "state" {
		t.Fatalf("success: %d %s\n%s", res.status, res.header.Get(mockserver.HeaderSource), res.body)
	}
	if body := res.json(t); body["id"] != avatarID || body["avatarId"] != "3c0a1b52-6a8e-4a43-9a4e-2f4b8d1e7c90" {
		t.Errorf("success body is not the merged record: %s", res.body)
	}

	// No token: the spec's 401, the violation in the header.
	q := validSeedRequests["patchUserAvatar"]
	q.header = map[string]string{"Content-Type": "application/json"}
	res = do(t, s, q)
	if res.status != 401 || !hasViolation(res.headerViolations(t), "header.Authorization", "security") {
		t.Fatalf("401: %d %v\n%s", res.status, res.header, res.body)
	}
	if res.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}

	// Forced 404 and 503.
	if res := do(t, s, withPrefer(validSeedRequests["patchUserAvatar"], "code=404")); res.status != 404 || res.json(t)["className"] != "not-found" {
		t.Errorf("forced 404: %d\n%s", res.status, res.body)
	}
	if res := do(t, s, withPrefer(validSeedRequests["updateUserImage"], "code=503")); res.status != 503 {
		t.Errorf("forced 503: %d\n%s", res.status, res.body)
	}

	// An undocumented code is refused, listing the choices.
	res = do(t, s, withPrefer(validSeedRequests["patchUserAvatar"], "code=418"))
	if res.status != 404 || res.header.Get("Content-Type") != "application/problem+json" || !bytes.Contains(res.body, []byte(`"choices":["200","401","404","500"]`)) {
		t.Errorf("unknown code: %d\n%s", res.status, res.body)
	}
	// So is an unknown example name.
	res = do(t, s, withPrefer(validSeedRequests["patchUserAvatar"], "example=nope"))
	if res.status != 404 || !bytes.Contains(res.body, []byte(`"choices"`)) {
		t.Errorf("unknown example: %d\n%s", res.status, res.body)
	}

	// An invalid body: the community PATCH documents 400, which answers, with the violations.
	q = validSeedRequests["patchCommunityUser"]
	q.body = "username=not+valid!&website=not-a-url&gender=Robot"
	res = do(t, s, q)
	if res.status != 400 {
		t.Fatalf("invalid body: %d\n%s", res.status, res.body)
	}
	vs := res.headerViolations(t)
	for _, loc := range []string{"body.username", "body.website", "body.gender"} {
		if !hasViolation(vs, loc, "") {
			t.Errorf("invalid body: no violation at %s: %v", loc, locations(vs))
		}
	}

	// The invite filter is JSON in the query, validated field by field.
	q = validSeedRequests["patchInvites"]
	q.target = "/invite?filter=" + url.QueryEscape(`{"inviteType":"enemy"}`)
	res = do(t, s, q)
	if res.status < 400 || !hasViolation(res.headerViolations(t), "query.filter.inviteType", "enum") {
		t.Errorf("bad filter: %d %v\n%s", res.status, locations(res.headerViolations(t)), res.body)
	}

	// The invite PATCH answers an array.
	res = do(t, s, validSeedRequests["patchInvites"])
	var arr []any
	if err := json.Unmarshal(res.body, &arr); err != nil || res.status != 200 {
		t.Errorf("invite PATCH: %d, not an array: %v\n%s", res.status, err, res.body)
	}
}

func TestSeedCommunityMultipart(t *testing.T) {
	s := seedServer(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("username", "jane_doe")
	fw, _ := mw.CreateFormFile("avatar", "me.png")
	_, _ = fw.Write([]byte("\x89PNG\r\n\x1a\nfake"))
	_ = mw.Close()
	res := do(t, s, req{"PATCH", "/api/v2/user/7/", map[string]string{"Authorization": bearer, "Content-Type": mw.FormDataContentType()}, buf.String()})
	if res.status != 200 {
		t.Fatalf("multipart avatar upload: %d\n%s", res.status, res.body)
	}
	// The file is kept as metadata, and the record points to it.
	avatar, _ := res.json(t)["avatar"].(string)
	u, err := url.Parse(avatar)
	if err != nil || !strings.HasPrefix(u.Path, "/__mock/state/__files/") {
		t.Fatalf("avatar = %q", avatar)
	}
	meta := do(t, s, req{method: "GET", target: u.Path}).json(t)
	if meta["filename"] != "me.png" || meta["size"] != float64(12) || meta["field"] != "avatar" {
		t.Errorf("file metadata: %v", meta)
	}
}

func TestMisses(t *testing.T) {
	s := seedServer(t)
	cases := []struct {
		name   string
		q      req
		status int
		allow  string
		op     string
	}{
		{"unknown path", req{method: "GET", target: "/user-avatars/1"}, 404, "", "patchUserAvatar"},
		{"wrong method", req{method: "GET", target: "/invite"}, 405, "PATCH", "patchInvites"},
		{"trailing slash is significant", req{method: "PATCH", target: "/api/v2/user/7"}, 404, "", "patchCommunityUser"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := do(t, s, c.q)
			if res.status != c.status || res.header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("got %d %s\n%s", res.status, res.header.Get("Content-Type"), res.body)
			}
			if res.header.Get("Allow") != c.allow {
				t.Errorf("Allow = %q, want %q", res.header.Get("Allow"), c.allow)
			}
			if got := res.json(t)["operation"]; got != c.op {
				t.Errorf("closest operation = %v, want %s\n%s", got, c.op, res.body)
			}
		})
	}
}

func TestNegotiationAndCORS(t *testing.T) {
	s := seedServer(t)
	q := validSeedRequests["updateUserImage"]
	q.header = map[string]string{"Authorization": "APIToken t", "Content-Type": "application/json", "Accept": "application/xml"}
	if res := do(t, s, q); res.status != 406 {
		t.Errorf("Accept xml: %d\n%s", res.status, res.body)
	}
	q.header["Accept"] = "application/xml, application/*;q=0.5"
	if res := do(t, s, q); res.status != 200 || res.header.Get("Content-Type") != "application/json" {
		t.Errorf("Accept with fallback: %d %s", res.status, res.header.Get("Content-Type"))
	}

	pre := do(t, s, req{method: "OPTIONS", target: "/invite", header: map[string]string{
		"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization, content-type"}})
	if pre.status != 204 || pre.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		pre.header.Get("Access-Control-Allow-Methods") != "PATCH" || pre.header.Get("Access-Control-Allow-Headers") != "authorization, content-type" {
		t.Errorf("preflight: %d %v", pre.status, pre.header)
	}
	q = validSeedRequests["patchUserAvatar"]
	q.header = map[string]string{"Authorization": bearer, "Content-Type": "application/json", "Origin": "http://localhost:3000"}
	res := do(t, s, q)
	if res.header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || !strings.Contains(res.header.Get("Access-Control-Expose-Headers"), mockserver.HeaderSource) {
		t.Errorf("CORS headers on a response: %v", res.header)
	}

	off := seedServer(t, func(c *mockserver.Config) { c.CORS = false })
	if res := do(t, off, q); res.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off still sends headers")
	}
}

func TestGeneratedIsDeterministic(t *testing.T) {
	s := seedServer(t)
	get := func(prefer string) []byte {
		res := do(t, s, withPrefer(validSeedRequests["patchUserAvatar"], "code=200, "+prefer))
		if res.status != 200 || res.header.Get(mockserver.HeaderSource) != "generated" {
			t.Fatalf("%s: %d %s", prefer, res.status, res.header.Get(mockserver.HeaderSource))
		}
		return res.body
	}
	a, b := get("dynamic=true"), get("dynamic=true")
	if !bytes.Equal(a, b) {
		t.Errorf("same request, different generated bodies:\n%s\n%s", a, b)
	}
	c := get("dynamic=true, seed=other")
	if bytes.Equal(a, c) {
		t.Errorf("different seeds gave the same body")
	}
	// A fresh server with the same seed answers the same bytes (restarts, replicas).
	s = seedServer(t)
	if d := get("dynamic=true"); !bytes.Equal(a, d) {
		t.Errorf("restart changed the generated body")
	}
}
