package resource_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/spec"
	"github.com/mockserver/mockserver/mockserver/state"
)

// shop is the engine over testdata/shop.yaml (a petstore and a Stripe-like customers API),
// with an empty store; ops finds an operation by its operationId.
type shop struct {
	e     *resource.Engine
	store *state.Store
	ops   map[string]*spec.Operation
}

func newShop(t *testing.T) *shop { return newEngine(t, "testdata/shop.yaml") }

func newEngine(t *testing.T, file string) *shop {
	t.Helper()
	docs, err := spec.Load(context.Background(), []string{file}, spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := resource.Infer(docs)
	gen := generate.New(generate.Options{OpenAPIVersion: docs[0].Doc.OpenAPI})
	store := state.New(state.Limits{}, nil)
	env := resource.Env{
		Store: store,
		Seed:  "test",
		Now:   func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Generate: func(_ *spec.Document, s *openapi3.SchemaRef, seed uint64) any {
			return gen.Value(s, seed, generate.Response)
		},
		Hash: func(parts ...string) uint64 { return generate.Seed(append([]string{"test"}, parts...)...) },
		Fits: func(s *openapi3.SchemaRef, v any) bool { return s.Value.VisitJSON(v) == nil },
	}
	sh := &shop{e: resource.NewEngine(m, env, new(resource.Sequences)), store: store, ops: map[string]*spec.Operation{}}
	for _, op := range docs[0].Ops {
		sh.ops[op.ID] = op
	}
	return sh
}

func (s *shop) do(op, method string, path map[string]string, query string, body any) resource.Outcome {
	q, _ := url.ParseQuery(query)
	return s.e.Apply(resource.Request{Op: s.ops[op], Method: method, Path: path, Query: q, Body: body}).Resolve()
}

func TestInfer(t *testing.T) {
	s := newShop(t)
	m := s.e.Model()
	tests := []struct {
		op       string
		kind     resource.Kind
		resource string
		byBody   bool
	}{
		{"listPets", resource.Collection, "pets", false},
		{"updatePet", resource.Collection, "pets", true}, // PUT /pets: the id is in the body
		{"findByStatus", resource.View, "pets", false},   // a filtered view, not a resource of its own
		{"getPet", resource.Item, "pets", false},
		{"updateCustomer", resource.Item, "customers", false}, // Stripe's POST update
		{"cancelCustomer", resource.None, "", false},          // an action
		{"patchAccount", resource.None, "", false},            // PATCH /account beside /account/{id}: the caller's object, not every record
	}
	for _, tt := range tests {
		b := m.Bindings[s.ops[tt.op]]
		if b.Kind != tt.kind || b.Resource != tt.resource || b.ByBody != tt.byBody {
			t.Errorf("%s: got %s %q byBody=%v, want %s %q byBody=%v", tt.op, b.Kind, b.Resource, b.ByBody, tt.kind, tt.resource, tt.byBody)
		}
	}
	if m.Shapes["findByStatus"] != nil || m.Shapes["pets.findByStatus"] != nil {
		t.Errorf("a view got a resource of its own")
	}
	if got := m.Shapes["customers"].KeyProperty; got != "id" {
		t.Errorf("customers key: got %q, want id", got)
	}
}

func TestReadsDoNotWrite(t *testing.T) {
	s := newShop(t)
	o := s.do("getPet", http.MethodGet, map[string]string{"petId": "41"}, "", nil)
	if o.Result != resource.Found || !o.Derived || o.Record["id"] != int64(41) {
		t.Fatalf("GET /pets/41: got %v derived=%v %v, want a derived pet 41", o.Result, o.Derived, o.Record)
	}
	if again := s.do("getPet", http.MethodGet, map[string]string{"petId": "41"}, "", nil); !equalJSON(again.Record, o.Record) {
		t.Errorf("a second read differs: %v, then %v", o.Record, again.Record)
	}
	if n := len(s.store.List("", "pets", "")); n != 0 {
		t.Errorf("reads stored %d records", n)
	}
	if o := s.do("getPet", http.MethodGet, map[string]string{"petId": "abc"}, "", nil); o.Result != resource.NotFound {
		t.Errorf("GET /pets/abc (an integer key): got %v, want not found", o.Result)
	}
}

func TestUnknownIDsAgree(t *testing.T) {
	s := newShop(t)
	id := map[string]string{"petId": "9"}
	read := s.do("getPet", http.MethodGet, id, "", nil)
	patched := s.do("patchPet", http.MethodPatch, id, "", map[string]any{"status": "sold"})
	if patched.Result != resource.Written || patched.Record["name"] != read.Record["name"] || patched.Record["status"] != "sold" {
		t.Fatalf("PATCH of a derived pet: got %v %v, want the read pet %v with status sold", patched.Result, patched.Record, read.Record)
	}
	if o := s.do("deletePet", http.MethodDelete, map[string]string{"petId": "10"}, "", nil); o.Result != resource.Deleted {
		t.Fatalf("DELETE of a pet nobody wrote: got %v, want deleted", o.Result)
	}
	if o := s.do("getPet", http.MethodGet, map[string]string{"petId": "10"}, "", nil); o.Result != resource.NotFound {
		t.Errorf("GET after DELETE: got %v, want not found", o.Result)
	}
}

func TestCreateKeepsOrAssignsID(t *testing.T) {
	s := newShop(t)
	o := s.do("createPet", http.MethodPost, nil, "", map[string]any{"id": int64(100), "name": "Rex", "status": "available"})
	if o.Result != resource.Created || o.Ref.ID != "100" {
		t.Fatalf("create with id 100: got %v under %q", o.Result, o.Ref.ID)
	}
	got := s.do("getPet", http.MethodGet, map[string]string{"petId": "100"}, "", nil)
	if got.Derived || got.Record["name"] != "Rex" {
		t.Errorf("GET /pets/100: got %v (derived=%v), want Rex", got.Record, got.Derived)
	}
	o = s.do("createPet", http.MethodPost, nil, "", map[string]any{"name": "Tom"})
	if o.Result != resource.Created || o.Ref.ID != "101" || o.Record["id"] != int64(101) || o.Record["status"] == nil {
		t.Errorf("create without id: got %v %q %v, want id 101 with its required status completed", o.Result, o.Ref.ID, o.Record)
	}
	c := s.do("createCustomer", http.MethodPost, nil, "", map[string]any{"email": "a@example.com"})
	if c.Result != resource.Created || len(c.Ref.ID) < 5 || c.Ref.ID[:4] != "cus_" || c.Record["id"] != c.Ref.ID || c.Record["object"] != "customer" {
		t.Errorf("create customer: got %v %q %v, want a cus_ id in the record with object and created", c.Result, c.Ref.ID, c.Record)
	}
	u := s.do("updateCustomer", http.MethodPost, map[string]string{"customer": c.Ref.ID}, "", map[string]any{"name": "Ann"})
	if u.Result != resource.Written || u.Record["name"] != "Ann" || u.Record["email"] != "a@example.com" {
		t.Errorf("Stripe update: got %v %v, want name and email", u.Result, u.Record)
	}
}

func TestPutByBodyAndViews(t *testing.T) {
	s := newShop(t)
	s.do("createPet", http.MethodPost, nil, "", map[string]any{"id": int64(1), "name": "A", "status": "available"})
	s.do("createPet", http.MethodPost, nil, "", map[string]any{"id": int64(2), "name": "B", "status": "available"})
	if o := s.do("updatePet", http.MethodPut, nil, "", map[string]any{"id": int64(2), "name": "B2", "status": "sold"}); o.Result != resource.Written || o.Ref.ID != "2" {
		t.Fatalf("PUT /pets with id 2: got %v %q", o.Result, o.Ref.ID)
	}
	o := s.do("findByStatus", http.MethodGet, nil, "status=sold", nil)
	if o.Result != resource.Listed || len(o.Page.Records) != 1 || o.Page.Records[0]["name"] != "B2" {
		t.Errorf("findByStatus?status=sold: got %v %v, want B2 alone", o.Result, o.Page.Records)
	}
}

func TestPaging(t *testing.T) {
	s := newShop(t)
	for i := 1; i <= 5; i++ {
		s.do("createPet", http.MethodPost, nil, "", map[string]any{"name": "p", "status": "available"})
	}
	tests := []struct {
		query   string
		ids     []int64
		hasMore bool
	}{
		{"", []int64{1, 2}, true}, // the limit's default
		{"limit=10", []int64{1, 2, 3, 4, 5}, false},
		{"limit=2&offset=4", []int64{5}, false},
		{"limit=2&offset=2", []int64{3, 4}, true},
	}
	for _, tt := range tests {
		o := s.do("listPets", http.MethodGet, nil, tt.query, nil)
		var ids []int64
		for _, r := range o.Page.Records {
			ids = append(ids, r["id"].(int64))
		}
		if !equalJSON(ids, tt.ids) || o.Page.HasMore != tt.hasMore || o.Page.Total != 5 {
			t.Errorf("?%s: got %v more=%v total=%d, want %v more=%v total=5", tt.query, ids, o.Page.HasMore, o.Page.Total, tt.ids, tt.hasMore)
		}
	}
	c1 := s.do("createCustomer", http.MethodPost, nil, "", map[string]any{})
	s.do("createCustomer", http.MethodPost, nil, "", map[string]any{})
	o := s.do("listCustomers", http.MethodGet, nil, "starting_after="+c1.Ref.ID, nil)
	if len(o.Page.Records) != 1 || o.Page.Records[0]["id"] == c1.Ref.ID || o.Page.HasMore {
		t.Errorf("starting_after: got %v more=%v, want the second customer alone", o.Page.Records, o.Page.HasMore)
	}
}

func TestListAgreesWithItemsBeforeWrites(t *testing.T) {
	s := newShop(t)
	o := s.do("listPets", http.MethodGet, nil, "", nil)
	if o.Result != resource.Listed || len(o.Page.Records) == 0 {
		t.Fatalf("list of an unwritten collection: got %v %v", o.Result, o.Page.Records)
	}
	for _, rec := range o.Page.Records {
		id := resource.ScalarString(rec["id"])
		item := s.do("getPet", http.MethodGet, map[string]string{"petId": id}, "", nil)
		if !equalJSON(item.Record, rec) {
			t.Errorf("pet %s: the list says %v, the item %v", id, rec, item.Record)
		}
	}
}

func equalJSON(a, b any) bool {
	return resource.ScalarString(a) == resource.ScalarString(b)
}

// TestFormatSuffixesAndNamingConventions: Twilio's /Messages.json and /Messages/{Sid}.json are
// one resource; Body and StatusCallback are the record's body and status_callback; the record
// carries the account it was created under; the created sid follows the key's pattern.
func TestFormatSuffixesAndNamingConventions(t *testing.T) {
	s := newEngine(t, "testdata/sms.yaml")
	if b := s.e.Model().Bindings[s.ops["UpdateMessage"]]; b.Kind != resource.Item || b.Key != "Sid" {
		t.Fatalf("POST …/Messages/{Sid}.json: got %s key %q, want an item update keyed by Sid", b.Kind, b.Key)
	}
	acct := map[string]string{"AccountSid": "AC12ab"}
	o := s.do("CreateMessage", http.MethodPost, acct, "", map[string]any{"To": "+1555", "Body": "hi", "StatusCallback": "https://example.com/cb"})
	if o.Result != resource.Created || o.Record["body"] != "hi" || o.Record["status_callback"] != "https://example.com/cb" || o.Record["account_sid"] != "AC12ab" {
		t.Fatalf("create: got %v %v", o.Result, o.Record)
	}
	if sid, _ := o.Record["sid"].(string); len(sid) != 8 || sid[:2] != "SM" {
		t.Errorf("created sid %q does not follow ^SM[0-9a-f]{6}$", o.Record["sid"])
	}
	path := map[string]string{"AccountSid": "AC12ab", "Sid": o.Ref.ID}
	if u := s.do("UpdateMessage", http.MethodPost, path, "", map[string]any{"Body": "edited"}); u.Result != resource.Written || u.Record["body"] != "edited" || u.Record["to"] != "+1555" {
		t.Errorf("update: got %v %v", u.Result, u.Record)
	}
	if got := resource.ItemPath("/Accounts/AC12ab/Messages.json", "SM1"); got != "/Accounts/AC12ab/Messages/SM1.json" {
		t.Errorf("ItemPath: got %s", got)
	}
}

func TestMinItems(t *testing.T) {
	s := newShop(t)
	s.do("createPet", http.MethodPost, nil, "", map[string]any{"id": int64(1), "name": "A", "status": "available"})
	o := s.do("featuredPets", http.MethodGet, nil, "", nil)
	if o.Result != resource.Listed || len(o.Page.Records) != 2 || o.Page.Records[0]["name"] != "A" {
		t.Errorf("a list of minItems 2 holding one pet: got %v %v, want A and one derived pet", o.Result, o.Page.Records)
	}
}

func TestRules(t *testing.T) {
	s := newShop(t)
	unique := &resource.Rule{Kind: resource.RuleUnique, Resource: "pets", Property: "name"}
	owner := &resource.Rule{Kind: resource.RuleOwner, Resource: "pets", Property: "status", IdentityField: "may"}
	s.e.Model().Rules = []*resource.Rule{unique, owner}
	s.do("createPet", http.MethodPost, nil, "", map[string]any{"id": int64(1), "name": "Rex", "status": "available"})
	o := s.do("createPet", http.MethodPost, nil, "", map[string]any{"id": int64(2), "name": "Rex", "status": "available"})
	var rf *resource.Refusal
	if o.Result != resource.Refused || !errors.As(o.Err, &rf) || rf.Rule != unique {
		t.Errorf("a second Rex: got %v %v, want refused by the unique rule", o.Result, o.Err)
	}
	patch := func(identity map[string]any) resource.Outcome {
		return s.e.Apply(resource.Request{Op: s.ops["patchPet"], Method: http.MethodPatch, Path: map[string]string{"petId": "1"},
			Body: map[string]any{"status": "sold"}, Identity: identity})
	}
	if o := patch(map[string]any{"may": "sold"}); o.Result != resource.Refused {
		t.Errorf("a caller who may write sold pets patching an available one: got %v, want refused", o.Result)
	}
	if o := patch(map[string]any{"may": "available"}); o.Result != resource.Written {
		t.Errorf("the owner: got %v, want written", o.Result)
	}
	if o := patch(nil); o.Result != resource.Written {
		t.Errorf("a caller fixtures do not know: got %v, want written (the rule cannot tell)", o.Result)
	}
}

// TestEmptiedCollectionStaysEmpty: once a session wrote a collection, its list is what it
// wrote, even when it deleted everything; made-up records do not come back.
func TestEmptiedCollectionStaysEmpty(t *testing.T) {
	s := newShop(t)
	if o := s.do("listPets", http.MethodGet, nil, "", nil); len(o.Page.Records) == 0 {
		t.Fatal("an unwritten collection lists no made-up pets")
	}
	c := s.do("createPet", http.MethodPost, nil, "", map[string]any{"id": int64(7), "name": "Rex"})
	if c.Result != resource.Created {
		t.Fatalf("create: %v", c.Result)
	}
	if o := s.do("deletePet", http.MethodDelete, map[string]string{"petId": "7"}, "", nil); o.Result != resource.Deleted {
		t.Fatalf("delete: %v", o.Result)
	}
	if o := s.do("listPets", http.MethodGet, nil, "", nil); o.Result != resource.Listed || len(o.Page.Records) != 0 || o.Derived {
		t.Fatalf("list after the only pet was deleted: %v derived=%v %v, want empty", o.Result, o.Derived, o.Page.Records)
	}
}
