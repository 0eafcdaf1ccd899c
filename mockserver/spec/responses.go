package spec

import (
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// What a description documents about an operation's responses, in one place: the order of
// its status keys, which key documents a status, the order of a response's media types.

// ResponseKeys lists documented responses: codes ascending, NXX ranges after their codes,
// default last.
func ResponseKeys(responses *openapi3.Responses) []string {
	if responses == nil {
		return nil
	}
	keys := make([]string, 0, responses.Len())
	for k := range responses.Map() {
		keys = append(keys, k)
	}
	// By class, then exact codes before the class's range (201 before 2XX), then by code.
	sort.Slice(keys, func(i, j int) bool {
		si, sj := KeyStatus(keys[i]), KeyStatus(keys[j])
		if si/100 != sj/100 {
			return si < sj
		}
		if ri, rj := IsRange(keys[i]), IsRange(keys[j]); ri != rj {
			return !ri
		}
		if si != sj {
			return si < sj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// IsRange reports whether a response key is a status range ("4XX").
func IsRange(k string) bool { return len(k) == 3 && (k[1:] == "XX" || k[1:] == "xx") }

// KeyStatus maps a response key to a status: "404" → 404, "4XX" → 400, default → 1000 (so
// that it sorts last).
func KeyStatus(k string) int {
	if k == "default" {
		return 1000 // without strconv's error, which allocates: this runs per request
	}
	if n, err := strconv.Atoi(k); err == nil {
		return n
	}
	if len(k) == 3 && IsRange(k) && k[0] >= '1' && k[0] <= '5' {
		return int(k[0]-'0') * 100
	}
	return 1000
}

// Usable reports whether responses documents key with a value.
func Usable(responses *openapi3.Responses, key string) bool {
	r := responses.Value(key)
	return r != nil && r.Value != nil
}

// CodeKey finds the response documenting status itself: exact code, then NXX (not default).
func CodeKey(responses *openapi3.Responses, status int) string {
	code := strconv.Itoa(status)
	for _, k := range [...]string{code, code[:1] + "XX", code[:1] + "xx"} {
		if Usable(responses, k) {
			return k
		}
	}
	return ""
}

// MediaTypes lists the media types of owner's content (owner is a *openapi3.Response or an
// *openapi3.RequestBody of d) in the order the description writes them: a client without
// preferences gets the first. Where that order is unknown, JSON comes first
// (OrderedMediaTypes). The slice may be shared: callers must not modify it.
func (d *Document) MediaTypes(owner any) []string {
	if order := d.MediaOrder(owner); order != nil {
		return order
	}
	switch o := owner.(type) {
	case *openapi3.Response:
		return OrderedMediaTypes(o.Content)
	case *openapi3.RequestBody:
		return OrderedMediaTypes(o.Content)
	}
	return nil
}

// OrderedMediaTypes lists a content map's keys, JSON first, so that a client without
// preferences gets JSON: the order when the description's is unknown (MediaTypes).
func OrderedMediaTypes(c openapi3.Content) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch {
		case k == "application/json":
			return 0
		case strings.HasSuffix(k, "+json"):
			return 1
		case strings.Contains(k, "json"):
			return 2
		case k == "*/*":
			return 4
		}
		return 3
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}
