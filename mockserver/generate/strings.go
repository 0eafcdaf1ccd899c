package generate

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v7"
	"github.com/getkin/kin-openapi/openapi3"
)

// Timestamps fall in a fixed window so output never depends on the clock.
var (
	anchorTime  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	pastWindow  = int64(2 * 365 * 24 * 3600)
	futureWindw = int64(365 * 24 * 3600)
)

type stringSpec struct {
	descSchema *openapi3.Schema // first part with a description: a hint when the name says nothing
	format     string
	formats    []string
	minLen     int
	maxLen     int // -1: unbounded
	patterns   []string
}

func (c *gctx) collectString(parts []*openapi3.Schema) stringSpec {
	sp := stringSpec{maxLen: -1}
	for _, p := range parts {
		if sp.descSchema == nil && p.Description != "" {
			sp.descSchema = p
		}
		if p.Format != "" {
			if sp.format == "" {
				sp.format = p.Format
			}
			sp.formats = append(sp.formats, p.Format)
		}
		if int(p.MinLength) > sp.minLen {
			sp.minLen = int(p.MinLength)
		}
		if p.MaxLength != nil && (sp.maxLen < 0 || int(*p.MaxLength) < sp.maxLen) {
			sp.maxLen = int(*p.MaxLength)
		}
		if p.Pattern != "" {
			sp.patterns = append(sp.patterns, p.Pattern)
		}
	}
	return sp
}

func (sp *stringSpec) lenOK(s string) bool {
	l := utf16Len(s)
	return l >= sp.minLen && (sp.maxLen < 0 || l <= sp.maxLen)
}

func (c *gctx) genString(parts []*openapi3.Schema, n *node) any {
	sp := c.collectString(parts)
	f := c.reseed(n, saltString)
	ok := func(s string) bool { return sp.lenOK(s) && c.leafOK(parts, s) }

	if n.idHint && sp.format == "" && len(sp.patterns) == 0 {
		if v := shortID(f); ok(v) {
			return v
		}
	}
	if !n.plain {
		if v, good := c.nameString(n, f, sp); good && ok(v) {
			return v
		}
	}
	if sp.format != "" {
		if v, good := c.formatString(sp.format, n, f, sp); good && ok(v) {
			return v
		}
	}
	if len(sp.patterns) > 0 {
		for attempt := 0; attempt < 3; attempt++ {
			for _, pat := range sp.patterns {
				if v, good := c.patternString(pat, sp.minLen, sp.maxLen, n, uint64(attempt)); good && ok(v) {
					return v
				}
			}
		}
	}
	f = c.reseed(n, saltString+100)
	if v := plainString(f, sp, n); ok(v) {
		return v
	}
	// Last resorts: letters of the minimum length, then a digit string.
	l := sp.minLen
	if l == 0 {
		l = 1
	}
	if sp.maxLen >= 0 && l > sp.maxLen {
		l = sp.maxLen
	}
	for _, v := range []string{strings.Repeat("a", l), strings.Repeat("1", l), ""} {
		if ok(v) {
			return v
		}
	}
	return plainString(f, sp, n)
}

// plainString is a lower-case word (or words) fitted to the length bounds.
func plainString(f *gofakeit.Faker, sp stringSpec, n *node) string {
	var b strings.Builder
	b.WriteString(cleanWord(f.Noun()))
	for utf16Len(b.String()) < sp.minLen {
		b.WriteByte('-')
		b.WriteString(cleanWord(f.Noun()))
	}
	return fit(b.String(), sp)
}

func cleanWord(w string) string {
	w = strings.ToLower(w)
	return strings.Map(func(r rune) rune {
		if r == ' ' {
			return '-'
		}
		return r
	}, w)
}

// fit truncates s to maxLen (UTF-16 units) and pads it to minLen.
func fit(s string, sp stringSpec) string {
	if sp.maxLen >= 0 && utf16Len(s) > sp.maxLen {
		var b strings.Builder
		l := 0
		for _, r := range s {
			w := 1
			if r >= 0x10000 {
				w = 2
			}
			if l+w > sp.maxLen {
				break
			}
			b.WriteRune(r)
			l += w
		}
		s = strings.TrimRight(b.String(), " -")
		for utf16Len(s) < sp.minLen {
			s += "x"
		}
	}
	for utf16Len(s) < sp.minLen {
		s += "x"
	}
	return s
}

// nameString proposes a value from the format and the property name.
func (c *gctx) nameString(n *node, f *gofakeit.Faker, sp stringSpec) (string, bool) {
	k := c.g.classify(n.name, n.parent)
	if dk := c.g.descKind(sp.descSchema); dk != kNone && (k == kNone || k == kWord || (k == kCountry && dk == kCountryCode)) {
		k = dk
	}
	switch sp.format {
	case "uuid":
		return uuid4(f), true
	case "date-time":
		if k == kDateTimeFuture {
			return futureTime(f).Format(time.RFC3339), true
		}
		return pastTime(f).Format(time.RFC3339), true
	case "date":
		if k == kDateTimeFuture {
			return futureTime(f).Format("2006-01-02"), true
		}
		return pastTime(f).Format("2006-01-02"), true
	case "email", "idn-email":
		return c.email(f, n), true
	case "uri", "url", "iri", "uri-reference", "iri-reference":
		if k == kImageURL {
			return imageURL(f, n), true
		}
		if sp.format == "uri-reference" || sp.format == "iri-reference" {
			if k == kURL || k == kImageURL {
				return urlString(f), true
			}
			return "/" + cleanWord(f.Noun()) + "/" + strconv.Itoa(f.IntRange(1, 999)), true
		}
		return urlString(f), true
	case "hostname", "idn-hostname":
		return strings.ToLower(f.DomainName()), true
	case "ipv4":
		return f.IPv4Address(), true
	case "ipv6":
		return f.IPv6Address(), true
	case "byte":
		return base64.StdEncoding.EncodeToString([]byte(textFor(k, f, n))), true
	case "password":
		return f.Password(true, true, true, false, false, 14), true
	}
	if v, ok := c.kindString(k, f, n, sp); ok {
		return v, true
	}
	return "", false
}

// formatString proposes a value from the format alone.
func (c *gctx) formatString(format string, n *node, f *gofakeit.Faker, sp stringSpec) (string, bool) {
	switch format {
	case "uuid":
		return uuid4(f), true
	case "date-time":
		return pastTime(f).Format(time.RFC3339), true
	case "date":
		return pastTime(f).Format("2006-01-02"), true
	case "time", "partial-time":
		return pastTime(f).Format("15:04:05") + "Z", true
	case "email", "idn-email":
		return strings.ToLower(f.Username()) + "@example.com", true
	case "uri", "url", "iri":
		return urlString(f), true
	case "uri-reference", "iri-reference", "json-pointer", "relative-json-pointer":
		return "/" + cleanWord(f.Noun()), true
	case "uri-template":
		return "https://api.example.com/" + cleanWord(f.Noun()) + "/{id}", true
	case "hostname", "idn-hostname":
		return strings.ToLower(f.DomainName()), true
	case "ipv4":
		return f.IPv4Address(), true
	case "ipv6":
		return f.IPv6Address(), true
	case "ip":
		return f.IPv4Address(), true
	case "byte":
		return base64.StdEncoding.EncodeToString([]byte(cleanWord(f.Noun()))), true
	case "binary":
		return cleanWord(f.Noun()), true
	case "password":
		return f.Password(true, true, true, false, false, 14), true
	case "duration":
		return "PT" + strconv.Itoa(f.IntRange(1, 12)) + "H" + strconv.Itoa(f.IntRange(0, 59)) + "M", true
	case "regex":
		return "^[a-z]+$", true
	case "int32", "int64", "integer", "int", "unix-time":
		return strconv.Itoa(f.IntRange(1, 10000)), true
	case "float", "double", "decimal", "number":
		return strconv.FormatFloat(float64(f.IntRange(100, 100000))/100, 'f', 2, 64), true
	case "phone":
		return phone(f), true
	case "currency":
		return strings.ToLower(f.CurrencyShort()), true
	case "color":
		return f.HexColor(), true
	case "country", "country-code":
		return f.CountryAbr(), true
	case "language":
		return "en", true
	case "mac":
		return f.MacAddress(), true
	}
	return "", false
}

// kindString proposes a string for a name-derived kind.
func (c *gctx) kindString(k kind, f *gofakeit.Faker, n *node, sp stringSpec) (string, bool) {
	switch k {
	case kID:
		return shortID(f), true
	case kUUID:
		return uuid4(f), true
	case kEmail:
		return c.email(f, n), true
	case kPhone:
		return phone(f), true
	case kURL:
		return urlString(f), true
	case kImageURL:
		return imageURL(f, n), true
	case kFirstName:
		return f.FirstName(), true
	case kLastName:
		return f.LastName(), true
	case kMiddleName:
		return f.MiddleName(), true
	case kFullName:
		return f.FirstName() + " " + f.LastName(), true
	case kUsername:
		return username(f), true
	case kCompany:
		return f.Company(), true
	case kCity:
		return f.City(), true
	case kCountry:
		if sp.maxLen >= 0 && sp.maxLen <= 3 {
			return f.CountryAbr(), true
		}
		return f.Country(), true
	case kCountryCode:
		return f.CountryAbr(), true
	case kState:
		if sp.maxLen >= 0 && sp.maxLen <= 3 {
			return f.StateAbr(), true
		}
		return f.State(), true
	case kZip:
		return f.Zip(), true
	case kStreet:
		return f.Street(), true
	case kStreet2:
		return "Suite " + strconv.Itoa(f.IntRange(100, 999)), true
	case kAddress:
		a := f.Address()
		return a.Street + ", " + a.City + ", " + a.State + " " + a.Zip, true
	case kLatitude:
		return strconv.FormatFloat(round(f.Float64Range(-90, 90), 6), 'f', -1, 64), true
	case kLongitude:
		return strconv.FormatFloat(round(f.Float64Range(-180, 180), 6), 'f', -1, 64), true
	case kText:
		return fit(sentence(f), stringSpec{maxLen: sp.maxLen, minLen: sp.minLen}), true
	case kTitle:
		return title(f), true
	case kColor:
		return f.HexColor(), true
	case kIP:
		return f.IPv4Address(), true
	case kUserAgent:
		return f.UserAgent(), true
	case kToken:
		return hexString(f, 32), true
	case kHash:
		tk := tokens(n.name)
		switch {
		case has(tk, "md5", "etag"):
			return hexString(f, 32), true
		case has(tk, "sha256", "digest"):
			return hexString(f, 64), true
		}
		return hexString(f, 40), true
	case kMime:
		return []string{"image/png", "image/jpeg", "application/pdf", "application/json", "text/plain", "text/csv", "image/gif", "video/mp4"}[f.IntN(8)], true
	case kGender:
		return []string{"female", "male", "non-binary"}[f.IntN(3)], true
	case kLanguage:
		if has(append(tokens(n.parent), tokens(refName(n.pref))...), "repo", "repository", "repositories", "gist", "code", "file", "snippet", "project") {
			return []string{"Go", "Python", "TypeScript", "JavaScript", "Rust", "Java", "Ruby", "C++"}[f.IntN(8)], true
		}
		return []string{"en", "fr", "de", "es", "ja", "pt", "it", "nl"}[f.IntN(8)], true
	case kBranch:
		return []string{"main", "develop", "release/" + strconv.Itoa(f.IntRange(1, 9)) + "." + strconv.Itoa(f.IntRange(0, 9)), "feature/" + f.UrlSlug(2)}[f.IntN(4)], true
	case kCount:
		if has(tokens(n.name), "number", "num", "no") {
			return f.DigitN(10), true
		}
		return "", false
	case kLocale:
		return []string{"en-US", "en-GB", "fr-FR", "de-DE", "es-ES", "ja-JP", "pt-BR"}[f.IntN(7)], true
	case kVersion:
		return strconv.Itoa(f.IntRange(1, 4)) + "." + strconv.Itoa(f.IntRange(0, 12)) + "." + strconv.Itoa(f.IntRange(0, 20)), true
	case kStatus:
		return []string{"active", "pending", "completed", "inactive", "archived"}[f.IntN(5)], true
	case kSlug, kWord:
		if k == kSlug {
			return f.UrlSlug(2), true
		}
		return cleanWord(f.Noun()), true
	case kDomain:
		return strings.ToLower(f.DomainName()), true
	case kPath:
		return cleanWord(f.Noun()) + "/" + cleanWord(f.Noun()) + "." + f.FileExtension(), true
	case kFilename:
		return cleanWord(f.Noun()) + "." + f.FileExtension(), true
	case kTimezone:
		return []string{"America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles", "Australia/Sydney", "UTC"}[f.IntN(7)], true
	case kCurrency:
		cur := []string{"USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF"}[f.IntN(7)]
		if sp.descSchema != nil && strings.Contains(strings.ToLower(sp.descSchema.Description), "lowercase") {
			cur = strings.ToLower(cur)
		}
		return cur, true
	case kDateTime:
		return pastTime(f).Format(time.RFC3339), true
	case kDateTimeFuture:
		return futureTime(f).Format(time.RFC3339), true
	case kDate:
		return pastTime(f).AddDate(-30, 0, 0).Format("2006-01-02"), true
	case kMoney:
		return strconv.FormatFloat(float64(f.IntRange(100, 100000))/100, 'f', 2, 64), true
	case kJob:
		return f.JobTitle(), true
	case kPassword:
		return f.Password(true, true, true, false, false, 14), true
	case kAge, kYear, kMonth, kDay, kPort, kPercent, kRating, kDuration:
		return "", false
	case kCode:
		return strings.ToUpper(f.LetterN(2)) + f.DigitN(3), true
	case kName:
		return c.thingName(f, n), true
	}
	return "", false
}

// thingName names a thing using the schema/parent context.
func (c *gctx) thingName(f *gofakeit.Faker, n *node) string {
	ctx := tokens(n.parent)
	ctx = append(ctx, tokens(refName(n.pref))...)
	switch {
	case has(ctx, "pet", "pets", "dog", "cat", "animal"):
		return f.PetName()
	case has(ctx, "product", "products", "item", "items", "price", "sku"):
		return f.ProductName()
	case has(ctx, "repo", "repository", "repositories", "project", "projects", "app", "apps", "package", "packages", "workflow", "branch", "bucket", "droplet", "cluster", "service", "services", "database", "volume", "image", "function"):
		return f.UrlSlug(2)
	case has(ctx, "file", "files", "attachment", "attachments", "document"):
		return cleanWord(f.Noun()) + "." + f.FileExtension()
	}
	return f.FirstName() + " " + f.LastName()
}

func (c *gctx) email(f *gofakeit.Faker, n *node) string {
	u := strings.ToLower(f.FirstName() + "." + f.LastName())
	u = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.' {
			return r
		}
		return -1
	}, u)
	if u == "" || u == "." {
		u = "user"
	}
	return u + "@" + []string{"example.com", "example.org", "example.net", "mail.example.com"}[f.IntN(4)]
}

func uuid4(f *gofakeit.Faker) string {
	var b [16]byte
	x, y := f.Uint64(), f.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(x >> (8 * i))
		b[8+i] = byte(y >> (8 * i))
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	const hx = "0123456789abcdef"
	out := make([]byte, 36)
	j := 0
	for i := 0; i < 16; i++ {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hx[b[i]>>4]
		out[j+1] = hx[b[i]&0xf]
		j += 2
	}
	return string(out)
}

func shortID(f *gofakeit.Faker) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 14)
	for i := range b {
		b[i] = alphabet[f.IntN(len(alphabet))]
	}
	return string(b)
}

func hexString(f *gofakeit.Faker, n int) string {
	const hx = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hx[f.IntN(16)]
	}
	return string(b)
}

func phone(f *gofakeit.Faker) string {
	return "+1" + f.Phone()
}

func username(f *gofakeit.Faker) string {
	u := strings.ToLower(f.FirstName())
	u = strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, u)
	switch f.IntN(3) {
	case 0:
		u += strconv.Itoa(f.IntRange(1, 999))
	case 1:
		u += "_" + strings.ToLower(cleanAlpha(f.LastName()))
	default:
		u += strconv.Itoa(f.IntRange(70, 99))
	}
	return u
}

func cleanAlpha(s string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, s)
}

func urlString(f *gofakeit.Faker) string {
	return "https://" + strings.ToLower(f.DomainName()) + "/" + f.UrlSlug(2)
}

func imageURL(f *gofakeit.Faker, n *node) string {
	seed := cleanAlpha(strings.ToLower(f.Noun())) + strconv.Itoa(f.IntRange(1, 999))
	size := "200/200"
	if has(tokens(n.name), "cover", "banner") {
		size = "1200/400"
	}
	return "https://picsum.photos/seed/" + seed + "/" + size
}

func title(f *gofakeit.Faker) string {
	w := f.Adjective() + " " + f.Noun() + " " + f.Noun()
	r, size := utf8.DecodeRuneInString(w)
	return strings.ToUpper(string(r)) + w[size:]
}

func sentence(f *gofakeit.Faker) string {
	s := f.Sentence()
	if s == "" {
		s = "Lorem ipsum dolor sit amet."
	}
	return s
}

func textFor(k kind, f *gofakeit.Faker, n *node) string {
	if k == kText {
		return sentence(f)
	}
	return cleanWord(f.Noun())
}

func pastTime(f *gofakeit.Faker) time.Time {
	return time.Unix(anchorTime-int64(f.IntN(int(pastWindow))), 0).UTC()
}

func futureTime(f *gofakeit.Faker) time.Time {
	return time.Unix(anchorTime+int64(f.IntN(int(futureWindw))), 0).UTC()
}

func round(x float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

// descKind is descKindOf(s.Description), cached per schema.
func (g *Generator) descKind(s *openapi3.Schema) kind {
	if s == nil {
		return kNone
	}
	if v, ok := g.descs.Load(s); ok {
		return v.(kind)
	}
	k := descKindOf(s.Description)
	g.descs.Store(s, k)
	return k
}

// descKindOf reads a hint from the start of a schema description.
func descKindOf(desc string) kind {
	if desc == "" {
		return kNone
	}
	if len(desc) > 160 {
		desc = desc[:160]
	}
	d := strings.ToLower(desc)
	switch {
	case strings.Contains(d, "two-letter country") || strings.Contains(d, "iso 3166") || strings.Contains(d, "2-letter country"):
		return kCountryCode
	case strings.Contains(d, "iso currency") || strings.Contains(d, "iso 4217") || strings.Contains(d, "currency code"):
		return kCurrency
	case strings.HasPrefix(d, "id of") || strings.HasPrefix(d, "the id of") || strings.HasPrefix(d, "unique identifier") ||
		strings.Contains(d, " id of the ") || strings.HasPrefix(d, "identifier of") || strings.HasPrefix(d, "the identifier"):
		return kID
	case strings.HasPrefix(d, "url ") || strings.HasPrefix(d, "the url") || strings.HasPrefix(d, "a url"):
		return kURL
	case strings.HasPrefix(d, "email") || strings.HasPrefix(d, "the email") || strings.Contains(d, "email address"):
		return kEmail
	}
	return kNone
}
