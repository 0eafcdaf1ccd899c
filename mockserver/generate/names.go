package generate

import (
	"strings"
	"unicode"
)

// tokens splits a property name into lower-case words:
// "createdAt" -> [created at], "html_url" -> [html url], "userID" -> [user id].
func tokens(name string) []string {
	if name == "" {
		return nil
	}
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r):
			// New word at lower->Upper, or at the last capital of an acronym
			// followed by a lower-case letter ("HTMLUrl" -> HTML, Url).
			if len(cur) > 0 {
				prev := rs[i-1]
				if unicode.IsLower(prev) || unicode.IsDigit(prev) ||
					(unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1])) {
					flush()
				}
			}
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

func has(tk []string, words ...string) bool {
	for _, t := range tk {
		for _, w := range words {
			if t == w {
				return true
			}
		}
	}
	return false
}

func last(tk []string) string {
	if len(tk) == 0 {
		return ""
	}
	return tk[len(tk)-1]
}

func first(tk []string) string {
	if len(tk) == 0 {
		return ""
	}
	return tk[0]
}

// kind is what a property name suggests the value is.
type kind int

const (
	kNone kind = iota
	kID
	kUUID
	kEmail
	kPhone
	kURL
	kImageURL
	kFirstName
	kLastName
	kMiddleName
	kFullName
	kUsername
	kCompany
	kCity
	kCountry
	kCountryCode
	kState
	kZip
	kStreet
	kStreet2
	kAddress
	kLatitude
	kLongitude
	kText
	kTitle
	kColor
	kIP
	kUserAgent
	kToken
	kHash
	kMime
	kGender
	kLanguage
	kLocale
	kVersion
	kStatus
	kSlug
	kDomain
	kPath
	kFilename
	kTimezone
	kCurrency
	kDateTime
	kDateTimeFuture
	kDate
	kTime
	kMoney
	kJob
	kWord
	kPassword
	kCount
	kAge
	kYear
	kMonth
	kDay
	kPort
	kPercent
	kRating
	kDuration
	kCode
	kName // generic "name" of a thing
	kBranch
	kLatLng     // "lat,lng" in one string
	kLocation   // a place: "City, Country"
	kBirthDate  // an adult's date of birth
	kBirthYear  // an adult's year of birth
	kExternalID // an identifier in another system
	kScore      // a score out of 100
	kReputation // reputation points
	kFieldName  // the name of a field (in an error)
	kErrorCode  // a machine-readable error code
	kBase64     // base64 data
	kLicense    // a license identifier
	kPasscode   // a numeric code
	kIdentifier // a machine name ("avatar_name")
	kAttribution
	kDetail // a human-readable detail (in an error)
	kEnv    // a deployment environment
	kRefID  // a string naming another resource by id ("customer": "cus_...")
	kCarrier
	kPrefix
)

// idPrefixes are the id prefixes of resources commonly referred to by id
// (Stripe's convention, which many APIs share).
var idPrefixes = map[string]string{
	"customer": "cus", "invoice": "in", "invoice_item": "ii", "subscription": "sub", "subscription_item": "si",
	"charge": "ch", "refund": "re", "payout": "po", "transfer": "tr", "payment_intent": "pi", "setup_intent": "seti",
	"payment_method": "pm", "checkout_session": "cs", "balance_transaction": "txn", "product": "prod", "price": "price",
	"plan": "plan", "coupon": "co", "promotion_code": "promo", "dispute": "dp", "source": "src", "card": "card",
	"account": "acct", "mandate": "mandate", "review": "prv", "quote": "qt", "file": "file", "event": "evt",
	"order": "order", "session": "sess", "discount": "di", "tax_rate": "txr", "application_fee": "fee",
	"setup_attempt": "setatt", "test_clock": "clock", "user": "usr", "organization": "org", "team": "team",
	"project": "proj", "workspace": "ws", "payment": "pay", "transaction": "txn", "shipment": "shp", "ticket": "tkt",
}

var imageWords = []string{"avatar", "image", "img", "thumbnail", "thumb", "photo", "picture", "pic", "cover", "icon", "logo", "banner", "gravatar", "headshot", "portrait"}

type nameKey struct{ name, parent string }

// classify maps a property name (and its parent's) to a kind, cached.
func (g *Generator) classify(name, parent string) kind {
	key := nameKey{name, parent}
	if v, ok := g.kinds.Load(key); ok {
		return v.(kind)
	}
	k := classify(name, parent)
	g.kinds.Store(key, k)
	return k
}

// classifyOwn classifies a property name on its own; dependsOnParent
// reports that the enclosing property's name can change the answer (then
// classify must be used).
func classifyOwn(name string) (k kind, dependsOnParent bool) {
	tk := tokens(name)
	for _, t := range tk {
		switch t {
		case "state", "states", "province", "provinces", "region", "regions", "county", "counties", "name", "names":
			return kNone, true
		}
	}
	return classify(name, ""), false
}

// classify maps a property name (and its parent's) to a kind.
func classify(name, parent string) kind {
	tk := tokens(name)
	if len(tk) == 0 {
		return kNone
	}
	if k := classifyTokens(tk, parent); k != kNone {
		return k
	}
	// Plural array names: "preferred_locales" -> locale, "emails" -> email.
	l := tk[len(tk)-1]
	sing := ""
	switch {
	case strings.HasSuffix(l, "ies") && len(l) > 4:
		sing = l[:len(l)-3] + "y"
	case strings.HasSuffix(l, "sses"), strings.HasSuffix(l, "xes"), strings.HasSuffix(l, "ches"), strings.HasSuffix(l, "shes"):
		sing = l[:len(l)-2]
	case strings.HasSuffix(l, "s") && !strings.HasSuffix(l, "ss") && len(l) > 3:
		sing = l[:len(l)-1]
	}
	if sing == "" {
		return kNone
	}
	tk2 := append(append([]string{}, tk[:len(tk)-1]...), sing)
	return classifyTokens(tk2, parent)
}

func classifyTokens(tk []string, parent string) kind {
	if has(tk, "percent", "percentage", "pct") {
		return kPercent
	}
	l := last(tk)
	j := strings.Join(tk, "")
	// Latitude and longitude together in one value.
	if (has(tk, "lat", "latitude") && has(tk, "lng", "lon", "long", "longitude")) ||
		j == "latlng" || j == "latlong" || j == "lnglat" || j == "coordinates" || j == "coords" || j == "geolocation" || j == "geopoint" || j == "geo" {
		return kLatLng
	}
	if has(tk, "birth", "dob", "birthday", "birthdate") {
		if l == "year" {
			return kBirthYear
		}
		if l != "place" && l != "city" && l != "country" && l != "name" {
			return kBirthDate
		}
	}
	if (l == "id" || l == "ids") && len(tk) > 1 && (has(tk[:len(tk)-1], "ext", "external", "foreign", "remote", "vendor", "partner", "third", "provider", "legacy", "crm", "erp", "sso", "oauth")) {
		return kExternalID
	}
	if l == "counter" || l == "counters" || (l == "count" && len(tk) > 1) || j == "count" {
		return kCount
	}
	if has(tk, "base64", "b64") {
		return kBase64
	}
	// "amount_refunded" is an amount, not a time.
	if has(tk, "amount", "amounts") && l != "currency" && l != "type" && l != "details" {
		return kMoney
	}
	switch j {
	case "uuid", "guid":
		return kUUID
	case "username", "login", "handle", "nickname", "screenname", "nick", "userlogin":
		return kUsername
	case "firstname", "givenname", "forename":
		return kFirstName
	case "lastname", "familyname", "surname":
		return kLastName
	case "middlename":
		return kMiddleName
	case "fullname", "displayname", "realname", "contactname", "customername", "authorname", "ownername", "billingname", "cardholdername", "accountholdername":
		return kFullName
	case "useragent":
		return kUserAgent
	case "contenttype", "mimetype", "mediatype", "mime":
		return kMime
	case "timezone", "tz", "timezonename":
		return kTimezone
	case "countrycode", "countryiso", "country2", "countryalpha2", "countryiso2":
		return kCountryCode
	case "zipcode", "postalcode", "postcode", "zip", "postal":
		return kZip
	case "line1", "addressline1", "street", "streetaddress", "address1", "streetname":
		return kStreet
	case "line2", "addressline2", "address2":
		return kStreet2
	case "ip", "ipaddress", "ipaddr", "remoteaddr", "remoteip", "clientip", "ipv4":
		return kIP
	case "lat", "latitude":
		return kLatitude
	case "lng", "lon", "long", "longitude":
		return kLongitude
	case "password", "passwd", "pass", "newpassword", "currentpassword":
		return kPassword
	case "companyname", "organizationname", "organisationname", "orgname", "businessname", "employer":
		return kCompany
	case "customer", "invoice", "invoiceitem", "subscription", "subscriptionitem", "refund", "transfer", "paymentintent", "setupintent",
		"paymentmethod", "checkoutsession", "balancetransaction", "promotioncode", "dispute", "mandate", "testclock", "applicationfee", "setupattempt":
		return kRefID
	case "carrier", "shippingcarrier", "courier":
		return kCarrier
	case "invoiceprefix", "prefix", "idprefix", "numberprefix":
		return kPrefix
	case "footer", "footnote", "notice":
		return kText
	case "companyrole", "jobtitle", "jobrole", "jobposition", "occupation", "profession", "worktitle", "roletitle", "jobname":
		return kJob
	case "location", "place", "hometown", "birthplace", "residence", "currentlocation", "userlocation", "homelocation", "locationname", "placename":
		return kLocation
	case "reputation", "karma", "reputationpoints", "reputationscore":
		return kReputation
	case "score", "points", "rankscore", "qualityscore", "healthscore", "matchscore", "relevancescore", "creditscore":
		return kScore
	case "project", "projectname", "workspace", "workspacename", "namespace", "bucket", "bucketname", "cluster", "clustername", "repo", "reponame", "repository", "repositoryname", "service", "servicename":
		return kSlug
	case "environment", "env", "stage", "deployment environment", "environmentname":
		return kEnv
	case "license", "licence", "licensing", "licenseid", "spdx", "licensename", "licensetype":
		return kLicense
	case "passcode", "pin", "pincode", "otp", "otpcode", "verificationcode", "securitycode", "smscode", "mfacode", "totp":
		return kPasscode
	case "attribution", "copyright":
		return kAttribution
	case "identifiername", "machinename", "internalname", "systemname", "codename", "technicalname":
		return kIdentifier
	case "field", "fieldname", "param", "parameter", "paramname", "parametername", "propertyname", "pointer", "jsonpointer":
		return kFieldName
	case "detail", "errordetail", "errordescription", "errormessage", "reasonphrase":
		return kDetail
	case "errorcode", "errcode", "errortype", "declinecode", "failurecode", "reasoncode":
		return kErrorCode
	case "filename", "file", "basename":
		return kFilename
	case "apikey", "accesstoken", "refreshtoken", "secret", "clientsecret", "token", "apitoken", "authtoken", "sessiontoken", "idtoken":
		return kToken
	}
	if has(tk, "email", "mail") && l != "verified" && l != "enabled" {
		return kEmail
	}
	if has(tk, imageWords...) && (l == "url" || l == "uri" || l == "href" || l == "link" || l == "src" || has([]string{l}, imageWords...)) {
		return kImageURL
	}
	switch l {
	case "url", "uri", "href", "link", "website", "homepage", "endpoint", "permalink", "src", "webhook":
		return kURL
	case "id", "ids", "key":
		if l == "key" && len(tk) > 1 && (tk[len(tk)-2] == "api" || tk[len(tk)-2] == "secret" || tk[len(tk)-2] == "access") {
			return kToken
		}
		if l == "key" {
			return kSlug
		}
		return kID
	case "phone", "mobile", "fax", "telephone", "tel", "msisdn", "cell":
		return kPhone
	case "city", "town", "locality":
		return kCity
	case "country":
		return kCountry
	case "state", "province", "region", "county":
		if has(tokens(parent), "address", "billing", "shipping", "location") || l == "province" || l == "county" {
			return kState
		}
		if l == "region" {
			return kWord
		}
		return kStatus
	case "address":
		if has(tk, "email", "ip", "mac", "wallet") {
			return kNone
		}
		return kAddress
	case "description", "bio", "summary", "about", "comment", "message", "note", "notes", "text", "body", "details", "reason", "caption", "excerpt", "overview", "instructions", "biography", "explanation", "content", "statement", "memo":
		return kText
	case "title", "subject", "headline", "heading":
		return kTitle
	case "color", "colour":
		return kColor
	case "agent":
		if has(tk, "user") {
			return kUserAgent
		}
	case "token", "secret", "apikey", "nonce", "signature", "password":
		if l == "password" {
			return kPassword
		}
		return kToken
	case "hash", "sha", "sha1", "sha256", "md5", "checksum", "digest", "etag", "fingerprint", "commit":
		return kHash
	case "gender", "sex":
		return kGender
	case "language", "lang":
		return kLanguage
	case "locale":
		return kLocale
	case "version":
		return kVersion
	case "status":
		return kStatus
	case "slug":
		return kSlug
	case "branch", "ref":
		if tk[len(tk)-1] == "ref" && len(tk) == 1 {
			return kBranch
		}
		if tk[len(tk)-1] == "branch" {
			return kBranch
		}
	case "domain", "host", "hostname", "fqdn":
		return kDomain
	case "path", "filepath", "dir", "directory":
		return kPath
	case "filename":
		return kFilename
	case "currency":
		return kCurrency
	case "at", "timestamp", "datetime", "time":
		if l == "time" && len(tk) == 1 {
			return kDateTime
		}
		if has(tk, "expires", "expiry", "expiration", "due", "end", "ends", "until", "next", "scheduled", "valid") {
			return kDateTimeFuture
		}
		return kDateTime
	case "date", "on", "day":
		if l == "day" {
			return kDay
		}
		if has(tk, "birth", "dob") {
			return kDate
		}
		if has(tk, "expires", "expiry", "expiration", "due", "end", "until", "next") {
			return kDateTimeFuture
		}
		if l == "on" && len(tk) == 1 {
			return kNone
		}
		return kDateTime
	case "birthday", "dob", "birthdate":
		return kDate
	case "created", "updated", "modified", "deleted", "published", "started", "finished", "completed", "archived", "closed", "merged", "pushed", "since", "expired", "canceled", "cancelled", "submitted", "approved", "paid", "refunded", "voided", "resolved":
		return kDateTime
	case "expires", "expiry", "expiration", "deadline", "until":
		return kDateTimeFuture
	case "price", "amount", "cost", "total", "balance", "fee", "fees", "subtotal", "tax", "salary", "revenue", "payout", "charge", "discount", "budget":
		return kMoney
	case "company", "organization", "organisation", "org", "employer", "business", "vendor", "merchant", "publisher", "manufacturer", "brand":
		return kCompany
	case "job", "occupation", "profession", "jobtitle":
		return kJob
	case "role":
		return kWord
	case "tag", "tags", "label", "labels", "keyword", "keywords", "category", "categories", "type", "kind", "topic", "topics", "group", "scope", "scopes", "permission", "permissions", "mode", "channel", "source", "method", "level", "tier", "plan", "interval", "unit":
		return kWord
	case "count", "size", "quantity", "qty", "number", "num", "total_count", "length", "width", "height", "weight", "depth", "limit", "offset", "page", "position", "order", "index", "rank", "priority", "attempts", "retries", "duration_ms", "bytes", "stars", "forks", "watchers", "followers", "following", "views", "likes":
		return kCount
	case "age":
		return kAge
	case "year":
		return kYear
	case "month":
		return kMonth
	case "port":
		return kPort
	case "percent", "percentage", "ratio", "rate", "probability":
		return kPercent
	case "rating", "stars_rating", "score":
		return kRating
	case "duration", "timeout", "ttl", "interval_seconds", "seconds", "minutes", "hours":
		return kDuration
	case "code":
		if has(tk, "country") {
			return kCountryCode
		}
		if has(tk, "postal", "zip", "post") {
			return kZip
		}
		if has(tk, "currency") {
			return kCurrency
		}
		if has(tk, "language", "lang") {
			return kLanguage
		}
		return kCode
	case "name":
		switch {
		case len(tk) == 1:
			return classifyName(parent)
		case has(tk, "first", "given"):
			return kFirstName
		case has(tk, "last", "family", "sur"):
			return kLastName
		case has(tk, "middle"):
			return kMiddleName
		case has(tk, "user", "screen", "login", "nick"):
			return kUsername
		case has(tk, "company", "organization", "org", "business", "legal"):
			return kCompany
		case has(tk, "full", "display", "real", "contact", "customer", "author", "owner", "person", "billing", "shipping", "holder", "account"):
			return kFullName
		case has(tk, "file"):
			return kFilename
		case has(tk, "host", "domain"):
			return kDomain
		case has(tk, "city"):
			return kCity
		case has(tk, "country"):
			return kCountry
		case has(tk, "bank"):
			return kCompany
		}
		return kName
	case "names":
		return kName
	}
	if first(tk) == "is" || first(tk) == "has" {
		return kNone
	}
	return kNone
}

// classifyName decides what a bare "name" is from the enclosing property.
func classifyName(parent string) kind {
	tk := tokens(parent)
	switch {
	case has(tk, "user", "users", "person", "people", "customer", "customers", "owner", "author", "member", "members",
		"contact", "contacts", "employee", "employees", "assignee", "assignees", "creator", "sender", "recipient", "actor",
		"committer", "reviewer", "reviewers", "account", "profile", "individual", "shipping", "billing", "cardholder", "signer", "attendee", "guest", "student", "teacher", "patient", "driver", "passenger"):
		return kFullName
	case has(tk, "company", "organization", "organizations", "org", "orgs", "business", "merchant", "vendor", "team", "teams", "enterprise"):
		return kCompany
	case has(tk, "city"):
		return kCity
	case has(tk, "country"):
		return kCountry
	}
	return kName
}
