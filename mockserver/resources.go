package mockserver

import (
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/spec"
	"github.com/mockserver/mockserver/mockserver/state"
)

// The resource domain lives in package resource; these are its names as the server's files
// use them.
type (
	binding       = resource.Binding
	resourceShape = resource.Shape
	opKind        = resource.Kind
)

const (
	kindNone       = resource.None
	kindItem       = resource.Item
	kindCollection = resource.Collection
	kindSingleton  = resource.Singleton
)

func segments(p string) []string                           { return resource.Segments(p) }
func params(segs []string) []string                        { return resource.Params(segs) }
func successSchema(op *spec.Operation) *openapi3.SchemaRef { return resource.SuccessSchema(op) }
func deepCopy(v any) any                                   { return state.Copy(v) }
func scalarString(v any) string                            { return resource.ScalarString(v) }
func propertySchema(s *openapi3.Schema, name string) *openapi3.SchemaRef {
	return resource.PropertySchema(s, name)
}
