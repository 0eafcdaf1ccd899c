package mockserver

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mockserver/mockserver/mockserver/scenario"
)

// preference is what the client asked the mock for, Prism-style: the Prefer header
// (`Prefer: code=404, example=notFound, dynamic=true, seed=42`) or, only when no Prefer header is
// present, the query fallbacks __code, __example, __dynamic and __seed (and ours: __delay,
// __fault, __scenario).
type preference struct {
	Code    string // "" or the status asked for, e.g. "404"
	Example string // "" or an example name
	Dynamic *bool  // nil: the server's default
	Seed    string // "" or a seed for generated data
	// Delay holds the answer back (Prefer: delay=250 or delay=100-300, milliseconds).
	Delay scenario.Delay
	// Fault breaks the answer on purpose (Prefer: fault=reset|empty|malformed|trickle).
	Fault string
	// Scenario names a scenario to apply, active or not (Prefer: scenario=NAME).
	Scenario string
}

// preferKeys are the preferences the mock understands.
var preferKeys = [...]string{"code", "example", "dynamic", "seed", "delay", "fault", "scenario"}

// preferQueryKeys are the query fallbacks; they are not part of the client's real query and are
// removed before validation.
var preferQueryKeys = [...]string{"__code", "__example", "__dynamic", "__seed", "__delay", "__fault", "__scenario"}

// parsePrefer reads the client's preference. A malformed value is returned as an error message
// for a 400, never ignored: a QA engineer must know the mock did not do what was asked.
func parsePrefer(h http.Header, q url.Values) (preference, string) {
	var p preference
	var seen [len(preferKeys)]bool // the preferences met so far: only the first of each counts (RFC 7240)
	set := func(k, v string) string {
		k = strings.ToLower(k)
		i := slices.Index(preferKeys[:], k)
		if i < 0 || seen[i] {
			return "" // not ours, or not the first
		}
		seen[i] = true
		switch k {
		case "code":
			// 1xx are not final responses: a mock cannot answer with one.
			n, err := strconv.Atoi(v)
			if err != nil || n < 200 || n > 599 {
				return "Prefer code must be an HTTP status between 200 and 599, got " + strconv.Quote(v)
			}
			p.Code = strconv.Itoa(n) // "+0404" is 404
		case "example":
			p.Example = v
		case "dynamic":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return "Prefer dynamic must be true or false, got " + strconv.Quote(v)
			}
			p.Dynamic = &b
		case "seed":
			p.Seed = v
		case "delay":
			d, err := parseDelay(v)
			if err != nil {
				return "Prefer delay: " + err.Error()
			}
			p.Delay = d
		case "fault":
			if v == "" || !scenario.ValidFault(v) {
				return "Prefer fault must be one of " + strings.Join(scenario.Faults, ", ") + ", got " + strconv.Quote(v)
			}
			p.Fault = v
		case "scenario":
			p.Scenario = v
		}
		return ""
	}
	if values := h.Values("Prefer"); len(values) > 0 {
		for _, line := range values {
			for _, part := range strings.Split(line, ",") {
				for _, tok := range strings.Split(part, ";") {
					k, v, _ := strings.Cut(strings.TrimSpace(tok), "=")
					v = strings.Trim(strings.TrimSpace(v), `"`)
					if msg := set(strings.TrimSpace(k), v); msg != "" {
						return p, msg
					}
				}
			}
		}
		return p, ""
	}
	for _, k := range preferQueryKeys {
		if v, ok := q[k]; ok && len(v) > 0 {
			if msg := set(strings.TrimPrefix(k, "__"), v[0]); msg != "" {
				return p, msg
			}
		}
	}
	return p, ""
}
