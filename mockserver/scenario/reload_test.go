package scenario

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
)

// names lists the scenarios of s.
func names(s *Set) []string {
	var out []string
	for _, sc := range s.List() {
		out = append(out, sc.Name)
	}
	return out
}

// fromAPI decodes a scenario as the control API does.
func fromAPI(t *testing.T, text string) Scenario {
	t.Helper()
	var sc Scenario
	if err := json.Unmarshal([]byte(text), &sc); err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestReload(t *testing.T) {
	off := false
	// The files as first loaded: kept (with progress), edited, switched on at run time,
	// removed.
	s := NewSet()
	mustPut(t, s, Scenario{Name: "kept", Match: Match{Operation: "updateUserImage"}, Steps: steps(429, 429, 200)})
	mustPut(t, s, Scenario{Name: "edited", Match: Match{Operation: "updateUserImage"}, Steps: steps(500), Active: &off})
	mustPut(t, s, Scenario{Name: "switched", Match: Match{Operation: "other"}, Steps: steps(503), Active: &off})
	mustPut(t, s, Scenario{Name: "removed", Match: Match{Operation: "other"}, Steps: steps(418)})
	s.MarkFiles()
	// At run time: a scenario put through the control API, one naming an operation that will
	// be gone, and a file scenario switched on.
	mustPut(t, s, fromAPI(t, `{"name": "api", "match": {"operation": "other"}, "steps": [{"status": 502}, {"status": 504}]}`))
	mustPut(t, s, fromAPI(t, `{"name": "api-gone", "match": {"operation": "vanished"}, "steps": [{"status": 502}]}`))
	sw, _ := s.Get("switched")
	on := true
	sw.Active = &on
	mustPut(t, s, sw)
	// Progress in two sessions.
	check(t, "kept before", answers(s, upload, 1), "kept:429:0:2")
	check(t, "kept in qa before", answers(s, Request{Operation: "updateUserImage", Session: "qa"}, 2), "kept:429:0:2", "kept:429:1:1")
	check(t, "api before", answers(s, Request{Operation: "other", Named: "api"}, 1), "api:502:0:1")

	// The files as they are now: kept unchanged, edited (now active, two steps), switched as
	// it was, removed gone, new added.
	files := NewSet()
	mustPut(t, files, Scenario{Name: "kept", Match: Match{Operation: "updateUserImage"}, Steps: steps(429, 429, 200)})
	mustPut(t, files, Scenario{Name: "edited", Match: Match{Operation: "updateUserImage"}, Steps: steps(500, 501)})
	mustPut(t, files, Scenario{Name: "switched", Match: Match{Operation: "other"}, Steps: steps(503), Active: &off})
	mustPut(t, files, Scenario{Name: "new", Match: Match{Operation: "third"}, Steps: steps(409)})
	var asked []string
	s.Reload(files, func(sc Scenario) bool {
		asked = append(asked, sc.Name)
		return sc.Match.Operation != "vanished"
	})

	slices.Sort(asked)
	check(t, "keep asked about", asked, "api", "api-gone")
	check(t, "scenarios", names(s), "api", "edited", "kept", "new", "switched")
	kept := upload
	kept.Named = "kept"
	check(t, "kept keeps its progress", answers(s, kept, 3), "kept:429:1:1", "kept:200:2:0", "edited:500:0:1")
	kept.Session = "qa"
	check(t, "and in qa", answers(s, kept, 1), "kept:200:2:0")
	if sc, _ := s.Get("switched"); sc.Active == nil || !*sc.Active {
		t.Errorf("switched on at run time, the file scenario is %v after the reload", sc.Active)
	}
	// "api" keeps its progress; "switched" answers the rest, as it is still on.
	check(t, "api after", answers(s, Request{Operation: "other", Named: "api"}, 2), "api:504:1:0", "switched:503:0:-1")
	check(t, "new", answers(s, Request{Operation: "third"}, 1), "new:409:0:-1")

	// A second reload: the files now switch "switched" on themselves and drop "edited"; the
	// files' scenarios of the first reload count as files' scenarios.
	files2 := NewSet()
	mustPut(t, files2, Scenario{Name: "kept", Match: Match{Operation: "updateUserImage"}, Steps: steps(429, 429, 200)})
	mustPut(t, files2, Scenario{Name: "switched", Match: Match{Operation: "other"}, Steps: steps(503), Active: &on})
	s.Reload(files2, func(Scenario) bool { return true })
	check(t, "scenarios after the second reload", names(s), "api", "kept", "switched")
	if sc, _ := s.Get("switched"); sc.Active == nil || !*sc.Active {
		t.Errorf("switched: %v", sc.Active)
	}
	// Switching it off at run time now is kept over the files' "on".
	sw, _ = s.Get("switched")
	sw.Active = &off
	mustPut(t, s, sw)
	s.Reload(files2, func(Scenario) bool { return true })
	if sc, _ := s.Get("switched"); sc.Active == nil || *sc.Active {
		t.Errorf("switched off at run time, the file scenario is %v after the reload", sc.Active)
	}
	// files is left as it was.
	check(t, "files", names(files2), "kept", "switched")
}

// TestReloadConcurrent: steps answered while a reload runs are counted once, in the one
// Set both versions share.
func TestReloadConcurrent(t *testing.T) {
	s := NewSet()
	mustPut(t, s, Scenario{Name: "count", Steps: steps(200), Times: 1000})
	var wg sync.WaitGroup
	answered := make([]int, 4)
	for w := range answered {
		wg.Go(func() {
			for range 200 {
				if _, ok := s.Next(Request{Operation: "x"}); ok {
					answered[w]++
				}
			}
		})
	}
	for range 20 {
		files := NewSet()
		s.Reload(files, func(Scenario) bool { return true })
	}
	wg.Wait()
	total := 0
	for _, n := range answered {
		total += n
	}
	if got := s.Answered("count", ""); got != total {
		t.Fatalf("Answered = %d, want the %d steps answered", got, total)
	}
}
