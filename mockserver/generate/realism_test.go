package generate

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// heuristicCases: a property name with a schema, and what its values look
// like. want checks one generated value; nil only checks that the value
// validates (a schema that forbids the heuristic's shape).
var heuristicCases = []struct {
	name   string // case name
	prop   string // property name
	schema string // the property's schema (YAML flow)
	want   func(v any) bool
}{
	// Latitude and longitude in one string.
	{"lat lng", "location_lat_lng", "{type: string}", matches(`^-?\d{1,2}\.\d{4},-?\d{1,3}\.\d{4}$`)},
	{"position lat lng", "position_lat_lng", "{type: string, description: '\"lat,lng\"'}", matches(`^-?\d{1,2}\.\d{4},-?\d{1,3}\.\d{4}$`)},
	{"latlng", "latlng", "{type: string}", matches(`^-?\d{1,2}\.\d{4},-?\d{1,3}\.\d{4}$`)},
	{"coordinates", "coordinates", "{type: string}", matches(`^-?\d{1,2}\.\d{4},-?\d{1,3}\.\d{4}$`)},
	{"lat lng pattern forbids", "location_lat_lng", "{type: string, pattern: '^[a-z]+$'}", nil},
	{"lat lng too short", "location_lat_lng", "{type: string, maxLength: 5}", notMatches(`,`)},
	// Places.
	{"location", "location", "{type: string, maxLength: 100}", matches(`^[A-Z][\p{L} ]+, [A-Z][\p{L} ]+$`)},
	{"location short", "location", "{type: string, maxLength: 10}", matches(`^[A-Z][\p{L} ]{1,9}$`)},
	{"place", "place", "{type: string}", matches(`^[A-Z][\p{L} ]+, [A-Z][\p{L} ]+$`)},
	{"location enum", "location", "{type: string, enum: [remote, onsite]}", oneOf("remote", "onsite")},
	// Dates of birth: adults, not recent dates.
	{"date_of_birth date", "date_of_birth", "{type: string, format: date}", bornAdult(`2006-01-02`)},
	{"birthday", "birthday", "{type: string}", bornAdult(`2006-01-02`)},
	{"dob date-time", "dob", "{type: string, format: date-time}", bornAdult(time.RFC3339)},
	{"birth_date", "birthDate", "{type: string, format: date}", bornAdult(`2006-01-02`)},
	{"birth year", "birth_year", "{type: integer}", intBetween(1950, 2005)},
	{"date_of_birth pattern forbids", "date_of_birth", "{type: string, format: date, pattern: '^20'}", matches(`^20`)},
	// URLs.
	{"website", "website", "{type: string}", matches(`^https://[a-z0-9.-]+\.[a-z]+/`)},
	{"homepage", "homepage", "{type: string}", matches(`^https://`)},
	{"url", "url", "{type: string}", matches(`^https://`)},
	{"website too short", "website", "{type: string, maxLength: 5}", notMatches(`^https`)},
	// External ids.
	{"ext_id", "ext_id", "{type: string, nullable: true}", matches(`^[1-9]\d{5,7}$`)},
	{"external_id integer", "external_id", "{type: integer}", intBetween(100000, 99999999)},
	{"ext_id pattern", "ext_id", "{type: string, pattern: '^EXT-[0-9]{4}$'}", matches(`^EXT-[0-9]{4}$`)},
	// Gender.
	{"gender enum", "gender", "{type: string, enum: [Male, Female, Other]}", oneOf("Male", "Female", "Other")},
	{"gender", "gender", "{type: string}", oneOf("female", "male", "non-binary")},
	// Counters.
	{"followers_counter", "followers_counter", "{type: integer, nullable: true}", intBetween(0, 250)},
	{"posts_count", "posts_count", "{type: integer}", intBetween(0, 250)},
	{"count", "count", "{type: integer}", intBetween(0, 250)},
	{"counter minimum", "polls_counter", "{type: integer, minimum: 1000}", intBetween(1000, 1<<62)},
	// Reputation and scores.
	{"reputation", "reputation", "{type: integer}", intBetween(0, 5000)},
	{"score", "score", "{type: number}", numBetween(0, 100)},
	{"reputation maximum", "reputation", "{type: integer, maximum: -1}", intBetween(-1<<62, -1)},
	// Companies and jobs.
	{"company_name", "company_name", "{type: string}", matches(`^\S.*\S$`)},
	{"company_role", "company_role", "{type: string}", matches(`^[A-Z][a-z]+( [A-Z][a-z]+)+$`)},
	{"job_title", "job_title", "{type: string}", matches(`^[A-Z][a-z]+( [A-Z][a-z]+)+$`)},
	// Statuses.
	{"connection_status", "connection_status", "{type: string, nullable: true}", oneOf("connected", "followed", "sent_connection_request", "received_connection_request")},
	{"connection_status enum", "connection_status", "{type: string, enum: [followed, connected]}", oneOf("followed", "connected")},
	{"status", "status", "{type: string}", oneOf("active", "pending", "completed", "inactive", "archived")},
	// Identifiers and codes.
	{"slug", "slug", "{type: string}", matches(`^[a-z]+(-[a-z]+)+$`)},
	{"locale", "locale", "{type: string}", matches(`^[a-z]{2}-[A-Z]{2}$`)},
	{"timezone", "timezone", "{type: string}", matches(`^([A-Z][a-z]+/[A-Z][A-Za-z_]+|UTC)$`)},
	{"time_zone", "time_zone", "{type: string}", matches(`^([A-Z][a-z]+/[A-Z][A-Za-z_]+|UTC)$`)},
	{"country_code", "country_code", "{type: string}", matches(`^[A-Z]{2}$`)},
	{"country_code too long", "country_code", "{type: string, minLength: 3}", notMatches(`^[A-Z]{2}$`)},
	{"currency", "currency", "{type: string}", matches(`^[A-Z]{3}$`)},
	{"currency lowercase", "currency", "{type: string, description: 'Three-letter ISO currency code, in lowercase.'}", matches(`^[a-z]{3}$`)},
	{"language", "language", "{type: string}", matches(`^[a-z]{2}$`)},
	{"mime_type", "mime_type", "{type: string}", matches(`^[a-z]+/[a-z0-9.+-]+$`)},
	{"content_type", "contentType", "{type: string}", matches(`^[a-z]+/[a-z0-9.+-]+$`)},
	{"file_name", "file_name", "{type: string}", matches(`^[a-z]+-[a-z]+\.[a-z0-9]{2,4}$`)},
	{"sha", "sha", "{type: string}", matches(`^[0-9a-f]{40}$`)},
	{"sha256", "sha256", "{type: string}", matches(`^[0-9a-f]{64}$`)},
	{"md5", "md5", "{type: string}", matches(`^[0-9a-f]{32}$`)},
	{"hash", "hash", "{type: string}", matches(`^[0-9a-f]{40}$`)},
	{"sha too short", "sha", "{type: string, maxLength: 10}", notMatches(`^[0-9a-f]{40}$`)},
	{"version", "version", "{type: string}", matches(`^\d+\.\d+\.\d+$`)},
	{"license", "licensing", "{type: string}", oneOf(licenses...)},
	{"passcode", "passcode", "{type: string}", matches(`^\d{6}$`)},
	{"invite code", "inviteCode", "{type: string}", matches(`^[A-Z2-9]{8}$`)},
	{"avatar base64", "avatar_base64", "{type: string}", isBase64},
	{"customer id ref", "customer", "{type: string}", matches(`^cus_[A-Za-z0-9]{24}$`)},
	{"environment", "environment", "{type: string}", oneOf("production", "staging", "development", "test")},
	{"amount_refunded", "amount_refunded", "{type: integer}", intBetween(100, 100000)},
}

func matches(re string) func(any) bool {
	r := regexp.MustCompile(re)
	return func(v any) bool { s, ok := v.(string); return ok && r.MatchString(s) }
}

func notMatches(re string) func(any) bool {
	r := regexp.MustCompile(re)
	return func(v any) bool { s, ok := v.(string); return ok && !r.MatchString(s) }
}

func oneOf(xs ...string) func(any) bool {
	return func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return false
		}
		for _, x := range xs {
			if s == x {
				return true
			}
		}
		return false
	}
}

func intBetween(lo, hi int64) func(any) bool {
	return func(v any) bool { n, ok := v.(int64); return ok && n >= lo && n <= hi }
}

func numBetween(lo, hi float64) func(any) bool {
	return func(v any) bool { n, ok := num(v); return ok && n >= lo && n <= hi }
}

func bornAdult(layout string) func(any) bool {
	return func(v any) bool {
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, err := time.Parse(layout, s)
		return err == nil && t.Year() >= 1950 && t.Year() <= 2005
	}
}

func isBase64(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

// TestNameHeuristics: values follow the property name where the schema
// allows it, and always validate.
func TestNameHeuristics(t *testing.T) {
	for _, tc := range heuristicCases {
		t.Run(tc.name, func(t *testing.T) {
			doc := loadComponents(t, "3.0.3", fmt.Sprintf("S:\n  type: object\n  required: [%q]\n  properties:\n    %q: %s\n", tc.prop, tc.prop, tc.schema))
			s := schemaOf(t, doc, "S")
			g := New(Options{OpenAPIVersion: "3.0.3"})
			for seed := uint64(1); seed <= 20; seed++ {
				v := g.Value(s, seed, Response)
				mustValidate(t, doc, s, v, Response)
				got := v.(map[string]any)[tc.prop]
				if tc.want != nil && !tc.want(got) {
					t.Fatalf("seed %d: %s = %#v", seed, tc.prop, got)
				}
			}
		})
	}
}

// TestErrorContext: inside an error object, codes and messages read like
// an API's errors.
func TestErrorContext(t *testing.T) {
	doc := loadComponents(t, "3.0.3", `
ErrorItem:
  type: object
  required: [code, message, field]
  properties:
    code: {type: string}
    message: {type: string}
    field: {type: string}
    messages:
      type: array
      items:
        type: object
        required: [code, message]
        properties:
          code: {type: string}
          message: {type: string}
Thing:
  type: object
  required: [code]
  properties:
    code: {type: string}
`)
	g := New(Options{OpenAPIVersion: "3.0.3"})
	code := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for seed := uint64(1); seed <= 20; seed++ {
		s := schemaOf(t, doc, "ErrorItem")
		v := g.Value(s, seed, Response).(map[string]any)
		mustValidate(t, doc, s, v, Response)
		if c := v["code"].(string); !code.MatchString(c) {
			t.Fatalf("error code %q", c)
		}
		if m := v["message"].(string); !strings.HasSuffix(m, ".") || !strings.Contains(m, " ") {
			t.Fatalf("error message %q", m)
		}
		if !containsString(fieldNames, v["field"].(string)) {
			t.Fatalf("field %q", v["field"])
		}
		for _, it := range v["messages"].([]any) {
			if c := it.(map[string]any)["code"].(string); !code.MatchString(c) {
				t.Fatalf("nested error code %q", c)
			}
		}
		// Outside an error a code is not an error code.
		th := g.Value(schemaOf(t, doc, "Thing"), seed, Response).(map[string]any)
		if c := th["code"].(string); code.MatchString(c) {
			t.Fatalf("thing code %q looks like an error code", c)
		}
	}
}

// TestThingNames: a bare "name" follows what it names.
func TestThingNames(t *testing.T) {
	doc := loadComponents(t, "3.0.3", `
User:
  type: object
  required: [name, tags]
  properties:
    name: {type: string}
    tags:
      type: array
      minItems: 1
      items:
        type: object
        required: [name]
        properties:
          name: {type: string}
    channelName: {type: string}
`)
	g := New(Options{OpenAPIVersion: "3.0.3"})
	person := regexp.MustCompile(`^[A-Z][a-z'-]+ [A-Z][A-Za-z'-]+$`)
	word := regexp.MustCompile(`^[a-z]+$`)
	for seed := uint64(1); seed <= 20; seed++ {
		s := schemaOf(t, doc, "User")
		v := g.Value(s, seed, Response).(map[string]any)
		mustValidate(t, doc, s, v, Response)
		if n := v["name"].(string); !person.MatchString(n) {
			t.Fatalf("user name %q", n)
		}
		tag := v["tags"].([]any)[0].(map[string]any)["name"].(string)
		if !word.MatchString(tag) {
			t.Fatalf("tag name %q", tag)
		}
		if ch := v["channelName"].(string); !containsString(channelNames, ch) {
			t.Fatalf("channel name %q", ch)
		}
	}
}

// TestMaxNodes: a wide and deep schema is cut to the node budget (required
// properties kept, optional objects left out first), and still validates.
func TestMaxNodes(t *testing.T) {
	var b strings.Builder
	b.WriteString("Leaf:\n  type: object\n  required: [id]\n  properties:\n")
	for i := 0; i < 30; i++ {
		b.WriteString("    f" + strconv.Itoa(i) + ": {type: string}\n")
	}
	b.WriteString("    id: {type: string}\n")
	b.WriteString("Mid:\n  type: object\n  required: [id]\n  properties:\n    id: {type: string}\n")
	for i := 0; i < 20; i++ {
		b.WriteString("    m" + strconv.Itoa(i) + ": {$ref: '#/components/schemas/Leaf'}\n")
	}
	b.WriteString("    list: {type: array, items: {$ref: '#/components/schemas/Leaf'}}\n")
	b.WriteString("S:\n  type: object\n  required: [id, must]\n  properties:\n    id: {type: string}\n    must: {$ref: '#/components/schemas/Leaf'}\n")
	for i := 0; i < 20; i++ {
		b.WriteString("    s" + strconv.Itoa(i) + ": {$ref: '#/components/schemas/Mid'}\n")
	}
	doc := loadComponents(t, "3.0.3", b.String())
	s := schemaOf(t, doc, "S")
	for _, maxNodes := range []int{0, 200, 5000} {
		g := New(Options{MaxNodes: maxNodes})
		limit := maxNodes
		if limit == 0 {
			limit = DefaultMaxNodes
		}
		for seed := uint64(1); seed <= 5; seed++ {
			v := g.Value(s, seed, Response)
			mustValidate(t, doc, s, v, Response)
			obj := v.(map[string]any)
			if _, ok := obj["must"]; !ok {
				t.Fatalf("required property left out")
			}
			// Required properties can exceed the budget, by little here.
			if n := countNodes(v); n > limit+limit/2+64 {
				t.Fatalf("MaxNodes %d: %d nodes", maxNodes, n)
			}
		}
	}
	// Without a budget to speak of the value is much bigger.
	if small, big := countNodes(New(Options{MaxNodes: 200}).Value(s, 1, Response)), countNodes(New(Options{MaxNodes: 1 << 20}).Value(s, 1, Response)); big < 4*small {
		t.Errorf("budget has no effect: %d vs %d nodes", small, big)
	}
}

func countNodes(v any) int {
	n := 1
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			n += countNodes(e)
		}
	case []any:
		for _, e := range x {
			n += countNodes(e)
		}
	}
	return n
}

// TestIndirectRecursion: an optional property does not re-enter the
// schema of an enclosing value other than its own object (a payment's
// error's payment), while direct recursion is shown once.
func TestIndirectRecursion(t *testing.T) {
	doc := loadComponents(t, "3.0.3", `
Payment:
  type: object
  required: [id]
  properties:
    id: {type: string}
    last_error: {$ref: '#/components/schemas/Error'}
    parent: {$ref: '#/components/schemas/Payment'}
Error:
  type: object
  required: [code]
  properties:
    code: {type: string}
    payment: {$ref: '#/components/schemas/Payment'}
`)
	g := New(Options{})
	s := schemaOf(t, doc, "Payment")
	for seed := uint64(1); seed <= 5; seed++ {
		v := g.Value(s, seed, Response).(map[string]any)
		mustValidate(t, doc, s, v, Response)
		if _, ok := v["last_error"].(map[string]any)["payment"]; ok {
			t.Fatalf("indirect recursion shown: %v", v)
		}
		if _, ok := v["parent"].(map[string]any); !ok {
			t.Fatalf("direct recursion not shown once: %v", v)
		}
	}
}

// TestOneOfDominated: a oneOf branch whose values also match another
// branch is tried last, so a value is found without building it first.
func TestOneOfDominated(t *testing.T) {
	doc := loadComponents(t, "3.0.3", `
Issue:
  type: object
  required: [id, title, state]
  properties:
    id: {type: integer}
    title: {type: string}
    state: {type: string, enum: [open, closed]}
Draft:
  type: object
  required: [id, title]
  properties:
    id: {type: integer}
    title: {type: string}
S:
  type: object
  required: [content]
  properties:
    content:
      oneOf:
        - $ref: '#/components/schemas/Issue'
        - $ref: '#/components/schemas/Draft'
`)
	g := New(Options{OpenAPIVersion: "3.0.3"})
	s := schemaOf(t, doc, "S")
	for seed := uint64(1); seed <= 10; seed++ {
		v := g.Value(s, seed, Response)
		mustValidate(t, doc, s, v, Response)
	}
	dom := g.dominated(&group{owner: s.Value.Properties["content"].Value, kind: kindOneOf, branches: s.Value.Properties["content"].Value.OneOf}, Response)
	if !dom[0] || dom[1] {
		t.Errorf("dominated = %v, want [true false]", dom)
	}
}
