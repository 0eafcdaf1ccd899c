package mockserver

import (
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// generatedKey names a generated body: generation is a pure function of the schema, the seed
// and (for a string) whether it is sent as JSON.
type generatedKey struct {
	schema *openapi3.SchemaRef
	seed   uint64
	json   bool
	// detail is what an error body says about the request's violations (errortext.go), "" for
	// any other body.
	detail string
}

// Bounds of a bodyCache: past either, it starts over empty.
const (
	bodyCacheEntries = 4096
	bodyCacheBytes   = 32 << 20
)

// bodyCache remembers encoded bodies that depend on their key alone, so that a client asking
// for the same generated answer again gets the bytes made the first time. It is bounded: when
// full, it forgets everything and fills again (clients varying the seed on every request only
// churn it). Safe for concurrent use.
type bodyCache struct {
	mu    sync.RWMutex
	m     map[generatedKey][]byte
	bytes int
}

func (c *bodyCache) get(k generatedKey) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	b, ok := c.m[k]
	return b, ok
}

// put remembers b, which must not be changed afterwards.
func (c *bodyCache) put(k generatedKey, b []byte) {
	if len(b)+len(k.detail) > bodyCacheBytes/16 {
		return // one body must not push out all the others
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	size := len(b) + len(k.detail)
	if c.m == nil || len(c.m) >= bodyCacheEntries || c.bytes+size > bodyCacheBytes {
		c.m, c.bytes = make(map[generatedKey][]byte), 0
	}
	if _, ok := c.m[k]; !ok {
		c.m[k] = b
		c.bytes += size
	}
}
