package body

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/textproto"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const formType = "application/x-www-form-urlencoded"

// ---- helpers ----

func mustDecode(t *testing.T, mediaType string, params map[string]string, data string, schema *openapi3.Schema, lim Limits) Decoded {
	t.Helper()
	d, err := Decode(mediaType, params, []byte(data), schema, lim)
	if err != nil {
		t.Fatalf("Decode(%q, %q): unexpected error %v", mediaType, data, err)
	}
	return d
}

// wantError checks that err is an *Error with the code and location.
func wantError(t *testing.T, err error, code string, loc []string) *Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s at %v, got nil", code, loc)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T: %v", err, err)
	}
	if e.Code != code {
		t.Errorf("code = %q, want %q (%v)", e.Code, code, e)
	}
	if loc != nil && !reflect.DeepEqual(e.Location, loc) {
		t.Errorf("location = %q, want %q (%v)", e.Location, loc, e)
	}
	if len(e.Location) == 0 || e.Location[0] != "body" {
		t.Errorf("location %q does not start with body", e.Location)
	}
	return e
}

func deepEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		t.Errorf("got  %#v (%s)\nwant %#v (%s)", got, gj, want, wj)
	}
}

type part struct {
	name, filename, contentType, content string
	noDisposition                        bool
}

func buildMultipart(t *testing.T, parts []part) (string, map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if !p.noDisposition {
			cd := `form-data; name="` + p.name + `"`
			if p.filename != "" {
				cd += `; filename="` + p.filename + `"`
			}
			h.Set("Content-Disposition", cd)
		}
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte(p.content))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), map[string]string{"boundary": w.Boundary()}
}

func types(ts ...string) *openapi3.Types { x := openapi3.Types(ts); return &x }

func obj(props map[string]*openapi3.Schema) *openapi3.Schema {
	s := openapi3.NewObjectSchema()
	for k, v := range props {
		s.WithProperty(k, v)
	}
	return s
}

func arr(items *openapi3.Schema) *openapi3.Schema { return openapi3.NewArraySchema().WithItems(items) }

var (
	intS  = openapi3.NewIntegerSchema
	numS  = openapi3.NewFloat64Schema
	boolS = openapi3.NewBoolSchema
	strS  = openapi3.NewStringSchema
)

// ---- JSON ----

func TestJSON(t *testing.T) {
	tests := []struct {
		name, mediaType, data string
		lim                   Limits
		want                  any
	}{
		{"empty", "application/json", "", Limits{}, nil},
		{"whitespace only", "application/json", " \r\n\t", Limits{}, nil},
		{"null", "application/json", "null", Limits{}, nil},
		{"scalar", "application/json", ` "hi" `, Limits{}, "hi"},
		{"numbers", "application/json",
			`{"i":1,"neg":-7,"zero":-0,"f":1.5,"e":1e3,"E":2E-1,"big":9007199254740993,"max":9223372036854775807,"over":9223372036854775808,"tiny":1e-400}`,
			Limits{}, map[string]any{
				"i": int64(1), "neg": int64(-7), "zero": int64(0), "f": 1.5, "e": 1000.0, "E": 0.2,
				"big": int64(9007199254740993), "max": int64(9223372036854775807),
				"over": 9223372036854775808.0, "tiny": 0.0,
			}},
		{"nested", "application/json", `{"a":[1,{"b":[true,false,null]},"x"],"c":{}}`, Limits{},
			map[string]any{"a": []any{int64(1), map[string]any{"b": []any{true, false, nil}}, "x"}, "c": map[string]any{}}},
		{"duplicate key last wins", "application/json", `{"a":1,"a":2}`, Limits{}, map[string]any{"a": int64(2)}},
		{"problem+json", "application/problem+json", `{"title":"x"}`, Limits{}, map[string]any{"title": "x"}},
		{"vendor json mixed case", "Application/Vnd.Api+JSON", `[]`, Limits{}, []any{}},
		{"bom", "application/json", "\xef\xbb\xbf{\"a\":1}", Limits{}, map[string]any{"a": int64(1)}},
		{"trailing whitespace", "application/json", "{}\n\n ", Limits{}, map[string]any{}},
		{"depth at limit", "application/json", `[[[1]]]`, Limits{MaxDepth: 3}, []any{[]any{[]any{int64(1)}}}},
		{"default depth 64", "application/json", strings.Repeat("[", 64) + strings.Repeat("]", 64), Limits{}, nest(64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDecode(t, tt.mediaType, nil, tt.data, nil, tt.lim)
			deepEqual(t, d.Value, tt.want)
			if d.Files != nil {
				t.Errorf("Files = %v, want nil", d.Files)
			}
		})
	}
}

func nest(n int) any {
	var v any = []any{}
	for i := 1; i < n; i++ {
		v = []any{v}
	}
	return v
}

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		name, data string
		lim        Limits
		code       string
		loc        []string
	}{
		{"trailing garbage", `{} x`, Limits{}, CodeJSONSyntax, []string{"body"}},
		{"second value", `1 2`, Limits{}, CodeJSONSyntax, []string{"body"}},
		{"two objects", `{}{}`, Limits{}, CodeJSONSyntax, []string{"body"}},
		{"unterminated", `{"a":[1,2`, Limits{}, CodeJSONSyntax, []string{"body", "a", "2"}},
		{"bad value in nested", `{"avatar":{"id":}}`, Limits{}, CodeJSONSyntax, []string{"body", "avatar", "id"}},
		{"bad array element", `[1,2,x]`, Limits{}, CodeJSONSyntax, []string{"body", "2"}},
		{"trailing comma", `[1,]`, Limits{}, CodeJSONSyntax, nil},
		{"missing colon", `{"a" 1}`, Limits{}, CodeJSONSyntax, nil},
		{"non-string key", `{1:2}`, Limits{}, CodeJSONSyntax, nil},
		{"form feed is not JSON space", "\f", Limits{}, CodeJSONSyntax, []string{"body"}},
		{"bare word", `nul`, Limits{}, CodeJSONSyntax, []string{"body"}},
		{"number out of range", `{"n":1e400}`, Limits{}, CodeJSONNumber, []string{"body", "n"}},
		{"depth over limit", `[[[[1]]]]`, Limits{MaxDepth: 3}, CodeNestingDepth, []string{"body", "0", "0", "0"}},
		{"depth object path", `{"a":{"b":{"c":{}}}}`, Limits{MaxDepth: 3}, CodeNestingDepth, []string{"body", "a", "b", "c"}},
		{"default depth 65", strings.Repeat("[", 65) + strings.Repeat("]", 65), Limits{}, CodeNestingDepth, nil},
		{"encoding/json's own limit", strings.Repeat("[", 10001) + strings.Repeat("]", 10001), Limits{MaxDepth: 20000}, CodeNestingDepth, []string{"body"}},
		// Only the opening brackets: the limit trips long before the end.
		{"very deep unterminated", strings.Repeat(`{"a":`, 1<<20), Limits{}, CodeNestingDepth, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode("application/json", nil, []byte(tt.data), nil, tt.lim)
			wantError(t, err, tt.code, tt.loc)
		})
	}
}

// ---- forms ----

func TestForm(t *testing.T) {
	tests := []struct {
		name, data string
		schema     *openapi3.Schema
		lim        Limits
		want       any
	}{
		{"flat", "a=1&b=hello+world&c=%E2%82%AC&d=", nil, Limits{}, map[string]any{"a": "1", "b": "hello world", "c": "€", "d": ""}},
		{"key without =", "flag&x=1", nil, Limits{}, map[string]any{"flag": "", "x": "1"}},
		{"empty pairs skipped", "&&a=1&&", nil, Limits{}, map[string]any{"a": "1"}},
		{"= in value", "a=b=c", nil, Limits{}, map[string]any{"a": "b=c"}},
		{"object", "a[b]=c&a[d]=e", nil, Limits{}, map[string]any{"a": map[string]any{"b": "c", "d": "e"}}},
		{"escaped brackets", "a%5Bb%5D=c", nil, Limits{}, map[string]any{"a": map[string]any{"b": "c"}}},
		{"deep nesting", "a[b][c][d]=e", nil, Limits{}, map[string]any{"a": map[string]any{"b": map[string]any{"c": map[string]any{"d": "e"}}}}},
		{"deep nesting at limit", "a[b][c]=d", nil, Limits{MaxDepth: 3}, map[string]any{"a": map[string]any{"b": map[string]any{"c": "d"}}}},
		{"append array", "a[]=x&a[]=y", nil, Limits{}, map[string]any{"a": []any{"x", "y"}}},
		{"append single", "a[]=x", nil, Limits{}, map[string]any{"a": []any{"x"}}},
		{"indexed array", "a[1]=y&a[0]=x", nil, Limits{}, map[string]any{"a": []any{"x", "y"}}},
		{"sparse indices compacted", "a[5]=x&a[2]=y", nil, Limits{}, map[string]any{"a": []any{"y", "x"}}},
		{"array of objects", "a[0][k]=v&a[1][k]=w&a[0][j]=u", nil, Limits{},
			map[string]any{"a": []any{map[string]any{"k": "v", "j": "u"}, map[string]any{"k": "w"}}}},
		{"append objects", "a[][k]=v&a[][k]=w", nil, Limits{},
			map[string]any{"a": []any{map[string]any{"k": "v"}, map[string]any{"k": "w"}}}},
		{"nested arrays", "a[0][]=1&a[0][]=2&a[1][]=3", nil, Limits{},
			map[string]any{"a": []any{[]any{"1", "2"}, []any{"3"}}}},
		{"mixed index and append", "a[1]=y&a[0]=x&a[]=z", nil, Limits{}, map[string]any{"a": []any{"x", "y", "z"}}},
		{"plain then append", "a=1&a[]=2", nil, Limits{}, map[string]any{"a": []any{"1", "2"}}},
		{"non-canonical index is a key", "a[01]=x&a[0]=y", nil, Limits{}, map[string]any{"a": map[string]any{"01": "x", "0": "y"}}},
		{"numeric keys with object schema", "m[1]=a&m[2]=b",
			obj(map[string]*openapi3.Schema{"m": openapi3.NewObjectSchema().WithAdditionalProperties(strS())}), Limits{},
			map[string]any{"m": map[string]any{"1": "a", "2": "b"}}},
		{"deepObject style", "filter[status]=open&filter[owner][id]=7", nil, Limits{},
			map[string]any{"filter": map[string]any{"status": "open", "owner": map[string]any{"id": "7"}}}},
		{"literal malformed keys", "a[b=1&c]d=2&[e]=3&f[g]h=4&i[j[k]]=5", nil, Limits{},
			map[string]any{"a[b": "1", "c]d": "2", "[e]": "3", "f[g]h": "4", "i[j[k]]": "5"}},
		{"empty bracket key", "a[][]=1", nil, Limits{}, map[string]any{"a": []any{[]any{"1"}}}},
		{"repeated plain key last wins", "a=1&a=2", nil, Limits{}, map[string]any{"a": "2"}},
		{"repeated plain key with string schema", "a=1&a=2", obj(map[string]*openapi3.Schema{"a": strS()}), Limits{}, map[string]any{"a": "2"}},
		{"repeated plain key with array schema", "a=1&a=2",
			obj(map[string]*openapi3.Schema{"a": arr(intS())}), Limits{}, map[string]any{"a": []any{int64(1), int64(2)}}},
		{"single value wrapped for array schema", "tags=x",
			obj(map[string]*openapi3.Schema{"tags": arr(strS())}), Limits{}, map[string]any{"tags": []any{"x"}}},
		{"comma not split", "tags=x,y",
			obj(map[string]*openapi3.Schema{"tags": arr(strS())}), Limits{}, map[string]any{"tags": []any{"x,y"}}},
		{"coercion", "i=42&n=-1.5&b=true&B=FALSE&s=42&big=9007199254740993&e=1e3&i1=1.0",
			obj(map[string]*openapi3.Schema{"i": intS(), "n": numS(), "b": boolS(), "B": boolS(), "s": strS(), "big": openapi3.NewInt64Schema(), "e": intS(), "i1": intS()}), Limits{},
			map[string]any{"i": int64(42), "n": -1.5, "b": true, "B": false, "s": "42", "big": int64(9007199254740993), "e": 1000.0, "i1": 1.0}},
		{"uncoercible stays string", "i=abc&i2=1.5&n=0x10&n2=%2B1&n3=NaN&n4=%201&b=yes&b2=1&i3=",
			obj(map[string]*openapi3.Schema{"i": intS(), "i2": intS(), "n": numS(), "n2": numS(), "n3": numS(), "n4": numS(), "b": boolS(), "b2": boolS(), "i3": intS()}), Limits{},
			map[string]any{"i": "abc", "i2": "1.5", "n": "0x10", "n2": "+1", "n3": "NaN", "n4": " 1", "b": "yes", "b2": "1", "i3": ""}},
		{"number out of range stays string", "n=1e400", obj(map[string]*openapi3.Schema{"n": numS()}), Limits{}, map[string]any{"n": "1e400"}},
		{"nested coercion", "a[0][k]=1&a[1][k]=2&o[x][y]=true",
			obj(map[string]*openapi3.Schema{
				"a": arr(obj(map[string]*openapi3.Schema{"k": intS()})),
				"o": obj(map[string]*openapi3.Schema{"x": obj(map[string]*openapi3.Schema{"y": boolS()})}),
			}), Limits{},
			map[string]any{"a": []any{map[string]any{"k": int64(1)}, map[string]any{"k": int64(2)}}, "o": map[string]any{"x": map[string]any{"y": true}}}},
		{"additionalProperties coercion", "m[a]=1&m[b]=x",
			obj(map[string]*openapi3.Schema{"m": openapi3.NewObjectSchema().WithAdditionalProperties(intS())}), Limits{},
			map[string]any{"m": map[string]any{"a": int64(1), "b": "x"}}},
		{"allOf searches each branch", "a=1&b=true",
			&openapi3.Schema{AllOf: openapi3.SchemaRefs{
				openapi3.NewSchemaRef("", obj(map[string]*openapi3.Schema{"a": intS()})),
				openapi3.NewSchemaRef("", obj(map[string]*openapi3.Schema{"b": boolS()})),
			}}, Limits{}, map[string]any{"a": int64(1), "b": true}},
		{"oneOf first fitting branch", "x=5&y=5&z=abc",
			obj(map[string]*openapi3.Schema{
				"x": {OneOf: openapi3.SchemaRefs{openapi3.NewSchemaRef("", intS()), openapi3.NewSchemaRef("", strS())}},
				"y": {AnyOf: openapi3.SchemaRefs{openapi3.NewSchemaRef("", strS()), openapi3.NewSchemaRef("", intS())}},
				"z": {OneOf: openapi3.SchemaRefs{openapi3.NewSchemaRef("", intS()), openapi3.NewSchemaRef("", boolS())}},
			}), Limits{}, map[string]any{"x": int64(5), "y": "5", "z": "abc"}},
		{"type array (3.1)", "a=7&b=null", obj(map[string]*openapi3.Schema{"a": {Type: types("null", "integer")}, "b": {Type: types("integer", "null")}}), Limits{},
			map[string]any{"a": int64(7), "b": "null"}},
		{"items through anyOf", "x[]=1&y=true",
			obj(map[string]*openapi3.Schema{
				"x": {AnyOf: openapi3.SchemaRefs{openapi3.NewSchemaRef("", arr(intS()))}},
				"y": {AllOf: openapi3.SchemaRefs{openapi3.NewSchemaRef("", &openapi3.Schema{Description: "no type"}), openapi3.NewSchemaRef("", boolS())}},
			}), Limits{}, map[string]any{"x": []any{int64(1)}, "y": true}},
		{"enum infers type", "a=2", obj(map[string]*openapi3.Schema{"a": {Enum: []any{1.0, 2.0}}}), Limits{}, map[string]any{"a": int64(2)}},
		{"prefixItems", "t[0]=1&t[1]=true", obj(map[string]*openapi3.Schema{"t": {Type: types("array"), PrefixItems: openapi3.SchemaRefs{
			openapi3.NewSchemaRef("", intS()), openapi3.NewSchemaRef("", boolS())}}}), Limits{},
			map[string]any{"t": []any{int64(1), true}}},
		{"empty body", "", nil, Limits{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDecode(t, formType, nil, tt.data, tt.schema, tt.lim)
			deepEqual(t, d.Value, tt.want)
		})
	}
}

func TestFormCyclicSchema(t *testing.T) {
	// node: {type: object, properties: {v: integer, child: $node}, allOf: [$node]}
	node := openapi3.NewObjectSchema()
	node.WithProperty("v", intS())
	node.Properties["child"] = openapi3.NewSchemaRef("#/node", node)
	node.AllOf = openapi3.SchemaRefs{openapi3.NewSchemaRef("#/node", node), openapi3.NewSchemaRef("#/node", node)}
	d := mustDecode(t, formType, nil, "child[child][v]=3&nope[x]=1", node, Limits{})
	deepEqual(t, d.Value, map[string]any{
		"child": map[string]any{"child": map[string]any{"v": int64(3)}},
		"nope":  map[string]any{"x": "1"},
	})
}

func TestFormErrors(t *testing.T) {
	tests := []struct {
		name, data string
		lim        Limits
		code       string
		loc        []string
	}{
		{"bad escape in value", "a=1&b[c]=%zz", Limits{}, CodeFormSyntax, []string{"body", "b", "c"}},
		{"truncated escape in value", "a=%4", Limits{}, CodeFormSyntax, []string{"body", "a"}},
		{"bad escape in key", "a%G1=1", Limits{}, CodeFormSyntax, []string{"body"}},
		{"depth over limit", "a[b][c][d]=1", Limits{MaxDepth: 3}, CodeNestingDepth, []string{"body", "a", "b", "c"}},
		{"default depth", "a" + strings.Repeat("[x]", 64) + "=1", Limits{}, CodeNestingDepth, nil},
		{"value and object", "a=1&a[b]=2", Limits{}, CodeFormConflict, []string{"body", "a"}},
		{"object and append", "x[y][z]=1&x[y][]=2", Limits{}, CodeFormConflict, []string{"body", "x", "y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(formType, nil, []byte(tt.data), nil, tt.lim)
			wantError(t, err, tt.code, tt.loc)
		})
	}
}

// ---- multipart ----

func TestMultipart(t *testing.T) {
	schema := obj(map[string]*openapi3.Schema{
		"name":   strS(),
		"age":    intS(),
		"active": boolS(),
		"avatar": openapi3.NewStringSchema().WithFormat("binary"),
		"meta":   obj(map[string]*openapi3.Schema{"id": intS(), "tags": arr(strS())}),
		"list":   arr(obj(map[string]*openapi3.Schema{"n": intS()})),
		"note":   strS(),
		"addr":   obj(map[string]*openapi3.Schema{"zip": intS(), "city": strS()}),
		"docs":   arr(openapi3.NewStringSchema().WithFormat("binary")),
		"pair":   arr(intS()),
	})
	body, params := buildMultipart(t, []part{
		{name: "name", content: "Ada"},
		{name: "age", content: "36"},
		{name: "active", content: "true", contentType: "text/plain; charset=utf-8"},
		{name: "avatar", filename: "a.png", contentType: "image/png", content: "\x89PNG\r\n\x1a\n\x00binary"},
		{name: "meta", contentType: "application/json", content: `{"id": 9007199254740993, "tags": ["a"]}`},
		{name: "list", contentType: "application/vnd.x+json; charset=utf-8", content: `[{"n":1},{"n":2}]`},
		{name: "note", contentType: "application/json", content: `{"not":"decoded"}`},
		{name: "addr[zip]", content: "12345"},
		{name: "addr[city]", content: "Paris"},
		{name: "docs", filename: "../../etc/one.txt", content: "first"},
		{name: "docs", filename: "two.txt", contentType: "text/plain", content: ""},
		{name: "pair[]", content: "1"},
		{name: "pair[]", content: "2"},
		{name: "extra", contentType: "application/json", content: `{"no":"schema"}`},
		{noDisposition: true, content: "ignored"},
	})
	d := mustDecode(t, "multipart/form-data", params, body, schema, Limits{})
	want := map[string]any{
		"name":   "Ada",
		"age":    int64(36),
		"active": true,
		"avatar": "\x89PNG\r\n\x1a\n\x00binary",
		"meta":   map[string]any{"id": int64(9007199254740993), "tags": []any{"a"}},
		"list":   []any{map[string]any{"n": int64(1)}, map[string]any{"n": int64(2)}},
		"note":   `{"not":"decoded"}`,
		"addr":   map[string]any{"zip": int64(12345), "city": "Paris"},
		"docs":   []any{"first", ""},
		"pair":   []any{int64(1), int64(2)},
		"extra":  `{"no":"schema"}`,
	}
	deepEqual(t, d.Value, want)
	wantFiles := []File{
		{Field: "avatar", Filename: "a.png", ContentType: "image/png", Size: int64(len("\x89PNG\r\n\x1a\n\x00binary"))},
		{Field: "docs", Filename: "one.txt", ContentType: "", Size: 5}, // no Content-Type header sent
		{Field: "docs", Filename: "two.txt", ContentType: "text/plain", Size: 0},
	}
	deepEqual(t, d.Files, wantFiles)
	if err := schema.VisitJSON(d.Value); err != nil {
		t.Errorf("VisitJSON: %v", err)
	}
}

func TestMultipartSingleFileWrapped(t *testing.T) {
	schema := obj(map[string]*openapi3.Schema{"docs": arr(openapi3.NewStringSchema().WithFormat("binary"))})
	body, params := buildMultipart(t, []part{{name: "docs", filename: "x.bin", content: "abc"}})
	d := mustDecode(t, "multipart/form-data", params, body, schema, Limits{})
	deepEqual(t, d.Value, map[string]any{"docs": []any{"abc"}})
	deepEqual(t, d.Files, []File{{Field: "docs", Filename: "x.bin", Size: 3}})
}

func TestMultipartJSONPartsAtBracketNames(t *testing.T) {
	schema := obj(map[string]*openapi3.Schema{
		"list": arr(obj(map[string]*openapi3.Schema{"n": intS()})),
		"cfg":  obj(map[string]*openapi3.Schema{"inner": obj(map[string]*openapi3.Schema{"a": intS()})}),
		"grid": arr(arr(intS())),
		"m":    openapi3.NewObjectSchema().WithAdditionalProperties(arr(strS())),
		"one":  arr(obj(map[string]*openapi3.Schema{"n": intS()})),
	})
	body, params := buildMultipart(t, []part{
		{name: "list[]", contentType: "application/json", content: `{"n":1}`},
		{name: "list[]", contentType: "application/json", content: `{"n":2}`},
		{name: "cfg[inner]", contentType: "application/json", content: `{"a":1}`},
		{name: "grid[0]", contentType: "application/json", content: `[1,2]`},
		{name: "m[k]", contentType: "application/json", content: `["x"]`},
		{name: "one", contentType: "application/json", content: `{"n":3}`},
	})
	d := mustDecode(t, "multipart/form-data", params, body, schema, Limits{})
	deepEqual(t, d.Value, map[string]any{
		"list": []any{map[string]any{"n": int64(1)}, map[string]any{"n": int64(2)}},
		"cfg":  map[string]any{"inner": map[string]any{"a": int64(1)}},
		"grid": []any{[]any{int64(1), int64(2)}},
		"m":    map[string]any{"k": []any{"x"}},
		"one":  []any{map[string]any{"n": int64(3)}},
	})
	if err := schema.VisitJSON(d.Value); err != nil {
		t.Errorf("VisitJSON: %v", err)
	}
}

func TestMultipartEmptyForm(t *testing.T) {
	body, params := buildMultipart(t, nil)
	d := mustDecode(t, "multipart/form-data", params, body, nil, Limits{})
	deepEqual(t, d.Value, map[string]any{})
}

func TestMultipartErrors(t *testing.T) {
	objSchema := obj(map[string]*openapi3.Schema{"meta": obj(map[string]*openapi3.Schema{"id": intS()})})
	three := []part{{name: "a", content: "1"}, {name: "b", content: "2"}, {name: "c", content: "3"}}
	tests := []struct {
		name   string
		parts  []part
		raw    string // used instead of parts when set
		params map[string]string
		lim    Limits
		code   string
		loc    []string
	}{
		{name: "missing boundary", parts: three, params: map[string]string{}, code: CodeMultipartSyntax, loc: []string{"body"}},
		{name: "nil params", parts: three, params: nil, code: CodeMultipartSyntax, loc: []string{"body"}},
		{name: "part limit", parts: three, lim: Limits{MaxParts: 2}, code: CodeMultipartParts, loc: []string{"body"}},
		{name: "garbage", raw: "not multipart at all", params: map[string]string{"boundary": "xyz"}, code: CodeMultipartSyntax},
		{name: "no closing boundary", raw: "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
			params: map[string]string{"boundary": "xyz"}, code: CodeMultipartSyntax},
		{name: "bad JSON part", parts: []part{{name: "meta", contentType: "application/json", content: `{"id":}`}},
			code: CodeJSONSyntax, loc: []string{"body", "meta", "id"}},
		{name: "JSON part too deep", parts: []part{{name: "meta", contentType: "application/json", content: `{"id":{"x":{}}}`}},
			lim: Limits{MaxDepth: 3}, code: CodeNestingDepth, loc: []string{"body", "meta", "id", "x"}},
		{name: "field name too deep", parts: []part{{name: "a[b][c][d]", content: "1"}},
			lim: Limits{MaxDepth: 3}, code: CodeNestingDepth, loc: []string{"body", "a", "b", "c"}},
		{name: "conflict", parts: []part{{name: "a", content: "1"}, {name: "a[b]", content: "2"}},
			code: CodeFormConflict, loc: []string{"body", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, params := tt.raw, tt.params
			if tt.raw == "" {
				var p map[string]string
				data, p = buildMultipart(t, tt.parts)
				if tt.params == nil && tt.name != "nil params" {
					params = p
				}
			}
			_, err := Decode("multipart/form-data", params, []byte(data), objSchema, tt.lim)
			wantError(t, err, tt.code, tt.loc)
		})
	}
}

func TestMultipartPartLimitExact(t *testing.T) {
	body, params := buildMultipart(t, []part{{name: "a", content: "1"}, {name: "b", content: "2"}})
	d := mustDecode(t, "multipart/form-data", params, body, nil, Limits{MaxParts: 2})
	deepEqual(t, d.Value, map[string]any{"a": "1", "b": "2"})
}

// ---- other media types ----

func TestRaw(t *testing.T) {
	tests := []struct {
		mediaType, data string
		want            any
	}{
		{"text/plain", "hello\nworld", "hello\nworld"},
		{"application/octet-stream", "\x00\x01\xff", "\x00\x01\xff"},
		{"image/png", "\x89PNG", "\x89PNG"},
		{"text/csv", "a,b", "a,b"},
		{"", "x", "x"},
		{"text/plain", "", nil},
		{"application/octet-stream", "", nil},
		{"multipart/form-data", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.mediaType, func(t *testing.T) {
			d := mustDecode(t, tt.mediaType, nil, tt.data, nil, Limits{})
			deepEqual(t, d.Value, tt.want)
		})
	}
}

// ---- errors ----

func TestErrorString(t *testing.T) {
	e := &Error{Location: []string{"body", "avatar", "id"}, Code: CodeJSONSyntax, Message: "boom"}
	if got, want := e.Error(), "body.avatar.id: boom"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := (&Error{Message: "m"}).Error(); got != "body: m" {
		t.Errorf("Error() = %q", got)
	}
}

// ---- kin-openapi validation of decoded values ----

func TestKinValidatesDecodedValues(t *testing.T) {
	max := 1e16
	bigMax := openapi3.NewInt64Schema()
	bigMax.Max = &max
	tests := []struct {
		name, mediaType, data string
		schema                *openapi3.Schema
		valid                 bool
	}{
		{"json ints and floats", "application/json", `{"id":1,"price":9.5,"big":9007199254740993}`,
			obj(map[string]*openapi3.Schema{"id": openapi3.NewInt32Schema(), "price": numS(), "big": bigMax}), true},
		{"json float for integer", "application/json", `{"id":1.5}`, obj(map[string]*openapi3.Schema{"id": intS()}), false},
		{"json enum int64", "application/json", `{"e":2}`, obj(map[string]*openapi3.Schema{"e": intS().WithEnum(1.0, 2.0)}), true},
		{"form coerced", formType, "id=7&price=1.25&ok=false&tags[]=a&tags[]=b",
			obj(map[string]*openapi3.Schema{"id": intS(), "price": numS(), "ok": boolS(), "tags": arr(strS())}), true},
		{"form array of objects", formType, "items[0][qty]=2&items[1][qty]=3",
			obj(map[string]*openapi3.Schema{"items": arr(obj(map[string]*openapi3.Schema{"qty": intS().WithMin(1)}))}), true},
		{"form uncoercible reports type error", formType, "id=abc", obj(map[string]*openapi3.Schema{"id": intS()}), false},
		{"form empty integer reports error", formType, "id=", obj(map[string]*openapi3.Schema{"id": intS()}), false},
		{"form wrapped array", formType, "ids=5", obj(map[string]*openapi3.Schema{"ids": arr(intS())}), true},
		{"text plain", "text/plain", "hi", strS(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustDecode(t, tt.mediaType, nil, tt.data, tt.schema, Limits{})
			for _, opts := range [][]openapi3.SchemaValidationOption{nil, {openapi3.EnableJSONSchema2020()}} {
				err := tt.schema.VisitJSON(d.Value, opts...)
				if tt.valid && err != nil {
					t.Errorf("VisitJSON(%#v, %d opts): %v", d.Value, len(opts), err)
				}
				if !tt.valid && err == nil {
					t.Errorf("VisitJSON(%#v, %d opts): want an error", d.Value, len(opts))
				}
			}
		})
	}
}
