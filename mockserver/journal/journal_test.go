package journal

import (
	"fmt"
	"sync"
	"testing"
)

func TestRing(t *testing.T) {
	j := New(3)
	for i := 1; i <= 5; i++ {
		j.Add(Entry{Operation: fmt.Sprint("op", i%2), Status: 200 + i})
	}
	all := j.Query(Filter{})
	if len(all) != 3 || all[0].ID != 3 || all[2].ID != 5 || all[0].Status != 203 {
		t.Fatalf("ring kept %+v", all)
	}
	if got := j.Query(Filter{Operation: "op1"}); len(got) != 2 || got[0].ID != 3 || got[1].ID != 5 {
		t.Errorf("by operation: %+v", got)
	}
	if got := j.Query(Filter{Limit: 1}); len(got) != 1 || got[0].ID != 5 {
		t.Errorf("limit: %+v", got)
	}
	yes, s := true, ""
	j.Add(Entry{Session: "qa", Violations: []Violation{{Code: "type"}}})
	if got := j.Query(Filter{Violations: &yes}); len(got) != 1 || got[0].Session != "qa" {
		t.Errorf("violations: %+v", got)
	}
	if got := j.Query(Filter{Session: &s}); len(got) != 2 {
		t.Errorf("default session: %+v", got)
	}
	j.Clear()
	if j.Len() != 0 || len(j.Query(Filter{})) != 0 {
		t.Error("clear kept entries")
	}
	if e := j.Add(Entry{}); e.ID != 7 {
		t.Errorf("ids restarted after clear: %d", e.ID)
	}
}

func TestConcurrent(t *testing.T) {
	j := New(100)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				j.Add(Entry{Status: 200})
				_ = j.Query(Filter{Limit: 5})
			}
		}()
	}
	wg.Wait()
	all := j.Query(Filter{})
	if len(all) != 100 || all[99].ID != 4000 {
		t.Fatalf("kept %d, last id %d", len(all), all[len(all)-1].ID)
	}
}
