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

func collectString(parts []*openapi3.Schema) stringSpec {
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

func (c *gctx) genString(in *info, n *node) any {
	parts := in.parts
	sp := in.str
	f := c.reseed(n, saltString)
	ok := func(s string) bool {
		switch {
		case in.anyString:
			return true
		case in.simpleString:
			return in.stringOK(s)
		}
		return sp.lenOK(s) && c.leafOK(parts, s)
	}

	if n.idHint && sp.format == "" && len(sp.patterns) == 0 {
		if v := c.g.prefixedID(f, n.name); ok(v) {
			return v
		}
		if v := shortID(f); ok(v) {
			return v
		}
	}
	// An id with a pattern: the pattern says more than the name.
	idLike := false
	if len(sp.patterns) > 0 {
		switch c.kindOf(n) {
		case kID, kRefID, kExternalID:
			idLike = true
		}
	}
	if !n.plain && !idLike {
		if v, good := c.nameStringK(n, f, sp, in.descKind); good && ok(v) {
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
	c.unsure++
	return plainString(f, sp, n)
}

// plainString is a lower-case word (or words) fitted to the length bounds.
func plainString(f *gofakeit.Faker, sp stringSpec, n *node) string {
	var b strings.Builder
	b.WriteString(cleanWord(fakeNoun(f)))
	for utf16Len(b.String()) < sp.minLen {
		b.WriteByte('-')
		b.WriteString(cleanWord(fakeNoun(f)))
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
	return c.nameStringK(n, f, sp, c.g.descKind(sp.descSchema))
}

// kindOf classifies the node's property name.
func (c *gctx) kindOf(n *node) kind {
	if !n.kindOK {
		n.kind, n.kindOK = c.g.classify(n.name, n.parent), true
	}
	return n.kind
}

// nameStringK is nameString with the description hint dk known.
func (c *gctx) nameStringK(n *node, f *gofakeit.Faker, sp stringSpec, dk kind) (string, bool) {
	k := c.kindOf(n)
	if dk != kNone && (k == kNone || k == kWord || (k == kCountry && dk == kCountryCode)) {
		k = dk
	}
	switch sp.format {
	case "uuid":
		return uuid4(f), true
	case "date-time":
		switch k {
		case kDateTimeFuture:
			return futureTime(f).Format(time.RFC3339), true
		case kBirthDate:
			return birthDate(f).Format(time.RFC3339), true
		}
		return pastTime(f).Format(time.RFC3339), true
	case "date":
		switch k {
		case kDateTimeFuture:
			return futureTime(f).Format("2006-01-02"), true
		case kBirthDate:
			return birthDate(f).Format("2006-01-02"), true
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
			return "/" + cleanWord(fakeNoun(f)) + "/" + strconv.Itoa(f.IntRange(1, 999)), true
		}
		return urlString(f), true
	case "hostname", "idn-hostname":
		return fakeDomain(f), true
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
		return "/" + cleanWord(fakeNoun(f)), true
	case "uri-template":
		return "https://api.example.com/" + cleanWord(fakeNoun(f)) + "/{id}", true
	case "hostname", "idn-hostname":
		return fakeDomain(f), true
	case "ipv4":
		return f.IPv4Address(), true
	case "ipv6":
		return f.IPv6Address(), true
	case "ip":
		return f.IPv4Address(), true
	case "byte":
		return base64.StdEncoding.EncodeToString([]byte(cleanWord(fakeNoun(f)))), true
	case "binary":
		return cleanWord(fakeNoun(f)), true
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
	// Inside an error object, codes and messages read like an API's.
	switch k {
	case kCode, kText, kDetail, kTitle, kErrorCode:
		if c.g.context(n.name, n.parent, n.pref)&ctxError != 0 {
			switch k {
			case kCode, kErrorCode:
				return errorCode(f, n), true
			case kTitle:
				return errorTitle(f), true
			}
			return errorMessage(f), true
		}
	}
	switch k {
	case kRefID:
		return c.g.prefixedID(f, n.name), true
	case kCarrier:
		return pick(f, []string{"UPS", "FedEx", "DHL", "USPS", "Royal Mail", "DPD"}), true
	case kPrefix:
		return strings.ToUpper(hexString(f, 8)), true
	case kLatLng:
		lat, lng := coordinates(f)
		return strconv.FormatFloat(lat, 'f', 4, 64) + "," + strconv.FormatFloat(lng, 'f', 4, 64), true
	case kLocation:
		// "City, Country", or the city alone when that is too long.
		start := f.IntN(len(places))
		for i := range places {
			p := places[(start+i)%len(places)]
			if s := p.city + ", " + p.country; sp.maxLen < 0 || utf16Len(s) <= sp.maxLen {
				return s, true
			}
			if sp.maxLen < 0 || utf16Len(p.city) <= sp.maxLen {
				return p.city, true
			}
		}
		return "", false
	case kBirthDate:
		return birthDate(f).Format("2006-01-02"), true
	case kBirthYear:
		return strconv.Itoa(1950 + f.IntN(56)), true
	case kExternalID:
		return strconv.Itoa(100000 + f.IntN(99900000)), true
	case kScore:
		return strconv.Itoa(f.IntN(101)), true
	case kReputation:
		return strconv.Itoa(f.IntN(5001)), true
	case kFieldName:
		field := pick(f, fieldNames)
		if has(tokens(n.name), "pointer") {
			return "/" + strings.ReplaceAll(field, ".", "/"), true
		}
		return field, true
	case kErrorCode:
		return errorCode(f, n), true
	case kDetail:
		if has(tokens(n.name), "error") {
			return errorMessage(f), true
		}
		return fit(sentence(f), stringSpec{maxLen: sp.maxLen, minLen: sp.minLen}), true
	case kBase64:
		if has(tokens(n.name), imageWords...) {
			return tinyPNG, true
		}
		return base64.StdEncoding.EncodeToString([]byte(fakeSentence(f))), true
	case kLicense:
		return pick(f, licenses), true
	case kEnv:
		return pick(f, []string{"production", "staging", "development", "test"}), true
	case kPasscode:
		return f.DigitN(6), true
	case kIdentifier:
		return strings.ReplaceAll(fakeSlug(f, 2), "-", "_"), true
	case kAttribution:
		return pick(f, []string{"Photo by ", "Model by ", "Created by ", "Courtesy of "}) + fakeFirstName(f) + " " + fakeLastName(f), true
	case kID:
		if n.name == "id" {
			// The object's own id: its schema names the resource.
			return c.g.prefixedID(f, refName(n.pref)), true
		}
		return c.g.prefixedID(f, n.name), true
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
		return fakeFirstName(f), true
	case kLastName:
		return fakeLastName(f), true
	case kMiddleName:
		return f.MiddleName(), true
	case kFullName:
		return fakeFirstName(f) + " " + fakeLastName(f), true
	case kUsername:
		return username(f), true
	case kCompany:
		return fakeCompany(f), true
	case kCity:
		return fakeCity(f), true
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
		case has(tk, "sha512"):
			return hexString(f, 128), true
		case has(tk, "sha384"):
			return hexString(f, 96), true
		case has(tk, "sha256", "digest", "checksum"):
			return hexString(f, 64), true
		}
		return hexString(f, 40), true
	case kMime:
		return []string{"image/png", "image/jpeg", "application/pdf", "application/json", "text/plain", "text/csv", "image/gif", "video/mp4", "model/gltf-binary", "audio/mpeg"}[f.IntN(10)], true
	case kGender:
		return []string{"female", "male", "non-binary"}[f.IntN(3)], true
	case kLanguage:
		if c.g.context(n.name, n.parent, n.pref)&ctxCode != 0 {
			return []string{"Go", "Python", "TypeScript", "JavaScript", "Rust", "Java", "Ruby", "C++"}[f.IntN(8)], true
		}
		return []string{"en", "fr", "de", "es", "ja", "pt", "it", "nl"}[f.IntN(8)], true
	case kBranch:
		return []string{"main", "develop", "release/" + strconv.Itoa(f.IntRange(1, 9)) + "." + strconv.Itoa(f.IntRange(0, 9)), "feature/" + fakeSlug(f, 2)}[f.IntN(4)], true
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
		if has(tokens(n.name), "connection", "friendship", "follow", "relationship") {
			return []string{"connected", "followed", "sent_connection_request", "received_connection_request"}[f.IntN(4)], true
		}
		return []string{"active", "pending", "completed", "inactive", "archived"}[f.IntN(5)], true
	case kSlug, kWord:
		if k == kSlug {
			// A storage key: a path to a file.
			if tk := tokens(n.name); last(tk) == "key" {
				ctx := c.g.context(n.name, n.parent, n.pref)
				switch {
				case has(tk, imageWords...):
					return "images/" + fakeSlug(f, 2) + ".png", true
				case ctx&ctxFile != 0:
					return slugWord(f) + "/" + fileName(f), true
				}
			}
			return fakeSlug(f, 2), true
		}
		return cleanWord(fakeNoun(f)), true
	case kDomain:
		return fakeDomain(f), true
	case kPath:
		return slugWord(f) + "/" + fileName(f), true
	case kFilename:
		return fileName(f), true
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
		if _, ok := idPrefixes[strings.ToLower(n.name)]; ok {
			return c.g.prefixedID(f, n.name), true // "charge": an id, not an amount
		}
		return strconv.FormatFloat(float64(f.IntRange(100, 100000))/100, 'f', 2, 64), true
	case kJob:
		return fakeJobTitle(f), true
	case kPassword:
		return f.Password(true, true, true, false, false, 14), true
	case kAge, kYear, kMonth, kDay, kPort, kPercent, kRating, kDuration:
		return "", false
	case kCode:
		if has(tokens(n.name), "invite", "invitation", "referral", "promo", "promotion", "coupon", "voucher", "gift", "discount", "access", "redeem", "redemption", "activation") {
			return inviteCode(f), true
		}
		return strings.ToUpper(f.LetterN(2)) + f.DigitN(3), true
	case kName:
		return c.thingName(f, n), true
	}
	return "", false
}

// Contexts of a value: what the property, the enclosing property and the
// enclosing object are about.
const (
	ctxPet = 1 << iota
	ctxProduct
	ctxSlug
	ctxFile
	ctxCode
	ctxError
	ctxTag
	ctxChannel
	ctxPerson
)

type ctxKey struct{ name, parent, pref string }

// context classifies a property by its own name (for the things it
// names), the enclosing property's name and the enclosing object's schema
// name (cached).
func (g *Generator) context(name, parent, pref string) int {
	key := ctxKey{name, parent, pref}
	if v, ok := g.contexts.Load(key); ok {
		return v.(int)
	}
	own := tokens(name)
	ctx := append(tokens(parent), tokens(refName(pref))...)
	k := 0
	if has(ctx, "error", "errors", "err", "problem", "problems", "fault", "exception", "violation", "violations", "failure") {
		k |= ctxError
	}
	if has(own, "tag", "tags", "label", "labels", "category", "categories", "topic", "topics", "keyword", "keywords", "genre", "skill", "skills", "interest", "interests", "hashtag") ||
		has(ctx, "tag", "tags", "label", "labels", "category", "categories", "topic", "topics", "keyword", "keywords", "genre", "skill", "skills", "interest", "interests", "hashtag") {
		k |= ctxTag
	}
	if has(own, "channel") || has(ctx, "channel", "channels") {
		k |= ctxChannel
	}
	if len(own) > 1 {
		// "projectName": the named thing is in the property's own name.
		ctx = append(own[:len(own)-1:len(own)-1], ctx...)
	}
	if has(ctx, "user", "users", "person", "people", "customer", "customers", "member", "members", "contact", "contacts", "author", "owner", "employee",
		"profile", "account", "player", "players", "student", "teacher", "patient", "driver", "guest", "attendee", "invitee", "inviter", "sender", "recipient",
		"assignee", "reviewer", "creator", "actor", "admin", "staff", "speaker", "artist", "candidate", "participant", "friend", "follower", "agent") {
		k |= ctxPerson
	}
	if has(ctx, "pet", "pets", "dog", "cat", "animal") {
		k |= ctxPet
	}
	if has(ctx, "product", "products", "item", "items", "price", "sku") {
		k |= ctxProduct
	}
	if has(ctx, "repo", "repository", "repositories", "project", "projects", "app", "apps", "package", "packages", "workflow", "branch", "bucket", "droplet", "cluster", "service", "services", "database", "volume", "image", "function") {
		k |= ctxSlug
	}
	if has(ctx, "file", "files", "attachment", "attachments", "document", "documents", "resource", "resources", "asset", "assets", "upload", "uploads",
		"media", "blob", "blobs", "storage", "bucket") {
		k |= ctxFile
	}
	if has(ctx, "repo", "repository", "repositories", "gist", "code", "file", "snippet", "project") {
		k |= ctxCode
	}
	g.contexts.Store(key, k)
	return k
}

// thingName names a thing using the schema/parent context.
func (c *gctx) thingName(f *gofakeit.Faker, n *node) string {
	ctx := c.g.context(n.name, n.parent, n.pref)
	switch {
	case ctx&ctxTag != 0:
		return cleanWord(slugWord(f))
	case ctx&ctxChannel != 0:
		return pick(f, channelNames)
	case ctx&ctxPerson != 0:
		return fakeFirstName(f) + " " + fakeLastName(f)
	case ctx&ctxPet != 0:
		return f.PetName()
	case ctx&ctxProduct != 0:
		return f.ProductName()
	case ctx&ctxSlug != 0:
		return fakeSlug(f, 2)
	case ctx&ctxFile != 0:
		return fileName(f)
	}
	return title2(f)
}

func (c *gctx) email(f *gofakeit.Faker, n *node) string {
	u := strings.ToLower(fakeFirstName(f) + "." + fakeLastName(f))
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
	u := strings.ToLower(fakeFirstName(f))
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
		u += "_" + strings.ToLower(cleanAlpha(fakeLastName(f)))
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
	return "https://" + fakeDomain(f) + "/" + fakeSlug(f, 2)
}

func imageURL(f *gofakeit.Faker, n *node) string {
	seed := cleanAlpha(strings.ToLower(fakeNoun(f))) + strconv.Itoa(f.IntRange(1, 999))
	size := "200/200"
	if has(tokens(n.name), "cover", "banner") {
		size = "1200/400"
	}
	return "https://picsum.photos/seed/" + seed + "/" + size
}

func title(f *gofakeit.Faker) string {
	w := fakeAdjective(f) + " " + fakeNoun(f) + " " + fakeNoun(f)
	r, size := utf8.DecodeRuneInString(w)
	return strings.ToUpper(string(r)) + w[size:]
}

func sentence(f *gofakeit.Faker) string {
	s := fakeSentence(f)
	if s == "" {
		s = "Lorem ipsum dolor sit amet."
	}
	return s
}

func textFor(k kind, f *gofakeit.Faker, n *node) string {
	if k == kText {
		return sentence(f)
	}
	return cleanWord(fakeNoun(f))
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
