package mockserver

import (
	"mime"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// acceptRange is one entry of an Accept header.
type acceptRange struct {
	typ, sub string
	q        float64
	order    int
}

func parseAccept(h string) []acceptRange {
	var out []acceptRange
	for i, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		typ, sub, _ := strings.Cut(mt, "/")
		out = append(out, acceptRange{typ: typ, sub: sub, q: q, order: i})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].q != out[j].q {
			return out[i].q > out[j].q
		}
		// More specific ranges first at equal q.
		return specificity(out[i]) > specificity(out[j])
	})
	return out
}

func specificity(a acceptRange) int {
	switch {
	case a.typ == "*":
		return 0
	case a.sub == "*":
		return 1
	}
	return 2
}

func matchRange(a acceptRange, mt string) bool {
	typ, sub, _ := strings.Cut(mt, "/")
	return (a.typ == "*" || typ == "*" || a.typ == typ) && (a.sub == "*" || sub == "*" || a.sub == sub)
}

// negotiateAmong picks the media type to answer with among keys (a content map's, in order of
// preference: spec.Document.MediaTypes), given the Accept header. It returns the key and the concrete media
// type to send; ok is false when nothing fits (406).
func negotiateAmong(keys []string, accept string) (key, send string, ok bool) {
	if len(keys) == 0 {
		return "", "", true
	}
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		// No preference: JSON where the response offers it, as Prism answers; else the first
		// type the description lists. (Accept: */* takes the first listed, JSON or not.)
		if slices.Contains(keys, "application/json") {
			return "application/json", "application/json", true
		}
		return keys[0], concrete(keys[0], ""), true
	}
	for _, a := range ranges {
		if a.q <= 0 {
			continue
		}
		for _, k := range keys {
			if matchRange(a, k) {
				return k, concrete(k, a.typ+"/"+a.sub), true
			}
		}
	}
	return "", "", false
}

// concrete turns a wildcard media type from the description into one to send.
func concrete(key, accepted string) string {
	if !strings.Contains(key, "*") {
		return key
	}
	if accepted != "" && !strings.Contains(accepted, "*") {
		return accepted
	}
	if key == "*/*" || strings.HasPrefix(key, "application/") {
		return "application/json"
	}
	typ, _, _ := strings.Cut(key, "/")
	switch typ { // a type the range covers (image/* is answered as image/png, never as application/…)
	case "text":
		return "text/plain"
	case "image":
		return "image/png"
	case "audio":
		return "audio/mpeg"
	case "video":
		return "video/mp4"
	}
	return "application/octet-stream"
}
