package mockserver

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/mockserver/mockserver/mockserver/body"
	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/spec"
)

// validation is the outcome of the validate step.
type validation struct {
	Violations []Violation
	// Security is set when a security requirement was not met (→ 401); Challenges are the
	// WWW-Authenticate values for the schemes that would have satisfied it.
	Security   bool
	Challenges []string
	// UnsupportedMediaType is set when the body's Content-Type is not one the operation accepts,
	// and with NoBody when the operation accepts no body at all (both take the 415 ladder).
	UnsupportedMediaType, NoBody bool
	// Body is the decoded request body (nil when there is none); later steps read this, never
	// the request.
	Body      any
	MediaType string
	Files     []body.File
}

func (v *validation) add(code, msg string, loc ...string) {
	v.Violations = append(v.Violations, Violation{Location: loc, Code: code, Message: msg})
}

// validator holds what validation needs and never changes after start-up.
type validator struct {
	schemaOpts []openapi3.SchemaValidationOption // common to every schema check
	// The option lists for each kind of check, built once.
	requestOpts, requestOpts2020   []openapi3.SchemaValidationOption
	responseOpts, responseOpts2020 []openapi3.SchemaValidationOption
	limits                         body.Limits
}

func newValidator() *validator {
	common := []openapi3.SchemaValidationOption{
		openapi3.MultiErrors(),
		openapi3.EnableFormatValidation(),
		openapi3.SetSchemaRegexCompiler(spec.LenientRegex),
		openapi3.WithStringFormatValidators(generate.StringFormats()),
	}
	with := func(extra ...openapi3.SchemaValidationOption) []openapi3.SchemaValidationOption {
		return append(append([]openapi3.SchemaValidationOption{}, common...), extra...)
	}
	return &validator{
		schemaOpts:       common,
		requestOpts:      with(openapi3.VisitAsRequest()),
		requestOpts2020:  with(openapi3.VisitAsRequest(), openapi3.EnableJSONSchema2020()),
		responseOpts:     with(openapi3.VisitAsResponse()),
		responseOpts2020: with(openapi3.VisitAsResponse(), openapi3.EnableJSONSchema2020()),
	}
}

// validate checks a request against its operation: security, parameters, body. It reads the
// request but never changes it; the body arrives already read.
func (vr *validator) validate(ctx context.Context, op *spec.Operation, r *http.Request, query url.Values, params map[string]string, data []byte) *validation {
	v := &validation{}
	vr.security(op, r, query, v)
	vr.parameters(ctx, op, r, query, params, v)
	vr.body(op, r, data, v)
	v.Violations = capViolations(v.Violations)
	return v
}

// security checks that the credentials some alternative of the requirement asks for are
// present. Their values are not checked: any token is accepted.
func (vr *validator) security(op *spec.Operation, r *http.Request, query url.Values, v *validation) {
	if len(op.Security) == 0 {
		return
	}
	var schemes map[string]*openapi3.SecuritySchemeRef
	if c := op.Doc.Doc.Components; c != nil {
		schemes = c.SecuritySchemes
	}
	var missing []Violation
	var challenges []string
	for _, alt := range op.Security {
		if len(alt) == 0 {
			return // {} makes security optional
		}
		names := make([]string, 0, len(alt))
		for name := range alt {
			names = append(names, name)
		}
		sort.Strings(names)
		ok := true
		for _, name := range names {
			var scheme *openapi3.SecurityScheme
			if ref := schemes[name]; ref != nil {
				scheme = ref.Value
			}
			viol, challenge, present := credential(name, scheme, r, query)
			if !present {
				ok = false
				missing = append(missing, viol)
				challenges = append(challenges, challenge)
			}
		}
		if ok {
			return
		}
	}
	v.Security = true
	v.Violations = append(v.Violations, dedupeViolations(missing)...)
	sort.Strings(challenges)
	for i, c := range challenges {
		if i == 0 || c != challenges[i-1] {
			v.Challenges = append(v.Challenges, c)
		}
	}
}

// credential reports whether the credential scheme asks for is present. A scheme the
// description names but never defines is taken to be an Authorization header.
func credential(name string, s *openapi3.SecurityScheme, r *http.Request, query url.Values) (Violation, string, bool) {
	authz := func(prefix, label, challenge string) (Violation, string, bool) {
		h := r.Header.Get("Authorization")
		if prefix == "" {
			if strings.TrimSpace(h) != "" {
				return Violation{}, "", true
			}
		} else if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) && strings.TrimSpace(h[len(prefix):]) != "" {
			if !strings.EqualFold(prefix, "basic ") || validBasic(h[len(prefix):]) {
				return Violation{}, "", true
			}
			return Violation{Location: []string{"header", "Authorization"}, Code: "security",
					Message: fmt.Sprintf("security scheme %q: malformed Basic credentials (want base64 of user:password)", name)},
				challenge, false
		}
		return Violation{Location: []string{"header", "Authorization"}, Code: "security",
			Message: fmt.Sprintf("security scheme %q: missing %s in the Authorization header", name, label)}, challenge, false
	}
	if s == nil {
		return authz("", "credentials", `Bearer realm="mockserver"`)
	}
	switch strings.ToLower(s.Type) {
	case "apikey":
		challenge := fmt.Sprintf(`ApiKey realm="mockserver", in="%s", name="%s"`, s.In, s.Name)
		var present bool
		switch s.In {
		case "header":
			present = r.Header.Get(s.Name) != ""
		case "query":
			present = query.Get(s.Name) != ""
		case "cookie":
			c, err := r.Cookie(s.Name)
			present = err == nil && c.Value != ""
		}
		if present {
			return Violation{}, "", true
		}
		return Violation{Location: []string{s.In, s.Name}, Code: "security",
			Message: fmt.Sprintf("security scheme %q: missing API key %s %q", name, s.In, s.Name)}, challenge, false
	case "http":
		switch strings.ToLower(s.Scheme) {
		case "basic":
			return authz("Basic ", "Basic credentials", `Basic realm="mockserver"`)
		case "bearer":
			return authz("Bearer ", "Bearer token", `Bearer realm="mockserver"`)
		default:
			sch := s.Scheme
			return authz(sch+" ", sch+" credentials", sch+` realm="mockserver"`)
		}
	case "oauth2", "openidconnect":
		return authz("Bearer ", "Bearer token", `Bearer realm="mockserver"`)
	}
	// mutualTLS and unknown types cannot be checked on a plain connection.
	return Violation{}, "", true
}

func validBasic(cred string) bool {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	return err == nil && strings.Contains(string(raw), ":")
}

// parameters validates path, query, header and cookie parameters. A parameter the request does
// not carry is only checked for being required: kin-openapi would try to decode some styles of
// absent parameters (Stripe's deepObject `expand`) and fail. deepObject query parameters are
// decoded here, in the bracket syntax forms use; the rest goes to kin-openapi.
func (vr *validator) parameters(ctx context.Context, op *spec.Operation, r *http.Request, query url.Values, params map[string]string, v *validation) {
	input := &openapi3filter.RequestValidationInput{
		Request:     r,
		PathParams:  params,
		QueryParams: query,
		Route:       op.Route,
		Options: &openapi3filter.Options{
			MultiError:              true,
			SkipSettingDefaults:     true, // validation must not change the request
			SchemaValidationOptions: vr.schemaOpts,
		},
	}
	v2 := strings.HasPrefix(op.Doc.Version, "2")
	for _, p := range op.Params {
		if p.In == openapi3.ParameterInPath && params[p.Name] == "" {
			// Routed through an empty segment (/users//posts): the parameter is there, empty.
			v.add("empty", fmt.Sprintf("path parameter %q must not be empty", p.Name), p.In, p.Name)
			continue
		}
		if !present(p, r, query) {
			if p.Required {
				v.add("required", fmt.Sprintf("%s parameter %q is required", p.In, p.Name), p.In, p.Name)
			}
			continue
		}
		if p.In == openapi3.ParameterInQuery && !p.AllowEmptyValue && emptyQuery(query[p.Name]) {
			// ?q= without allowEmptyValue: a required parameter is missing its value, and so is
			// any in Swagger 2.0; an optional one in OpenAPI 3 is taken as not sent (an HTML
			// form's empty field), as Prism reads it.
			if p.Required || v2 {
				v.add("empty", fmt.Sprintf("%s parameter %q must not be empty (allowEmptyValue is not set)", p.In, p.Name), p.In, p.Name)
			}
			continue
		}
		if p.Schema == nil && p.Content == nil {
			continue // nothing to check but presence
		}
		if p.In == openapi3.ParameterInQuery && p.Style == openapi3.SerializationDeepObject {
			vr.deepObject(op, p, r.URL.RawQuery, v)
			continue
		}
		err := openapi3filter.ValidateParameter(ctx, input, p)
		if err != nil {
			v.Violations = append(v.Violations, paramViolations(p, err)...)
		}
	}
}

// emptyQuery reports whether a query parameter was sent with nothing but empty values (?q=).
func emptyQuery(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return len(vals) > 0
}

// deepObject decodes and validates a deepObject query parameter the request carries.
func (vr *validator) deepObject(op *spec.Operation, p *openapi3.Parameter, rawQuery string, v *validation) {
	var schema *openapi3.Schema
	if p.Schema != nil {
		schema = p.Schema.Value
	}
	value, _, err := body.DeepObject(rawQuery, p.Name, schema, vr.limits)
	if err != nil {
		var be *body.Error
		if errors.As(err, &be) {
			v.Violations = append(v.Violations, Violation{Location: be.Location, Code: "parse", Message: fmt.Sprintf("%s parameter %q: %s", p.In, p.Name, be.Message)})
		}
		return
	}
	if schema == nil {
		return
	}
	opts := vr.requestOpts
	if op.Needs2020 {
		opts = vr.requestOpts2020
	}
	if err := schema.VisitJSON(value, opts...); err != nil {
		v.Violations = append(v.Violations, schemaViolations([]string{p.In, p.Name}, err)...)
	}
}

// present reports whether the request carries parameter p. A deepObject query parameter is
// there when any key names it (`created[gte]`); an exploded form object when any of its
// properties is.
func present(p *openapi3.Parameter, r *http.Request, query url.Values) bool {
	switch p.In {
	case openapi3.ParameterInQuery:
		if _, ok := query[p.Name]; ok {
			return true
		}
		switch {
		case p.Style == openapi3.SerializationDeepObject:
			for k := range query {
				if len(k) > len(p.Name) && k[len(p.Name)] == '[' && strings.HasPrefix(k, p.Name) {
					return true
				}
			}
		case explodedObject(p):
			for name := range p.Schema.Value.Properties {
				if _, ok := query[name]; ok {
					return true
				}
			}
		}
		return false
	case openapi3.ParameterInHeader:
		return len(r.Header.Values(p.Name)) > 0
	case openapi3.ParameterInCookie:
		_, err := r.Cookie(p.Name)
		return err == nil
	}
	return true // path parameters are always there once routed
}

// explodedObject reports whether p is an object query parameter in form style, exploded: its
// properties are sent as query keys of their own (`?lat=1&lng=2`).
func explodedObject(p *openapi3.Parameter) bool {
	if p.Schema == nil || p.Schema.Value == nil || !p.Schema.Value.Type.Is(openapi3.TypeObject) {
		return false
	}
	if p.Style != "" && p.Style != openapi3.SerializationForm {
		return false
	}
	return p.Explode == nil || *p.Explode
}

// body decodes and validates the request body.
func (vr *validator) body(op *spec.Operation, r *http.Request, data []byte, v *validation) {
	if op.Op.RequestBody == nil || op.Op.RequestBody.Value == nil {
		if len(data) > 0 {
			// The operation takes no body: sending one is a client mistake (Prism: 415).
			v.UnsupportedMediaType, v.NoBody = true, true
			v.add("content-type", fmt.Sprintf("the operation accepts no request body, got %d bytes", len(data)), "body")
		}
		return
	}
	rb := op.Op.RequestBody.Value
	if len(data) == 0 {
		if rb.Required {
			v.add("required", "request body is required", "body")
		}
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		v.UnsupportedMediaType = true
		v.add("content-type", "request has a body but no Content-Type; accepted: "+strings.Join(op.Doc.MediaTypes(rb), ", "), "header", "Content-Type")
		return
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		v.UnsupportedMediaType = true
		v.add("content-type", "malformed Content-Type "+quote(ct)+": "+err.Error(), "header", "Content-Type")
		return
	}
	media := rb.Content.Get(mt)
	if media == nil {
		v.UnsupportedMediaType = true
		v.add("content-type", fmt.Sprintf("Content-Type %s is not accepted; accepted: %s", mt, strings.Join(op.Doc.MediaTypes(rb), ", ")), "header", "Content-Type")
		return
	}
	v.MediaType = mt
	var schema *openapi3.Schema
	if media.Schema != nil {
		schema = media.Schema.Value
	}
	dec, err := body.Decode(mt, params, data, schema, vr.limits)
	if err != nil {
		var be *body.Error
		if errors.As(err, &be) {
			v.Violations = append(v.Violations, Violation{Location: be.Location, Code: be.Code, Message: be.Message})
		} else {
			v.add("body.syntax", err.Error(), "body")
		}
		return
	}
	v.Body, v.Files = dec.Value, dec.Files
	if mt == "application/x-www-form-urlencoded" {
		if strict := op.Doc.StrictReserved(media); len(strict) > 0 {
			reservedInForm(strict, data, v)
		}
	}
	if schema == nil {
		return
	}
	opts := vr.requestOpts
	if op.Needs2020 {
		opts = vr.requestOpts2020
	}
	if err := schema.VisitJSON(dec.Value, opts...); err != nil {
		v.Violations = append(v.Violations, schemaViolations([]string{"body"}, err)...)
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// reservedInForm checks the form fields whose encoding says allowReserved: false in so many
// words (strict): their values must percent-encode RFC 3986's reserved characters (the form's
// own separators & and = aside).
func reservedInForm(strict []string, data []byte, v *validation) {
	for rest := string(data); rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		k, val, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			continue // the decoder has reported it
		}
		field, _, _ := strings.Cut(name, "[")
		if !slices.Contains(strict, field) {
			continue
		}
		if i := strings.IndexAny(val, ":/?#[]@!$'()*,;="); i >= 0 {
			v.add("allowReserved", fmt.Sprintf("form field %q holds the reserved character %q unencoded; its encoding does not allow reserved characters", name, val[i]), "body", field)
		}
	}
}

// uuidFormat checks the uuid format as JSON Schema defines it (RFC 4122's string form): 8-4-4-4-12
// hex digits, either case. The version and variant digits are not checked: ids such as
// 00000000-0000-0000-0000-000000000007 are what people put in fixtures and tests, and Prism and
// the JSON Schema test suite accept them. It takes a tenth of the time of the equivalent
// regular expression, on every request that carries a uuid.
