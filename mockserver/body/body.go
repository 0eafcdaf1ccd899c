// Package body decodes an HTTP request body that has already been read into
// memory into a JSON-compatible Go value (map[string]any, []any, string,
// float64, int64, bool, nil) that kin-openapi's Schema.VisitJSON accepts and
// that encoding/json can store.
//
// It replaces kin-openapi's own body decoders for the media types a mock
// server meets most, chiefly because kin-openapi cannot decode the bracket
// syntax (a[b]=c, a[]=x, a[0][k]=v) that Stripe-style clients send.
//
// # Media types
//
//   - application/json and every "+json" suffix: a byte scan enforces
//     Limits.MaxDepth before anything is built, then json.Decoder (UseNumber)
//     builds the value; data after the top-level value is rejected. Invalid
//     input is walked again token by token, building nothing, so that the
//     *Error names the path where it fails. Integer literals that
//     fit in int64 decode to int64 (so 9007199254740993 is kept exactly); every
//     other number decodes to float64. A number outside float64's range is an
//     error (code "json.number"). A leading UTF-8 byte order mark is ignored.
//   - application/x-www-form-urlencoded: see "Forms" below.
//   - multipart/form-data: each named part is a form field (same bracket
//     syntax and coercion as urlencoded forms); a part with a filename is a
//     file: its content becomes the string value of the field and its
//     metadata is listed in Decoded.Files. A non-file part whose Content-Type
//     is JSON is decoded as JSON when the schema of its field is an object or
//     an array (a single non-array JSON value for an array field is wrapped
//     into a one-element array). Parts without a form-data name are skipped (as
//     mime/multipart.Reader.ReadForm does) but count towards Limits.MaxParts.
//   - text/plain and every other media type: the raw bytes as a string.
//
// An empty body (no bytes at all, or for JSON only white space) decodes to a
// nil Value for every media type: whether that is acceptable is for the
// caller to decide from requestBody.required.
//
// # Forms
//
// Pairs are parsed in order; '+' is a space and %XX an escaped byte; a
// malformed escape is an *Error with code "form.syntax". Keys use bracket
// syntax after unescaping:
//
//	a=1                   {"a":"1"}
//	a[b]=c                {"a":{"b":"c"}}
//	a[b][c]=d             {"a":{"b":{"c":"d"}}}   (depth bounded by MaxDepth)
//	a[]=x&a[]=y           {"a":["x","y"]}
//	a[0][k]=v&a[1][k]=w   {"a":[{"k":"v"},{"k":"w"}]}
//
// Each a[] starts a new array element (a[][k]=v&a[][j]=w gives two objects:
// use indices to build arrays of objects). Keys whose brackets are all
// non-negative decimal indices become an array, ordered by index and
// compacted (a[5]=x gives ["x"]), unless the schema says the value is an
// object; elements appended with a[] (or plain a=v values) follow the
// indexed ones, and a=1&a[]=2 gives ["1","2"]. A key that is not well-formed bracket syntax (a[b, a]b, [a], a[b]c)
// is taken literally as a flat name. Repeating a plain key (a=1&a=2) gives an
// array when the schema says the field is an array; otherwise the last value
// wins. A single value where the schema expects an array is wrapped into a
// one-element array; comma-separated values are never split. Using one name
// both as a value and as an object (a=1&a[b]=2) is an *Error with code
// "form.conflict".
//
// Leaf strings are coerced when the schema, walked alongside the keys
// (properties, additionalProperties, items, prefixItems, allOf, anyOf,
// oneOf), says integer, number or boolean. Candidate types are tried in the
// order the schema gives them (type arrays, then anyOf/oneOf branches in
// order); the first that the string parses as wins, "string" always fits.
// Numbers must be JSON number literals (no "+1", "0x10", "NaN", " 1");
// integers must be integral (1.0 and 1e3 are accepted); booleans are "true"
// or "false" in any letter case. A string that parses as none of the
// candidate types is kept as a string, so that validation reports the type
// error; an empty string therefore always stays "". The OpenAPI encoding
// object is not consulted.
package body

import (
	"bytes"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// File is an uploaded multipart file part.
type File struct {
	Field       string // the form-data name of the part, as sent (brackets included)
	Filename    string // the base name of the filename parameter
	ContentType string // the part's Content-Type header, as sent (may be empty)
	Size        int64  // the number of content bytes
}

// Decoded is the result of Decode.
type Decoded struct {
	// Value is the decoded value. For multipart file parts the value at that
	// field is the file content as a string, so that `type: string, format:
	// binary` validates.
	Value any
	// Files lists the metadata of multipart file parts, in order of appearance.
	Files []File
}

// Error is a decoding failure that names where it happened.
type Error struct {
	// Location is the path of the failure: it always starts with "body",
	// followed by the object keys and array indices as far as they are known,
	// e.g. ["body","avatar","id"] or ["body"].
	Location []string
	// Code classifies the failure: "json.syntax", "json.number",
	// "form.syntax", "form.conflict", "multipart.syntax", "multipart.parts",
	// "nesting.depth".
	Code string
	// Message describes the failure for a person.
	Message string
}

// Error codes.
const (
	CodeJSONSyntax      = "json.syntax"
	CodeJSONNumber      = "json.number"
	CodeFormSyntax      = "form.syntax"
	CodeFormConflict    = "form.conflict"
	CodeMultipartSyntax = "multipart.syntax"
	CodeMultipartParts  = "multipart.parts"
	CodeNestingDepth    = "nesting.depth"
)

// Error returns the location joined with dots, then the message.
func (e *Error) Error() string {
	loc := "body"
	if len(e.Location) > 0 {
		loc = strings.Join(e.Location, ".")
	}
	return loc + ": " + e.Message
}

func newError(code string, loc []string, msg string) *Error {
	l := make([]string, 0, len(loc)+1)
	if len(loc) == 0 || loc[0] != "body" {
		l = append(l, "body")
	}
	l = append(l, loc...)
	return &Error{Location: l, Code: code, Message: msg}
}

// Default limits.
const (
	DefaultMaxDepth = 64
	DefaultMaxParts = 1000
)

// Limits bounds the decoding work.
type Limits struct {
	// MaxDepth bounds the nesting of JSON values and of form keys: an object
	// or array inside the top-level one is depth 2; a[b][c] is depth 3.
	// 0 or less means DefaultMaxDepth (64).
	MaxDepth int
	// MaxParts bounds the number of multipart parts. 0 or less means
	// DefaultMaxParts (1000).
	MaxParts int
}

func (l Limits) maxDepth() int {
	if l.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return l.MaxDepth
}

func (l Limits) maxParts() int {
	if l.MaxParts <= 0 {
		return DefaultMaxParts
	}
	return l.MaxParts
}

// IsJSON reports whether mediaType (without parameters) is application/json
// or has a "+json" suffix.
func IsJSON(mediaType string) bool {
	mt := strings.ToLower(strings.TrimSpace(mediaType))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// Decode decodes data of the given media type (already parsed, e.g.
// "application/json"; params holds its parameters, e.g. "boundary") guided by
// schema, which may be nil. Failures are returned as *Error.
func Decode(mediaType string, params map[string]string, data []byte, schema *openapi3.Schema, lim Limits) (Decoded, error) {
	if len(data) == 0 {
		return Decoded{}, nil
	}
	mt := strings.ToLower(strings.TrimSpace(mediaType))
	switch {
	case IsJSON(mt):
		v, err := decodeJSON(data, lim.maxDepth(), []string{"body"})
		if err != nil {
			return Decoded{}, err
		}
		return Decoded{Value: v}, nil
	case mt == "application/x-www-form-urlencoded":
		v, err := decodeForm(data, schema, lim.maxDepth())
		if err != nil {
			return Decoded{}, err
		}
		return Decoded{Value: v}, nil
	case mt == "multipart/form-data":
		return decodeMultipart(data, params, schema, lim)
	default:
		// text/plain and anything else: the raw bytes.
		return Decoded{Value: string(data)}, nil
	}
}

// trimBOM drops a leading UTF-8 byte order mark.
func trimBOM(data []byte) []byte {
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
}
