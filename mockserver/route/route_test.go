package route

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// table is a set of operations shaped like the ones in GitHub, Stripe,
// Discord and Twilio descriptions that httprouter cannot hold as they are.
var table = []Entry{
	{"GET", "/pets", 0},
	{"POST", "/pets", 1},
	{"GET", "/pets/search", 2},
	{"GET", "/pets/{id}", 3},
	{"DELETE", "/pets/{petId}", 4},
	{"GET", "/pets/{petId}/toys", 5},
	{"GET", "/pets/{id}/toys/{toyId}", 6},
	{"GET", "/pets/mine/toys/special", 7},
	{"GET", "/users/@me", 8},
	{"GET", "/users/{user_id}", 9},
	{"PATCH", "/users/{user_id}", 10},
	{"GET", "/files/{name}.json", 11},
	{"GET", "/files/{name}", 12},
	{"GET", "/files/Local.json", 13},
	{"GET", "/range/{from}-{to}", 14},
	{"GET", "/repos/{owner}/{repo}/compare/{basehead}", 15},
	{"GET", "/api/v2/user/{id}/", 16},
	{"GET", "/api/v2/user/{id}", 17},
	{"POST", "/v1/{name}:cancel", 18},
	{"GET", "/v1/operations:batchGet", 19},
	{"GET", "/glob/*", 20},
	{"GET", "/glob/{x}", 21},
	{"GET", "/cost/$count", 22},
	{"GET", "/a/{x}/b", 23},
	{"GET", "/a/lit/{y}", 24},
	{"GET", "/", 25},
	{"GET", "/{tenant}", 26},
	{"GET", "/v{version}/status", 27},
	{"GET", "/v1/charges/search", 28},
	{"GET", "/v1/charges/{charge}", 29},
	{"POST", "/v1/charges/{charge}", 30},
	{"GET", "/compare/{base}...{head}", 31},
	{"GET", "/thumb/{id}/thumbnail.{ext}", 32},
	{"GET", "/box/{file_id}#get_shared_link", 33},
	{"GET", "/box/{file_id}", 34},
	{"GET", "/café/{id}", 35},
	{"GET", "/double//slash", 36},
	{"GET", "/double/{x}/slash", 37},
	{"GET", "/Accounts/{AccountSid}/IncomingPhoneNumbers/Local.json", 38},
	{"GET", "/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json", 39},
	{"GET", "/Accounts/{AccountSid}/IncomingPhoneNumbers.json", 40},
	{"GET", "/discount/100%", 41},
	{"GET", "/a%b/{id}", 42},
	{"GET", "/off/50%41", 43},
	{"GET", "/off/{code}", 44},
	{"GET", "/pct/{n}%", 45},
}

func p(kv ...string) []Param {
	var ps []Param
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, Param{kv[i], kv[i+1]})
	}
	return ps
}

func TestMatch(t *testing.T) {
	r, err := New(table)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		method, path string
		want         int
		params       []Param
		status       int
		allow        []string
	}{
		// precedence: literal beats param at the same depth
		{"literal beats param", "GET", "/pets/search", 2, nil, 0, nil},
		{"param beside literal", "GET", "/pets/42", 3, p("id", "42"), 0, nil},
		{"param names per method", "DELETE", "/pets/42", 4, p("petId", "42"), 0, nil},
		{"less specific template has the method", "DELETE", "/pets/search", 4, p("petId", "search"), 0, nil},
		{"collection", "GET", "/pets", 0, nil, 0, nil},
		{"collection post", "POST", "/pets", 1, nil, 0, nil},
		{"param then literal", "GET", "/pets/7/toys", 5, p("petId", "7"), 0, nil},
		{"param literal param", "GET", "/pets/7/toys/9", 6, p("id", "7", "toyId", "9"), 0, nil},
		{"deeper literal after folded param", "GET", "/pets/mine/toys/special", 7, nil, 0, nil},
		{"deeper param when literal does not continue", "GET", "/pets/mine/toys/other", 6, p("id", "mine", "toyId", "other"), 0, nil},
		{"discord @me", "GET", "/users/@me", 8, nil, 0, nil},
		{"discord user id", "GET", "/users/80351110224678912", 9, p("user_id", "80351110224678912"), 0, nil},
		{"discord @me patch falls to param", "PATCH", "/users/@me", 10, p("user_id", "@me"), 0, nil},
		{"escaped @ is not the literal", "GET", "/users/%40me", 9, p("user_id", "@me"), 0, nil},
		// partial segments
		{"literal beats partial", "GET", "/files/Local.json", 13, nil, 0, nil},
		{"partial beats param", "GET", "/files/report.json", 11, p("name", "report"), 0, nil},
		{"partial keeps inner dots", "GET", "/files/a.b.json", 11, p("name", "a.b"), 0, nil},
		{"partial needs non-empty param", "GET", "/files/.json", 12, p("name", ".json"), 0, nil},
		{"param when partial does not match", "GET", "/files/report.xml", 12, p("name", "report.xml"), 0, nil},
		{"two params in a segment", "GET", "/range/1-10", 14, p("from", "1", "to", "10"), 0, nil},
		{"two params leftmost split", "GET", "/range/1-10-20", 14, p("from", "1", "to", "10-20"), 0, nil},
		{"two params missing separator", "GET", "/range/110", 0, nil, 404, nil},
		{"basehead", "GET", "/repos/o/r/compare/main...dev", 15, p("owner", "o", "repo", "r", "basehead", "main...dev"), 0, nil},
		{"base...head", "GET", "/compare/main...feature...x", 31, p("base", "main", "head", "feature...x"), 0, nil},
		{"prefix param", "GET", "/v2/status", 27, p("version", "2"), 0, nil},
		{"literal then partial suffix", "GET", "/thumb/9/thumbnail.png", 32, p("id", "9", "ext", "png"), 0, nil},
		{"twilio Local.json", "GET", "/Accounts/AC1/IncomingPhoneNumbers/Local.json", 38, p("AccountSid", "AC1"), 0, nil},
		{"twilio {Sid}.json", "GET", "/Accounts/AC1/IncomingPhoneNumbers/PN1.json", 39, p("AccountSid", "AC1", "Sid", "PN1"), 0, nil},
		{"twilio collection.json", "GET", "/Accounts/AC1/IncomingPhoneNumbers.json", 40, p("AccountSid", "AC1"), 0, nil},
		// precedence is left to right
		{"left literal wins", "GET", "/a/lit/b", 24, p("y", "b"), 0, nil},
		{"left param", "GET", "/a/other/b", 23, p("x", "other"), 0, nil},
		// literal ':', '*', '$'
		{"colon verb", "POST", "/v1/ops:cancel", 18, p("name", "ops"), 0, nil},
		{"colon verb escaped", "POST", "/v1/ops%3Acancel", 18, p("name", "ops"), 0, nil},
		{"colon literal", "GET", "/v1/operations:batchGet", 19, nil, 0, nil},
		{"colon literal is not a param", "GET", "/v1/operations:other", 0, nil, 404, nil},
		{"colon verb on colon literal", "POST", "/v1/operations:cancel", 18, p("name", "operations"), 0, nil},
		{"colon verb wrong method", "GET", "/v1/operations:cancel", 0, nil, 405, []string{"POST"}},
		{"star literal", "GET", "/glob/*", 20, nil, 0, nil},
		{"star literal is not a catch-all", "GET", "/glob/abc", 21, p("x", "abc"), 0, nil},
		{"dollar literal", "GET", "/cost/$count", 22, nil, 0, nil},
		{"dollar literal mismatch", "GET", "/cost/count", 0, nil, 404, nil},
		{"stripe search", "GET", "/v1/charges/search", 28, nil, 0, nil},
		{"stripe id", "GET", "/v1/charges/ch_1", 29, p("charge", "ch_1"), 0, nil},
		{"stripe post on search falls to param", "POST", "/v1/charges/search", 30, p("charge", "search"), 0, nil},
		{"fragment literal", "GET", "/box/f1#get_shared_link", 33, p("file_id", "f1"), 0, nil},
		{"fragment literal escaped", "GET", "/box/f1%23get_shared_link", 33, p("file_id", "f1"), 0, nil},
		{"fragment sibling", "GET", "/box/f1", 34, p("file_id", "f1"), 0, nil},
		{"non-ascii literal escaped", "GET", "/caf%C3%A9/1", 35, p("id", "1"), 0, nil},
		{"non-ascii literal raw", "GET", "/café/1", 35, p("id", "1"), 0, nil},
		{"empty middle segment", "GET", "/double//slash", 36, nil, 0, nil},
		{"param beside empty middle segment", "GET", "/double/x/slash", 37, p("x", "x"), 0, nil},
		// root
		{"root", "GET", "/", 25, nil, 0, nil},
		{"root param", "GET", "/acme", 26, p("tenant", "acme"), 0, nil},
		// trailing slashes
		{"trailing slash template", "GET", "/api/v2/user/7/", 16, p("id", "7"), 0, nil},
		{"no trailing slash template", "GET", "/api/v2/user/7", 17, p("id", "7"), 0, nil},
		{"trailing slash not in template", "GET", "/pets/7/toys/", 0, nil, 404, nil},
		{"trailing slash on collection", "GET", "/pets/", 0, nil, 404, nil},
		// percent-encoded values
		{"encoded slash stays in value", "GET", "/pets/a%2Fb", 3, p("id", "a/b"), 0, nil},
		{"encoded slash in partial", "GET", "/files/a%2Fb.json", 11, p("name", "a/b"), 0, nil},
		{"encoded space", "GET", "/pets/a%20b", 3, p("id", "a b"), 0, nil},
		{"plus is not space", "GET", "/pets/a+b", 3, p("id", "a+b"), 0, nil},
		{"utf-8 value", "GET", "/pets/%E2%9C%93", 3, p("id", "✓"), 0, nil},
		{"invalid escape kept raw", "GET", "/pets/%zz", 3, p("id", "%zz"), 0, nil},
		{"truncated escape kept raw", "GET", "/pets/abc%2", 3, p("id", "abc%2"), 0, nil},
		{"escaped separator is data", "GET", "/range/1%2D2-3", 14, p("from", "1-2", "to", "3"), 0, nil},
		// a literal '%' in a template: a client sends it as %25
		{"literal percent sent as %25", "GET", "/discount/100%25", 41, nil, 0, nil},
		{"literal percent is not another escape", "GET", "/discount/100%26", 0, nil, 404, nil},
		{"literal percent, stray percent in the request", "GET", "/discount/100%", 41, nil, 0, nil},
		{"literal percent before a param", "GET", "/a%25b/7", 42, p("id", "7"), 0, nil},
		{"literal percent before a param, stray percent", "GET", "/a%b/7", 42, p("id", "7"), 0, nil},
		{"template text %41 is literal", "GET", "/off/50%2541", 43, nil, 0, nil},
		{"request %41 is A, not the template text", "GET", "/off/50%41", 44, p("code", "50A"), 0, nil},
		{"literal percent after a param", "GET", "/pct/5%25", 45, p("n", "5"), 0, nil},
		{"literal percent after a param is not another escape", "GET", "/pct/5%41", 0, nil, 404, nil},
		// 404 and 405
		{"404", "GET", "/nothing/here", 0, nil, 404, nil},
		{"404 too deep", "GET", "/pets/1/toys/2/3", 0, nil, 404, nil},
		{"405 allow", "PUT", "/pets/7", 0, nil, 405, []string{"DELETE", "GET"}},
		{"405 allow union over matching templates", "PUT", "/pets/search", 0, nil, 405, []string{"DELETE", "GET"}},
		{"405 collection", "DELETE", "/pets", 0, nil, 405, []string{"GET", "POST"}},
		{"405 lower-case method", "get", "/pets", 0, nil, 405, []string{"GET", "POST"}},
		{"405 user", "PUT", "/users/@me", 0, nil, 405, []string{"GET", "PATCH"}},
		// garbage
		{"empty path", "GET", "", 0, nil, 404, nil},
		{"no leading slash", "GET", "pets", 0, nil, 404, nil},
		{"double slash", "GET", "//", 0, nil, 404, nil},
		{"empty param", "GET", "/pets//toys", 0, nil, 404, nil},
		{"empty method", "", "/pets", 0, nil, 405, []string{"GET", "POST"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := r.Match(tc.method, tc.path)
			if got.Status != tc.status {
				t.Fatalf("Match(%q, %q) status = %d, want %d (%+v)", tc.method, tc.path, got.Status, tc.status, got)
			}
			if tc.status == 0 {
				if got.Value != tc.want || got.Closest != tc.want {
					t.Errorf("Match(%q, %q) = %d (%s), want %d (%s)", tc.method, tc.path, got.Value, table[got.Value].Template, tc.want, table[tc.want].Template)
				}
				if !reflect.DeepEqual(got.Params, tc.params) {
					t.Errorf("Match(%q, %q) params = %q, want %q", tc.method, tc.path, got.Params, tc.params)
				}
			}
			if !reflect.DeepEqual(got.Allow, tc.allow) {
				t.Errorf("Match(%q, %q) allow = %q, want %q", tc.method, tc.path, got.Allow, tc.allow)
			}
			if slow := r.matchSlow(tc.method, tc.path); !reflect.DeepEqual(slow, got) {
				t.Errorf("fast path %+v != scan %+v", got, slow)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	r, err := New(table)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/pets/7/toys/9/extra", 6},                    // longest common prefix
		{"PUT", "/pets/7", 3},                                 // 405: an operation of the matched template
		{"PATCH", "/users/1/x", 10},                           // prefix tie broken by the method
		{"GET", "/api/v2/user/7/x", 16},                       // prefix 4 beats prefix 3
		{"GET", "/zzz/yyy/xxx/www", 26},                       // only the root param shares a segment
		{"POST", "/zzz/yyy/xxx/www", 26},                      // ... even without the method: a POST sharing nothing loses
		{"TRACE", "nothing", 26},                              // no leading slash, "/{tenant}" shares one segment
		{"GET", "/Accounts/A/IncomingPhoneNumbers/x.xml", 38}, // tie: the more specific template
	}
	for _, tc := range tests {
		got := r.Match(tc.method, tc.path)
		if got.Status == 0 {
			t.Fatalf("Match(%q, %q) unexpectedly matched %+v", tc.method, tc.path, got)
		}
		if got.Closest != tc.want {
			t.Errorf("Match(%q, %q).Closest = %d (%s), want %d (%s)", tc.method, tc.path, got.Closest, templateOf(got.Closest), tc.want, templateOf(tc.want))
		}
	}
	empty, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := empty.Match("GET", "/x"); got.Status != 404 || got.Closest != -1 {
		t.Errorf("empty router: %+v", got)
	}
	small, _ := New([]Entry{{"GET", "/a/b", 1}})
	if got := small.Match("POST", "/x/y"); got.Status != 404 || got.Closest != -1 {
		t.Errorf("nothing in common: %+v, want Closest -1", got)
	}
}

func templateOf(v int) string {
	if v < 0 || v >= len(table) {
		return "none"
	}
	return table[v].Template
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		dups    [][2]int // values named by DuplicateErrors
		invalid []int    // values named by EntryErrors
		serves  map[string]int
	}{
		{
			name:    "same template",
			entries: []Entry{{"GET", "/a/{id}", 1}, {"GET", "/a/{id}", 2}},
			dups:    [][2]int{{1, 2}},
			serves:  map[string]int{"GET /a/x": 1},
		},
		{
			name:    "equal modulo parameter names",
			entries: []Entry{{"GET", "/a/{id}", 7}, {"POST", "/a/{x}", 8}, {"GET", "/a/{name}", 9}},
			dups:    [][2]int{{7, 9}},
			serves:  map[string]int{"GET /a/x": 7, "POST /a/x": 8},
		},
		{
			name:    "partial modulo names",
			entries: []Entry{{"GET", "/f/{a}.json", 1}, {"GET", "/f/{b}.json", 2}, {"GET", "/f/{b}.xml", 3}},
			dups:    [][2]int{{1, 2}},
			serves:  map[string]int{"GET /f/x.json": 1, "GET /f/x.xml": 3},
		},
		{
			name:    "method case",
			entries: []Entry{{"get", "/a", 1}, {"GET", "/a", 2}},
			dups:    [][2]int{{1, 2}},
			serves:  map[string]int{"GET /a": 1},
		},
		{
			name:    "trailing slash is not a duplicate",
			entries: []Entry{{"GET", "/a", 1}, {"GET", "/a/", 2}},
			serves:  map[string]int{"GET /a": 1, "GET /a/": 2},
		},
		{
			name:    "invalid entries",
			entries: []Entry{{"", "/a", 1}, {"GET", "", 2}, {"GET", "/" + strings.Repeat("x/", 300), 3}, {"GET", "b/{id}", 4}},
			invalid: []int{1, 2, 3},
			serves:  map[string]int{"GET /b/1": 4},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.entries)
			if r == nil {
				t.Fatal("New returned a nil router")
			}
			if (err != nil) != (len(tc.dups)+len(tc.invalid) > 0) {
				t.Fatalf("err = %v", err)
			}
			var dups [][2]int
			var invalid []int
			if err != nil {
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var de *DuplicateError
					var ee *EntryError
					switch {
					case errors.As(e, &de):
						dups = append(dups, [2]int{de.First.Value, de.Second.Value})
						for _, v := range []int{de.First.Value, de.Second.Value} {
							if !strings.Contains(e.Error(), fmt.Sprintf("value %d", v)) {
								t.Errorf("error %q does not name value %d", e, v)
							}
						}
					case errors.As(e, &ee):
						invalid = append(invalid, ee.Entry.Value)
					default:
						t.Errorf("unexpected error %T %v", e, e)
					}
				}
			}
			if !reflect.DeepEqual(dups, tc.dups) || !reflect.DeepEqual(invalid, tc.invalid) {
				t.Errorf("dups %v invalid %v, want %v %v (err %v)", dups, invalid, tc.dups, tc.invalid, err)
			}
			for req, want := range tc.serves {
				m, path, _ := strings.Cut(req, " ")
				if got := r.Match(m, path); got.Status != 0 || got.Value != want {
					t.Errorf("%s: %+v, want value %d", req, got, want)
				}
			}
		})
	}
}

// TestGarbage feeds odd paths to Match on routers with every folding shape.
func TestGarbage(t *testing.T) {
	r, err := New(append(table, Entry{"GET", "/x//y/{z}", 100}, Entry{"GET", "/x/{a}/y", 101}))
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"", "/", "//", "///", "a", "%", "/%", "/%%", "/%2", "/%zz/%", "/pets/%", "/pets/%%2F",
		"/pets/\x00", "/\xff\xfe", "/pets/" + strings.Repeat("a", 1<<16),
		strings.Repeat("/", 1000), strings.Repeat("/a", 5000), strings.Repeat("/pets/1", 300),
		"/range/" + strings.Repeat("-", 10000), "/compare/" + strings.Repeat(".", 10000),
		"/x//y/", "/x//y/z", "/x//y//", "/x/a/y", "/x/", "/?q", "/#", "/pets/1?x=2",
	}
	for _, path := range paths {
		for _, m := range []string{"GET", "", "POST", "\x00"} {
			got := r.Match(m, path)
			if slow := r.matchSlow(m, path); !reflect.DeepEqual(got, slow) {
				t.Errorf("Match(%q, %.40q) = %+v, scan = %+v", m, path, got, slow)
			}
		}
	}
	if got := r.Match("GET", "/x//y/z"); got.Value != 100 || got.Status != 0 {
		t.Errorf("empty middle segment beside param: %+v", got)
	}
	if got := r.Match("GET", "/x/a/y"); got.Value != 101 || got.Status != 0 {
		t.Errorf("param beside empty middle segment: %+v", got)
	}
	var nilRouter *Router
	if got := nilRouter.Match("GET", "/"); got.Status != 404 {
		t.Errorf("nil router: %+v", got)
	}
}

// TestRandomRouters builds routers from random templates over a small
// alphabet of awkward segments and checks that New reports nothing but
// duplicates and that the httprouter path agrees with a plain scan.
func TestRandomRouters(t *testing.T) {
	segs := []string{"a", "b", "{x}", "{y}", "{n}.json", "v{v}", "{p}-{q}", "a.json", "@me", "x:y", "{id}:do", "*", ":c", "", "$v", "%", "é"}
	vals := []string{"a", "b", "c", "a.json", "z.json", "v1", "1-2", "@me", "x:y", "x%3Ay", "q:do", "*", ":c", "", "$v", "%25", "%C3%A9", "é", "%2F"}
	methods := []string{"GET", "POST", "DELETE"}
	rng := rand.New(rand.NewSource(1))
	iters := 300
	if testing.Short() {
		iters = 50
	}
	for it := 0; it < iters; it++ {
		var entries []Entry
		n := 1 + rng.Intn(40)
		for i := 0; i < n; i++ {
			var b strings.Builder
			depth := 1 + rng.Intn(4)
			for d := 0; d < depth; d++ {
				b.WriteString("/")
				b.WriteString(segs[rng.Intn(len(segs))])
			}
			entries = append(entries, Entry{methods[rng.Intn(len(methods))], b.String(), i})
		}
		r, err := New(entries)
		if err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var de *DuplicateError
				if !errors.As(e, &de) {
					t.Fatalf("entries %v: %v", entries, e)
				}
			}
		}
		for q := 0; q < 200; q++ {
			var b strings.Builder
			depth := rng.Intn(5)
			for d := 0; d < depth; d++ {
				b.WriteString("/")
				b.WriteString(vals[rng.Intn(len(vals))])
			}
			path := b.String()
			if path == "" {
				path = "/"
			}
			m := methods[rng.Intn(len(methods))]
			got, slow := r.Match(m, path), r.matchSlow(m, path)
			if !reflect.DeepEqual(got, slow) {
				t.Fatalf("entries %v\nMatch(%q, %q) = %+v\nscan = %+v", entries, m, path, got, slow)
			}
		}
	}
}

func FuzzMatch(f *testing.F) {
	r, err := New(table)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"/", "/pets/1", "/files/a.json", "/range/1-2", "//", "/%", "/compare/a...b", "/v1/x%3Acancel"} {
		f.Add("GET", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		got := r.Match(method, path)
		if slow := r.matchSlow(method, path); !reflect.DeepEqual(got, slow) {
			t.Fatalf("Match(%q, %q) = %+v, scan = %+v", method, path, got, slow)
		}
		if got.Status == 0 && len(got.Params) != strings.Count(table[got.Value].Template, "{") {
			t.Fatalf("Match(%q, %q) = %+v: wrong number of params", method, path, got)
		}
	})
}

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	// Without "/{tenant}", "/v{version}/status" and "/café/{id}" the first
	// position is not folded and static templates stay static httprouter
	// routes.
	var entries []Entry
	for _, e := range table {
		first, _, _ := strings.Cut(e.Template[1:], "/")
		if seg, _ := parseSegment(first); seg.kind == segLiteral && seg.treeSafe {
			entries = append(entries, e)
		}
	}
	r, err := New(entries)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		max  float64
	}{
		{"/pets", 0},
		{"/v1/charges/search", 1}, // httprouter's own slice for the folded position
		{"/pets/42", 1},
		{"/pets/7/toys/9", 1},
		{"/files/report.json", 1},
		{"/repos/o/r/compare/a...b", 1},
		{"/users/@me", 1}, // httprouter's own slice for the folded position
	}
	for _, tc := range tests {
		if n := testing.AllocsPerRun(100, func() { r.Match("GET", tc.path) }); n > tc.max {
			t.Errorf("Match(GET, %q): %v allocs, want <= %v", tc.path, n, tc.max)
		}
	}
}

// TestConcurrent runs matches from several goroutines (meaningful with -race).
func TestConcurrent(t *testing.T) {
	r, err := New(table)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 2000; i++ {
				if got := r.Match("GET", "/pets/7/toys/9"); got.Value != 6 || len(got.Params) != 2 {
					done <- fmt.Errorf("got %+v", got)
					return
				}
				if got := r.Match("GET", "/files/x.json"); got.Value != 11 || got.Params[0].Value != "x" {
					done <- fmt.Errorf("got %+v", got)
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
