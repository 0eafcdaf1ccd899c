package mockserver

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The default response keeps its rule (lowest 2xx code, then 2XX, then default) whatever the
// order of the keys; only the last resort, the first documented, follows that order.
func TestDefaultAmong(t *testing.T) {
	for _, c := range []struct {
		keys   []string // in document order
		key    string
		status int
	}{
		{[]string{"2XX", "201", "200"}, "200", 200},
		{[]string{"2XX", "204"}, "204", 204},
		{[]string{"default", "2XX", "404"}, "2XX", 200},
		{[]string{"500", "default", "404"}, "default", 200},
		{[]string{"500", "404"}, "500", 500},
		{[]string{"4XX", "404"}, "4XX", 400},
		{nil, "", 0},
	} {
		responses := openapi3.NewResponses()
		responses.Delete("default")
		for _, k := range c.keys {
			responses.Set(k, &openapi3.ResponseRef{Value: openapi3.NewResponse()})
		}
		key, status := defaultAmong(responses, c.keys)
		if key != c.key || status != c.status {
			t.Errorf("%q: got %s %d, want %s %d", c.keys, key, status, c.key, c.status)
		}
	}
}
