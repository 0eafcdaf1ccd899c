package resource_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/spec"
	"github.com/mockserver/mockserver/mockserver/state"
)

// The engine over a petstore: a create keeps the client's id, a read finds the record, a
// delete removes it, and the read that follows finds nothing.
func ExampleEngine_Apply() {
	docs, err := spec.Load(context.Background(), []string{"testdata/shop.yaml"}, spec.Options{})
	if err != nil {
		panic(err)
	}
	gen := generate.New(generate.Options{OpenAPIVersion: docs[0].Doc.OpenAPI})
	engine := resource.NewEngine(resource.Infer(docs), resource.Env{
		Store: state.New(state.Limits{}, nil),
		Now:   func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Generate: func(_ *spec.Document, s *openapi3.SchemaRef, seed uint64) any {
			return gen.Value(s, seed, generate.Response)
		},
		Hash: func(parts ...string) uint64 { return generate.Seed(parts...) },
		Fits: func(s *openapi3.SchemaRef, v any) bool { return s.Value.VisitJSON(v) == nil },
	}, new(resource.Sequences))
	ops := map[string]*spec.Operation{}
	for _, op := range docs[0].Ops {
		ops[op.ID] = op
	}
	apply := func(op, method string, path map[string]string, body any) resource.Outcome {
		return engine.Apply(resource.Request{Op: ops[op], Method: method, Path: path, Body: body}).Resolve()
	}

	created := apply("createPet", http.MethodPost, nil, map[string]any{"id": int64(7), "name": "Rex", "status": "available"})
	fmt.Println(created.Result == resource.Created, created.Ref.ID, created.Record["name"])
	read := apply("getPet", http.MethodGet, map[string]string{"petId": "7"}, nil)
	fmt.Println(read.Result == resource.Found, read.Derived, read.Record["name"])
	apply("deletePet", http.MethodDelete, map[string]string{"petId": "7"}, nil)
	fmt.Println(apply("getPet", http.MethodGet, map[string]string{"petId": "7"}, nil).Result == resource.NotFound)
	// Output:
	// true 7 Rex
	// true false Rex
	// true
}
