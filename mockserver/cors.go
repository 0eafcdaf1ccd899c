package mockserver

import "net/http"

// exposedHeaders are the response headers a browser app may read.
const exposedHeaders = HeaderOperation + ", " + HeaderSource + ", " + HeaderExample + ", " + HeaderViolations + ", " + HeaderPrismViolations + ", " + HeaderWarning + ", " + HeaderScenario +
	", Allow, WWW-Authenticate, Retry-After, Location, Link, ETag"

// preflight answers a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method)
// with 204, allowing what was asked. It reports whether it answered.
func preflight(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodOptions || r.Header.Get("Origin") == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h := w.Header()
	corsHeaders(h, r)
	h.Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
	if req := r.Header.Values("Access-Control-Request-Headers"); len(req) > 0 {
		for _, v := range req {
			h.Add("Access-Control-Allow-Headers", v)
		}
	}
	h.Set("Access-Control-Max-Age", "600")
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// corsHeaders allows the request's origin (with credentials) or any origin.
func corsHeaders(h http.Header, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Expose-Headers", exposedHeaders)
}
