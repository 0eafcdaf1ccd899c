package mockserver_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockserver/mockserver/mockserver"
)

const deliverySpec = `openapi: 3.0.3
info: {title: things, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
              example: {id: 1}
        "404":
          description: missing
          content:
            application/json:
              schema: {type: object, properties: {message: {type: string}}}
`

// deliveryServer serves the things description over a real connection with the given write timeout (told to s too).
func deliveryServer(t *testing.T, writeTimeout time.Duration) (*mockserver.Server, *httptest.Server) {
	t.Helper()
	s := inlineServer(t, "things.yaml", deliverySpec, func(c *mockserver.Config) { c.WriteTimeout = writeTimeout })
	ts := httptest.NewUnstartedServer(s)
	ts.Config.WriteTimeout = writeTimeout
	ts.Start()
	t.Cleanup(ts.Close)
	return s, ts
}

func statusCoverage(t *testing.T, s *mockserver.Server, op string) (map[string]int, mockserver.Apart) {
	t.Helper()
	for _, o := range s.Coverage().Operations {
		if o.Operation == op {
			hits := map[string]int{}
			for _, st := range o.Statuses {
				hits[st.Status] = st.Hits
			}
			return hits, o.Apart
		}
	}
	t.Fatalf("no coverage for %s", op)
	return nil, mockserver.Apart{}
}

// TestDelayPastWriteTimeout asks for a delay longer than the server's write timeout: the client
// still gets its answer, and coverage counts it.
func TestDelayPastWriteTimeout(t *testing.T) {
	s, ts := deliveryServer(t, 300*time.Millisecond)
	r, _ := http.NewRequest("GET", ts.URL+"/things/1", nil)
	r.Header.Set("Prefer", "delay=700")
	res, err := ts.Client().Do(r)
	if err != nil {
		t.Fatalf("the client did not get its delayed answer: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"id"`) {
		t.Fatalf("delayed answer: %d %s", res.StatusCode, body)
	}
	hits, apart := statusCoverage(t, s, "getThing")
	if hits["200"] != 1 || apart != (mockserver.Apart{}) {
		t.Fatalf("coverage after a delivered delayed answer: %v %+v", hits, apart)
	}
}

// TestCoverageCountsWhatTheClientGot checks that the mock's own problems, faults and answers
// the client never got cover no documented status, and are counted apart.
func TestCoverageCountsWhatTheClientGot(t *testing.T) {
	s, ts := deliveryServer(t, 0)
	// A fresh connection each time: Go's client retries a GET whose reused connection drops.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	get := func(prefer string, timeout time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		r, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/things/1", nil)
		r.Header.Set("Prefer", prefer)
		if res, err := client.Do(r); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	get("code=418", 5*time.Second)          // the mock's 404: no such status documented
	get("example=nope", 5*time.Second)      // the mock's 404: no such example
	get("fault=reset", 5*time.Second)       // a dropped connection
	get("delay=2000", 200*time.Millisecond) // the client gives up during the delay
	// The abandoned request is recorded when its handler notices, just after.
	deadline := time.Now().Add(5 * time.Second)
	for {
		hits, apart := statusCoverage(t, s, "getThing")
		want := mockserver.Apart{MockProblems: 2, Faults: 1, Closed: 1}
		if apart == want {
			if hits["404"] != 0 || hits["200"] != 0 {
				t.Fatalf("statuses covered by answers the description never gave: %v", hits)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("counted apart %+v, want %+v (statuses %v)", apart, want, hits)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The journal says what the client got: nothing, for the dropped connection and the
	// abandoned delay; verify does not count those as answered.
	res := do(t, s, req{method: "GET", target: "/__mock/requests?limit=10"})
	var page struct {
		Requests []struct {
			Status int    `json:"status"`
			Closed string `json:"closed"`
			Source string `json:"source"`
		} `json:"requests"`
	}
	if err := jsonUnmarshal(res.body, &page); err != nil || len(page.Requests) != 4 {
		t.Fatalf("journal: %v %s", err, res.body)
	}
	for i, want := range []struct {
		status int
		closed string
	}{{404, ""}, {404, ""}, {0, "fault reset"}, {0, "during the delay"}} {
		e := page.Requests[i]
		if e.Status != want.status || (want.closed == "") != (e.Closed == "") || !strings.Contains(e.Closed, want.closed) {
			t.Errorf("entry %d: status %d closed %q (source %s), want %d %q", i, e.Status, e.Closed, e.Source, want.status, want.closed)
		}
	}
	if v := do(t, s, req{method: "POST", target: "/__mock/verify", body: `{"operation": "getThing", "count": 0, "where": {"status": 200}}`}); v.status != 200 {
		t.Errorf("verify counted an answer the client never got as a 200: %d %s", v.status, v.body)
	}
	get("code=404", 5*time.Second)
	hits, _ := statusCoverage(t, s, "getThing")
	if hits["404"] != 1 {
		t.Fatalf("the documented 404, asked for, is not covered: %v", hits)
	}
	rep := s.Coverage()
	if rep.Summary.Covered != 1 || rep.Summary.Apart.MockProblems != 2 || rep.Summary.Apart.Closed != 1 {
		t.Fatalf("summary %+v", rep.Summary)
	}
	x, err := rep.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(x), "<system-out>requests that covered no status: 2 the mock&#39;s own problem answers, 1 faults, 1 connections closed before the answer</system-out>") {
		t.Fatalf("JUnit does not show what was counted apart:\n%s", x)
	}
}

// TestAnswerNeverSent: a server whose write timeout the mock was not told of cuts a delayed
// answer off; coverage does not count it as answered.
func TestAnswerNeverSent(t *testing.T) {
	s := inlineServer(t, "things.yaml", deliverySpec)
	ts := httptest.NewUnstartedServer(s)
	ts.Config.WriteTimeout = 100 * time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	r, _ := http.NewRequest("GET", ts.URL+"/things/1", nil)
	r.Header.Set("Prefer", "delay=300")
	if res, err := ts.Client().Do(r); err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Fatalf("the client got an answer past the write deadline: %d %s", res.StatusCode, body)
	}
	hits, apart := statusCoverage(t, s, "getThing")
	if hits["200"] != 0 || apart.Closed < 1 {
		t.Fatalf("coverage of an answer never sent: %v %+v", hits, apart)
	}
}
