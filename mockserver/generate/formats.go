package generate

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
)

// StringFormats are what the string formats beyond kin-openapi's defaults mean, for every
// check in the mock (requests, answers, examples): a uuid is any 8-4-4-4-12 hex string, as JSON
// Schema says; an email, an IPv4 or IPv6 address; a uri an absolute URI. A fresh map each call.
func StringFormats() map[string]openapi3.StringFormatValidator {
	return map[string]openapi3.StringFormatValidator{
		"uuid":  uuidFormat{},
		"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
		"ipv4":  openapi3.NewIPValidator(true),
		"ipv6":  openapi3.NewIPValidator(false),
		"uri":   absoluteURI{},
	}
}

type uuidFormat struct{}

func (uuidFormat) Validate(v string) error {
	if len(v) != 36 {
		return errors.New("not a UUID: want 36 characters, 8-4-4-4-12 hex digits")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return errors.New("not a UUID: want 8-4-4-4-12 hex digits separated by '-'")
			}
			continue
		}
		if !isHex(c) {
			return fmt.Errorf("not a UUID: %q is not a hex digit", c)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// absoluteURI checks the uri format: an absolute URI (RFC 3986), i.e. with a scheme.
type absoluteURI struct{}

func (absoluteURI) Validate(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" {
		return errors.New("not an absolute URI")
	}
	return nil
}
