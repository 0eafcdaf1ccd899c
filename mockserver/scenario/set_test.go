package scenario

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"testing"
)

func mustPut(t *testing.T, s *Set, sc Scenario) {
	t.Helper()
	if err := s.Put(sc); err != nil {
		t.Fatalf("Put(%s): %v", sc.Name, err)
	}
}

func steps(statuses ...int) []Step {
	out := make([]Step, len(statuses))
	for i, st := range statuses {
		out[i] = Step{Status: st}
	}
	return out
}

// answers returns what Next gives for n requests: "name:status:index:remaining", or "-".
func answers(s *Set, r Request, n int) []string {
	var out []string
	for range n {
		h, ok := s.Next(r)
		if !ok {
			out = append(out, "-")
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d:%d:%d", h.Scenario, h.Step.Status, h.Index, h.Remaining))
	}
	return out
}

func check(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

var upload = Request{Operation: "updateUserImage", Method: "PUT", Template: "/users/{id}/image", PathParams: map[string]string{"id": "1"}}

func TestSequences(t *testing.T) {
	f := false
	tests := []struct {
		name string
		sc   Scenario
		want []string
	}{
		{"sequence then exhausted", Scenario{Steps: steps(429, 429, 200)},
			[]string{"s:429:0:2", "s:429:1:1", "s:200:2:0", "-", "-"}},
		{"second call only", Scenario{Steps: steps(200, 503)},
			[]string{"s:200:0:1", "s:503:1:0", "-"}},
		{"repeat", Scenario{Steps: steps(200, 503), Repeat: true},
			[]string{"s:200:0:-1", "s:503:1:-1", "s:200:0:-1", "s:503:1:-1", "s:200:0:-1"}},
		{"one step forever", Scenario{Steps: steps(500)},
			[]string{"s:500:0:-1", "s:500:0:-1", "s:500:0:-1", "s:500:0:-1"}},
		{"one step repeat", Scenario{Steps: steps(500), Repeat: true},
			[]string{"s:500:0:-1", "s:500:0:-1", "s:500:0:-1"}},
		{"times", Scenario{Steps: steps(429), Times: 3},
			[]string{"s:429:0:2", "s:429:0:1", "s:429:0:0", "-", "-"}},
		{"times 1", Scenario{Steps: steps(429), Times: 1},
			[]string{"s:429:0:0", "-"}},
		{"inactive, not named", Scenario{Steps: steps(500), Active: &f},
			[]string{"-", "-"}},
		{"not matching", Scenario{Steps: steps(500), Match: Match{Operation: "other"}},
			[]string{"-"}},
		{"other session only", Scenario{Steps: steps(500), Session: "qa"},
			[]string{"-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet()
			tt.sc.Name = "s"
			mustPut(t, s, tt.sc)
			check(t, "answers", answers(s, upload, len(tt.want)), tt.want...)
		})
	}
}

func TestHitStep(t *testing.T) {
	s := NewSet()
	st := Step{Status: 429, Headers: map[string]string{"Retry-After": "1"}, Delay: Delay{100, 300}, Fault: FaultTrickle, Body: "slow", HasBody: true}
	mustPut(t, s, Scenario{Name: "x", Steps: []Step{st}})
	h, ok := s.Next(upload)
	if !ok || !reflect.DeepEqual(h, Hit{Scenario: "x", Step: st, Index: 0, Remaining: -1}) {
		t.Errorf("Next = %+v, %v", h, ok)
	}
}

func TestOrderAndFallThrough(t *testing.T) {
	s := NewSet()
	mustPut(t, s, Scenario{Name: "b-second", Steps: steps(503), Times: 2})
	mustPut(t, s, Scenario{Name: "c-third", Steps: steps(500)})
	mustPut(t, s, Scenario{Name: "a-first", Steps: steps(429)})
	mustPut(t, s, Scenario{Name: "a-other-op", Match: Match{Operation: "other"}, Steps: steps(418)})
	mustPut(t, s, Scenario{Name: "a-first", Steps: steps(429), Times: 1}) // replaces
	check(t, "answers", answers(s, upload, 5), "a-first:429:0:0", "b-second:503:0:1", "b-second:503:0:0", "c-third:500:0:-1", "c-third:500:0:-1")
	var names []string
	for _, sc := range s.List() {
		names = append(names, sc.Name)
	}
	check(t, "List", names, "a-first", "a-other-op", "b-second", "c-third")
	if !s.Delete("c-third") || s.Delete("c-third") {
		t.Error("Delete did not report the scenario once")
	}
	check(t, "after Delete", answers(s, upload, 1), "-")
	s.Clear()
	if len(s.List()) != 0 {
		t.Error("Clear left scenarios")
	}
	check(t, "after Clear", answers(s, upload, 1), "-")
}

func TestInactiveAndNamed(t *testing.T) {
	f, tr := false, true
	s := NewSet()
	mustPut(t, s, Scenario{Name: "slow-invites", Active: &f, Steps: steps(200), Times: 2})
	mustPut(t, s, Scenario{Name: "z-always", Active: &tr, Steps: steps(500)})
	mustPut(t, s, Scenario{Name: "b-twice", Steps: steps(503), Times: 2})
	named := upload
	named.Named = "slow-invites"
	check(t, "not named", answers(s, upload, 1), "b-twice:503:0:1")
	check(t, "named, then exhausted: falls through", answers(s, named, 4),
		"slow-invites:200:0:1", "slow-invites:200:0:0", "b-twice:503:0:0", "z-always:500:0:-1")
	// Naming an active scenario tries it first.
	mustPut(t, s, Scenario{Name: "y-late", Steps: steps(202)})
	late := upload
	late.Named = "y-late"
	check(t, "named active goes first", answers(s, late, 1), "y-late:202:0:-1")
	// Naming an unknown scenario changes nothing; a named scenario must still match.
	unknown := upload
	unknown.Named = "nope"
	check(t, "unknown name", answers(s, unknown, 1), "y-late:202:0:-1")
	mustPut(t, s, Scenario{Name: "other-op", Active: &f, Match: Match{Operation: "other"}, Steps: steps(418)})
	other := upload
	other.Named = "other-op"
	check(t, "named but not matching", answers(s, other, 1), "y-late:202:0:-1")
}

func TestSessions(t *testing.T) {
	s := NewSet()
	mustPut(t, s, Scenario{Name: "seq", Steps: steps(429, 200)})
	mustPut(t, s, Scenario{Name: "qa-only", Session: "qa", Steps: steps(418), Times: 1})
	a, b, qa := upload, upload, upload
	a.Session, b.Session, qa.Session = "a", "b", "qa"
	check(t, "session a", answers(s, a, 2), "seq:429:0:1", "seq:200:1:0")
	check(t, "session b counts its own", answers(s, b, 1), "seq:429:0:1")
	check(t, "session a exhausted", answers(s, a, 1), "-")
	check(t, "qa sees its own scenario first", answers(s, qa, 4), "qa-only:418:0:0", "seq:429:0:1", "seq:200:1:0", "-")
	check(t, "default session", answers(s, upload, 1), "seq:429:0:1")
	if got := s.Answered("seq", "a"); got != 2 {
		t.Errorf("Answered(seq, a) = %d", got)
	}
	s.Reset("a")
	if got := s.Answered("seq", "a"); got != 0 {
		t.Errorf("Answered after Reset = %d", got)
	}
	check(t, "a after Reset", answers(s, a, 1), "seq:429:0:1")
	check(t, "b untouched by Reset(a)", answers(s, b, 2), "seq:200:1:0", "-")
	s.ResetAll()
	check(t, "b after ResetAll", answers(s, b, 1), "seq:429:0:1")
	check(t, "qa after ResetAll", answers(s, qa, 1), "qa-only:418:0:0")
}

func TestPutResetsProgress(t *testing.T) {
	s := NewSet()
	mustPut(t, s, Scenario{Name: "seq", Steps: steps(429, 200)})
	mustPut(t, s, Scenario{Name: "keep", Match: Match{Operation: "getUser"}, Steps: steps(500, 501)})
	a, b, get := upload, upload, Request{Operation: "getUser", Session: "a"}
	a.Session, b.Session = "a", "b"
	answers(s, a, 1)
	answers(s, b, 2)
	answers(s, get, 1)
	mustPut(t, s, Scenario{Name: "seq", Steps: steps(429, 201)})
	check(t, "a restarts", answers(s, a, 2), "seq:429:0:1", "seq:201:1:0")
	check(t, "b restarts", answers(s, b, 1), "seq:429:0:1")
	check(t, "other scenario keeps its progress", answers(s, get, 1), "keep:501:1:0")
	// Delete then Put again starts from the beginning too.
	s.Delete("seq")
	mustPut(t, s, Scenario{Name: "seq", Steps: steps(429, 200)})
	check(t, "after Delete and Put", answers(s, a, 1), "seq:429:0:1")
}

func TestCopies(t *testing.T) {
	s := NewSet()
	sc := Scenario{
		Name:  "x",
		Match: Match{Params: map[string]string{"id": "1"}, Body: map[string]any{"/a": []any{1}}},
		Steps: []Step{{Status: 200, Headers: map[string]string{"A": "1"}, Body: map[string]any{"k": "v"}, HasBody: true}},
	}
	mustPut(t, s, sc)
	sc.Match.Params["id"] = "2"
	sc.Match.Body["/a"].([]any)[0] = 2
	sc.Steps[0].Headers["A"] = "2"
	sc.Steps[0].Body.(map[string]any)["k"] = "w"
	sc.Steps[0].Status = 500
	got, ok := s.Get("x")
	if !ok || got.Match.Params["id"] != "1" || got.Match.Body["/a"].([]any)[0] != 1 ||
		got.Steps[0].Headers["A"] != "1" || got.Steps[0].Body.(map[string]any)["k"] != "v" || got.Steps[0].Status != 200 {
		t.Errorf("Put kept the caller's maps: %+v", got)
	}
	got.Steps[0].Headers["A"] = "3"
	if again, _ := s.Get("x"); again.Steps[0].Headers["A"] != "1" {
		t.Error("Get returned the Set's maps")
	}
	if _, ok := s.Get("nope"); ok {
		t.Error("Get(nope) found something")
	}
	if err := s.Put(Scenario{Name: "x"}); err == nil {
		t.Error("Put of an invalid scenario succeeded")
	}
	if got, _ := s.Get("x"); got.Steps[0].Status != 200 {
		t.Error("an invalid Put replaced the scenario")
	}
}

func TestProgressBound(t *testing.T) {
	s := NewSet()
	s.limit = 6
	mustPut(t, s, Scenario{Name: "a", Match: Match{Operation: "x"}, Steps: steps(500, 501)})
	mustPut(t, s, Scenario{Name: "b", Match: Match{Operation: "getUser"}, Steps: steps(502, 503)})
	req := func(session string, op string) Request {
		return Request{Operation: op, Session: session}
	}
	// Sessions s0..s2 each hold two counters: 6 in all, the limit.
	for i := range 3 {
		answers(s, req("s"+strconv.Itoa(i), "x"), 1)
		answers(s, req("s"+strconv.Itoa(i), "getUser"), 1)
	}
	// Advance s0 again: it becomes the most recent, s1 the oldest.
	check(t, "s0", answers(s, req("s0", "getUser"), 1), "b:503:1:0")
	// A new session pushes out s1 (the least recently advanced), whole.
	answers(s, req("s3", "x"), 1)
	if s.counters > s.limit {
		t.Errorf("counters = %d > limit %d", s.counters, s.limit)
	}
	var kept []string
	for name := range s.sessions {
		kept = append(kept, name)
	}
	sort.Strings(kept)
	check(t, "sessions kept", kept, "s0", "s2", "s3")
	check(t, "s1 starts again", answers(s, req("s1", "x"), 1), "a:500:0:1")
	check(t, "s0 kept its progress", answers(s, req("s0", "x"), 1), "a:501:1:0")
	// One session alone may exceed the limit: it is never dropped while answered.
	s.limit = 1
	s.ResetAll()
	answers(s, req("solo", "x"), 1)
	answers(s, req("solo", "getUser"), 1)
	check(t, "solo keeps both", answers(s, req("solo", "x"), 1), "a:501:1:0")
	if s.counters != 2 || len(s.sessions) != 1 || s.lru.Len() != 1 {
		t.Errorf("counters %d, sessions %d, lru %d", s.counters, len(s.sessions), s.lru.Len())
	}
}

func TestProgressBookkeeping(t *testing.T) {
	s := NewSet()
	mustPut(t, s, Scenario{Name: "a", Match: Match{Operation: "x"}, Steps: steps(500)})
	mustPut(t, s, Scenario{Name: "b", Match: Match{Operation: "getUser"}, Steps: steps(500)})
	for i := range 50 {
		answers(s, Request{Session: strconv.Itoa(i), Operation: "x"}, 1)
		answers(s, Request{Session: strconv.Itoa(i), Operation: "getUser"}, 1)
	}
	if s.counters != 100 || len(s.sessions) != 50 || s.lru.Len() != 50 {
		t.Fatalf("counters %d, sessions %d, lru %d", s.counters, len(s.sessions), s.lru.Len())
	}
	s.Delete("b")
	if s.counters != 50 || len(s.sessions) != 50 {
		t.Fatalf("after Delete: counters %d, sessions %d", s.counters, len(s.sessions))
	}
	mustPut(t, s, Scenario{Name: "a", Match: Match{Operation: "x"}, Steps: steps(501)})
	if s.counters != 0 || len(s.sessions) != 0 || s.lru.Len() != 0 {
		t.Fatalf("after replacing: counters %d, sessions %d, lru %d", s.counters, len(s.sessions), s.lru.Len())
	}
	answers(s, Request{Session: "x", Operation: "x"}, 3)
	s.Reset("x")
	s.Reset("never")
	if s.counters != 0 || len(s.sessions) != 0 || s.lru.Len() != 0 {
		t.Fatalf("after Reset: counters %d, sessions %d, lru %d", s.counters, len(s.sessions), s.lru.Len())
	}
}

func TestConcurrentNext(t *testing.T) {
	s := NewSet()
	mustPut(t, s, Scenario{Name: "three", Match: Match{Operation: "updateUserImage"}, Steps: steps(429, 503, 200)})
	mustPut(t, s, Scenario{Name: "two", Match: Match{Operation: "getUser"}, Steps: steps(500, 501)})
	const workers = 64
	for round := range 20 {
		session := "s" + strconv.Itoa(round)
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			got  = map[int]int{} // step index → count
			miss int
		)
		start := make(chan struct{})
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := upload
				r.Session = session
				h, ok := s.Next(r)
				// Other goroutines meanwhile touch other sessions and the set itself.
				switch w % 8 {
				case 0:
					s.Next(Request{Operation: "getUser", Session: session})
				case 1:
					s.List()
				case 2:
					s.Reset("unrelated")
				case 3:
					s.Answered("three", session)
				}
				mu.Lock()
				defer mu.Unlock()
				if !ok {
					miss++
					return
				}
				if h.Scenario != "three" {
					t.Errorf("hit %+v", h)
				}
				got[h.Index]++
			}()
		}
		close(start)
		wg.Wait()
		if !reflect.DeepEqual(got, map[int]int{0: 1, 1: 1, 2: 1}) || miss != workers-3 {
			t.Fatalf("round %d: steps %v, %d misses; want each step once", round, got, miss)
		}
	}
}

func TestConcurrentPut(t *testing.T) {
	s := NewSet()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				name := "sc" + strconv.Itoa(i%5)
				switch (w + i) % 4 {
				case 0:
					_ = s.Put(Scenario{Name: name, Steps: steps(500, 501)})
				case 1:
					s.Delete(name)
				case 2:
					s.Next(Request{Session: strconv.Itoa(i % 3)})
				case 3:
					s.Get(name)
					s.ResetAll()
				}
			}
		}()
	}
	wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.sessions {
		n += len(p.counts)
	}
	if n != s.counters || len(s.sessions) != s.lru.Len() || len(s.order) != len(s.byName) {
		t.Errorf("bookkeeping: %d counters counted %d; %d sessions, lru %d; order %d, byName %d",
			n, s.counters, len(s.sessions), s.lru.Len(), len(s.order), len(s.byName))
	}
}
