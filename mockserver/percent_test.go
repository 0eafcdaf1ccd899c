package mockserver_test

import (
	"net/http"
	"testing"
)

// A literal '%' in a path template is sent by a client as %25, the only way it can be.
func TestLiteralPercentInTemplate(t *testing.T) {
	s := inlineServer(t, "api.yaml", `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /discount/100%:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              example: {whole: true}
  /a%b/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              example: {inner: true}
`)
	tests := []struct {
		target string
		status int
		key    string // a key the JSON body must have, when the status is 200
	}{
		{"/discount/100%25", http.StatusOK, "whole"},
		{"/discount/100%26", http.StatusNotFound, ""},
		{"/discount/100", http.StatusNotFound, ""},
		{"/a%25b/7", http.StatusOK, "inner"},
		{"/ab/7", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			res := do(t, s, req{method: http.MethodGet, target: tc.target})
			if res.status != tc.status {
				t.Fatalf("GET %s: status %d, want %d\n%s", tc.target, res.status, tc.status, res.body)
			}
			if tc.key != "" {
				if _, ok := res.json(t)[tc.key]; !ok {
					t.Errorf("GET %s: body %s, want the key %q", tc.target, res.body, tc.key)
				}
			}
		})
	}
}
