package generate

import (
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/brianvoe/gofakeit/v7/data"
)

// Fast fakers: gofakeit's own functions look their word lists up by name
// (several map lookups per word) and fill sentence templates through its
// reflection-based function registry. These draw from the same lists
// directly, with the same generator, so they stay deterministic.

var (
	firstNames   = data.Person["first"]
	lastNames    = data.Person["last"]
	companies    = data.Company["name"]
	companyBS    = data.Company["bs"]
	jobTitles    = data.Job["title"]
	jobDescs     = data.Job["descriptor"]
	cities       = data.Address["city"]
	domainSuffix = []string{"com", "com", "com", "io", "net", "org", "co", "dev"}
	nounLists    = [][]string{
		data.Word["noun_common"], data.Word["noun_concrete"], data.Word["noun_abstract"],
		data.Word["noun_countable"], data.Word["noun_uncountable"],
	}
	adjectives = data.Word["adjective_descriptive"]
	// slugWords are the words of URL slugs: plain nouns and adjectives.
	slugWords = [][]string{data.Word["noun_common"], data.Word["noun_concrete"], data.Word["noun_countable"], data.Word["adjective_descriptive"]}

	sentenceTemplates = data.Text["sentence"]
	// templateWords maps a sentence template placeholder to its list.
	templateWords = func() map[string][]string {
		m := map[string][]string{}
		for k, v := range data.Word {
			m[strings.ReplaceAll(k, "_", "")] = v
		}
		m["noun"] = data.Word["noun_common"]
		m["adjective"] = data.Word["adjective_descriptive"]
		m["verb"] = data.Word["verb_action"]
		m["city"] = data.Address["city"]
		m["country"] = data.Address["country"]
		m["color"] = data.Colors["safe"]
		m["company"] = data.Company["name"]
		m["firstname"] = data.Person["first"]
		m["lastname"] = data.Person["last"]
		m["hobby"] = data.Person["hobby"]
		m["jobtitle"] = data.Job["title"]
		m["language"] = data.Languages["long"]
		m["productcategory"] = data.Product["category"]
		m["productfeature"] = data.Product["feature"]
		m["programminglanguage"] = data.Languages["programming"]
		for k, v := range m {
			if len(v) == 0 {
				delete(m, k)
			}
		}
		return m
	}()
)

func pick(f *gofakeit.Faker, xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[f.IntN(len(xs))]
}

func fakeFirstName(f *gofakeit.Faker) string { return pick(f, firstNames) }
func fakeLastName(f *gofakeit.Faker) string  { return pick(f, lastNames) }
func fakeCompany(f *gofakeit.Faker) string   { return pick(f, companies) }
func fakeCity(f *gofakeit.Faker) string      { return pick(f, cities) }
func fakeJobTitle(f *gofakeit.Faker) string {
	return pick(f, jobDescs) + " " + pick(f, jobTitles)
}

// fakeNoun is a noun of one of several kinds (as gofakeit's Noun).
func fakeNoun(f *gofakeit.Faker) string {
	return pick(f, nounLists[f.IntN(len(nounLists))])
}

func fakeAdjective(f *gofakeit.Faker) string { return pick(f, adjectives) }

// slugWord is a lower-case word of letters for URL slugs.
func slugWord(f *gofakeit.Faker) string {
	for i := 0; i < 4; i++ {
		w := pick(f, slugWords[f.IntN(len(slugWords))])
		if isLowerWord(w) {
			return w
		}
	}
	return "item"
}

func isLowerWord(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// fakeSlug is n lower-case words joined by hyphens.
func fakeSlug(f *gofakeit.Faker, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(slugWord(f))
	}
	return b.String()
}

// fakeDomain is a company-like domain name ("dynamicsynergy.io").
func fakeDomain(f *gofakeit.Faker) string {
	var b strings.Builder
	for _, w := range [2]string{pick(f, jobDescs), pick(f, companyBS)} {
		for i := 0; i < len(w); i++ {
			c := w[i]
			switch {
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'):
				b.WriteByte(c)
			}
		}
	}
	if b.Len() == 0 {
		b.WriteString("example")
	}
	b.WriteByte('.')
	b.WriteString(pick(f, domainSuffix))
	return b.String()
}

// fakeSentence fills one of gofakeit's sentence templates.
func fakeSentence(f *gofakeit.Faker) string {
	t := pick(f, sentenceTemplates)
	if t == "" {
		return "Lorem ipsum dolor sit amet."
	}
	var b strings.Builder
	b.Grow(len(t) + 16)
	for len(t) > 0 {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		b.WriteString(t[:i])
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			b.WriteString(t[i:])
			break
		}
		name := t[i+1 : i+j]
		t = t[i+j+1:]
		if list, ok := templateWords[name]; ok {
			b.WriteString(pick(f, list))
			continue
		}
		if rest, ok := strings.CutPrefix(name, "number:"); ok {
			lo, hi, _ := strings.Cut(rest, ",")
			l, err1 := strconv.Atoi(lo)
			h, err2 := strconv.Atoi(hi)
			if err1 == nil && err2 == nil && l <= h {
				b.WriteString(strconv.Itoa(l + f.IntN(h-l+1)))
				continue
			}
		}
		b.WriteString(fakeNoun(f))
	}
	s := b.String()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// birthDate is an adult's date of birth: 1950-01-01 to 2005-12-31.
func birthDate(f *gofakeit.Faker) time.Time {
	lo := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2005, 12, 31, 0, 0, 0, 0, time.UTC).Unix()
	days := (hi - lo) / 86400
	return time.Unix(lo+int64(f.IntN(int(days)+1))*86400, 0).UTC()
}

// place is a real city with its coordinates.
type place struct {
	city, country string
	lat, lng      float64
}

var places = []place{
	{"Milan", "Italy", 45.4642, 9.1900},
	{"New York", "United States", 40.7128, -74.0060},
	{"London", "United Kingdom", 51.5074, -0.1278},
	{"Paris", "France", 48.8566, 2.3522},
	{"Berlin", "Germany", 52.5200, 13.4050},
	{"Madrid", "Spain", 40.4168, -3.7038},
	{"Tokyo", "Japan", 35.6762, 139.6503},
	{"Sydney", "Australia", -33.8688, 151.2093},
	{"Toronto", "Canada", 43.6532, -79.3832},
	{"San Francisco", "United States", 37.7749, -122.4194},
	{"Amsterdam", "Netherlands", 52.3676, 4.9041},
	{"Lisbon", "Portugal", 38.7223, -9.1393},
	{"Stockholm", "Sweden", 59.3293, 18.0686},
	{"São Paulo", "Brazil", -23.5505, -46.6333},
	{"Mexico City", "Mexico", 19.4326, -99.1332},
	{"Bangalore", "India", 12.9716, 77.5946},
	{"Singapore", "Singapore", 1.3521, 103.8198},
	{"Cape Town", "South Africa", -33.9249, 18.4241},
	{"Seoul", "South Korea", 37.5665, 126.9780},
	{"Dublin", "Ireland", 53.3498, -6.2603},
	{"Zurich", "Switzerland", 47.3769, 8.5417},
	{"Austin", "United States", 30.2672, -97.7431},
	{"Buenos Aires", "Argentina", -34.6037, -58.3816},
	{"Nairobi", "Kenya", -1.2921, 36.8219},
}

func pickPlace(f *gofakeit.Faker) place { return places[f.IntN(len(places))] }

// coordinates are a point near a real city (within a few kilometres).
func coordinates(f *gofakeit.Faker) (lat, lng float64) {
	p := pickPlace(f)
	lat = round(p.lat+(f.Float64()-0.5)*0.05, 4)
	lng = round(p.lng+(f.Float64()-0.5)*0.05, 4)
	return lat, lng
}

// fieldNames are request fields an error can be about.
var fieldNames = []string{"email", "username", "password", "name", "first_name", "last_name", "phone", "date_of_birth", "amount", "currency", "quantity", "address.line1", "address.postal_code", "description", "url", "start_date", "end_date", "title", "website"}

var errorCodes = []string{"invalid_request", "validation_failed", "missing_field", "invalid_format", "value_too_long", "not_found", "already_exists", "unauthorized", "forbidden", "rate_limited", "conflict", "expired_token", "resource_missing", "parameter_invalid"}

var declineCodes = []string{"insufficient_funds", "generic_decline", "card_declined", "expired_card", "incorrect_cvc", "lost_card", "do_not_honor", "processing_error"}

// errorCode is a machine-readable error code.
func errorCode(f *gofakeit.Faker, n *node) string {
	if has(tokens(n.name), "decline", "declined") {
		return pick(f, declineCodes)
	}
	return pick(f, errorCodes)
}

var errorTitles = []string{"Validation Failed", "Not Found", "Unauthorized", "Forbidden", "Conflict", "Bad Request", "Too Many Requests", "Unprocessable Entity"}

func errorTitle(f *gofakeit.Faker) string { return pick(f, errorTitles) }

// errorMessage is a human-readable error message.
func errorMessage(f *gofakeit.Faker) string {
	field := strings.ReplaceAll(pick(f, fieldNames), "_", " ")
	switch f.IntN(8) {
	case 0:
		return "The " + field + " field is required."
	case 1:
		return "The " + field + " must be a valid value."
	case 2:
		return "The " + field + " may not be greater than 255 characters."
	case 3:
		return "The " + field + " has already been taken."
	case 4:
		return "No such resource: '" + fakeSlug(f, 1) + "_" + strconv.Itoa(1000+f.IntN(9000)) + "'."
	case 5:
		return "You do not have permission to perform this action."
	case 6:
		return "Too many requests. Please retry in " + strconv.Itoa(1+f.IntN(59)) + " seconds."
	}
	return "Invalid value for " + field + "."
}

// tinyPNG is a base64 1x1 PNG image.
const tinyPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

var licenses = []string{"MIT", "Apache-2.0", "CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0", "BSD-3-Clause", "GPL-3.0-only"}

var channelNames = []string{"general", "random", "announcements", "engineering", "design", "support", "marketing", "team-updates"}

// inviteCode is an 8-character code people type in.
func inviteCode(f *gofakeit.Faker) string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	for i := range b {
		b[i] = alphabet[f.IntN(len(alphabet))]
	}
	return string(b)
}

var fileExtensions = []string{"pdf", "png", "jpg", "csv", "txt", "docx", "xlsx", "zip", "json", "mp4", "glb", "svg"}

// fileName is a plausible file name with an extension.
func fileName(f *gofakeit.Faker) string {
	return fakeSlug(f, 2) + "." + pick(f, fileExtensions)
}

// title2 names a thing: "Quiet Harbor".
func title2(f *gofakeit.Faker) string {
	return capitalize(lowerWord(f, adjectives)) + " " + capitalize(lowerWord(f, data.Word["noun_concrete"]))
}

// lowerWord is a word of the list made of lower-case letters only.
func lowerWord(f *gofakeit.Faker, list []string) string {
	for i := 0; i < 4; i++ {
		if w := pick(f, list); isLowerWord(w) {
			return w
		}
	}
	return "item"
}

func capitalize(w string) string {
	if w == "" || w[0] < 'a' || w[0] > 'z' {
		return w
	}
	return string(w[0]-'a'+'A') + w[1:]
}

// prefixedID is an id for the resource a property names: "cus_..." for a
// customer (see idPrefixes), else an unprefixed random id.
func (g *Generator) prefixedID(f *gofakeit.Faker, name string) string {
	if p := g.idPrefix(name); p != "" {
		return p + "_" + shortID(f) + shortID(f)[:10]
	}
	return shortID(f)
}

// idPrefix is the id prefix of the resource a property names (cached):
// "default_payment_method" -> payment_method -> "pm".
func (g *Generator) idPrefix(name string) string {
	if v, ok := g.prefixes.Load(name); ok {
		return v.(string)
	}
	tk := tokens(name)
	if l := len(tk); l > 1 && (tk[l-1] == "id" || tk[l-1] == "ids") {
		tk = tk[:l-1]
	}
	p := ""
	for i := 0; i < len(tk) && i < 3; i++ {
		if x, ok := idPrefixes[strings.Join(tk[i:], "_")]; ok {
			p = x
			break
		}
	}
	g.prefixes.Store(name, p)
	return p
}
