package mockserver

import (
	"net/http"
	"net/url"
	"testing"
)

func TestParsePrefer(t *testing.T) {
	cases := []struct {
		header, query string
		want          preference
		bad           bool
	}{
		{header: "code=404", want: preference{Code: "404"}},
		{header: `code=404, example="notFound"; dynamic=false`, want: preference{Code: "404", Example: "notFound", Dynamic: new(bool)}},
		{header: "return=minimal, seed=abc", want: preference{Seed: "abc"}},
		{header: "code=103", bad: true},
		{header: "dynamic=maybe", bad: true},
		{header: "fault=explode", bad: true},
		{header: "delay=10-5", bad: true},
		{query: "__code=500&__example=x", want: preference{Code: "500", Example: "x"}},
		{header: "seed=1", query: "__code=500", want: preference{Seed: "1"}}, // a Prefer header wins over the query
	}
	for _, c := range cases {
		h := http.Header{}
		if c.header != "" {
			h.Set("Prefer", c.header)
		}
		q, _ := url.ParseQuery(c.query)
		got, msg := parsePrefer(h, q)
		if (msg != "") != c.bad {
			t.Errorf("%q %q: message %q", c.header, c.query, msg)
			continue
		}
		if c.bad {
			continue
		}
		if got.Code != c.want.Code || got.Example != c.want.Example || got.Seed != c.want.Seed || (got.Dynamic == nil) != (c.want.Dynamic == nil) {
			t.Errorf("%q %q: got %+v, want %+v", c.header, c.query, got, c.want)
		}
	}
}

// FuzzPrefer: any header and query is parsed without panicking, into a preference the rest of
// the pipeline can use.
func FuzzPrefer(f *testing.F) {
	for _, s := range []string{"code=404", `example="a,b"; dynamic=true`, "delay=1-2, fault=reset", "seed=", "=,;=;", "scenario=x"} {
		f.Add(s, "__code=500")
	}
	f.Fuzz(func(t *testing.T, header, query string) {
		h := http.Header{}
		h.Set("Prefer", header)
		q, _ := url.ParseQuery(query)
		p, msg := parsePrefer(h, q)
		if msg != "" {
			return
		}
		if p.Code != "" && (len(p.Code) != 3 || p.Code < "200" || p.Code > "599") {
			t.Fatalf("code %q accepted", p.Code)
		}
		if p.Delay.Max > maxDelay || p.Delay.Min > p.Delay.Max {
			t.Fatalf("delay %+v accepted", p.Delay)
		}
	})
}
