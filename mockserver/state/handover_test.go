package state

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// TestHandover: the new store reads the old one's sessions over its own seeds, drops the
// resources that no longer exist, and shares every later write with the old store.
func TestHandover(t *testing.T) {
	old := New(Limits{}, nil)
	old.Seed(pet("s1"), Record{"name": "seed"})
	old.Seed(pet("s2"), Record{"name": "seed 2"})
	put(t, old, "", pet("s1"), Record{"name": "changed"})
	put(t, old, "qa", pet("c1"), Record{"name": "created"})
	put(t, old, "qa", pet("s2"), Record{"name": "replaced in place"})
	put(t, old, "qa", Ref{Resource: "gone", ID: "x"}, blob(1000))
	old.Delete("qa", pet("s1"))

	s := New(Limits{}, nil)
	s.Seed(pet("s1"), Record{"name": "seed"}) // s2 is no longer seeded; s3 is new
	s.Seed(pet("s3"), Record{"name": "seed 3"})
	s.Handover(old, func(r string) bool { return r == "pets" })

	if r, _ := s.Get("", pet("s1")); r["name"] != "changed" {
		t.Errorf("default session: %v", r)
	}
	// qa hid s1; its replacement of s2 (a seed no more) is listed with its creations; s3 is
	// a new seed it never touched.
	if got := ids(s.List("qa", "pets", "")); !slices.Equal(got, []string{"s3", "c1", "s2"}) {
		t.Errorf("qa lists %v", got)
	}
	if got := s.Resources("qa"); len(got) != 1 || got[0] != (ResourceInfo{"pets", "", 3}) {
		t.Errorf("qa resources = %+v", got)
	}
	if _, ok := s.Get("qa", Ref{Resource: "gone", ID: "x"}); ok {
		t.Error("a resource that no longer exists was kept")
	}
	checkAccounts(t, s)

	// One table: writes through either store are seen by both.
	put(t, old, "qa", pet("late"), Record{"name": "acknowledged by the old version"})
	put(t, s, "qa", pet("c2"), Record{})
	for name, st := range map[string]*Store{"old": old, "new": s} {
		got := ids(st.List("qa", "pets", ""))
		if !slices.Contains(got, "late") || !slices.Contains(got, "c2") {
			t.Errorf("%s store lists %v", name, got)
		}
	}
	s.Reset("qa")
	if _, ok := old.Get("qa", pet("late")); ok {
		t.Error("a reset through the new store did not reach the old one")
	}
	checkAccounts(t, old)
}

// TestHandoverConcurrent: writers keep writing through whichever store is current while a
// chain of handovers replaces it; every acknowledged write is seen by the last store.
func TestHandoverConcurrent(t *testing.T) {
	const writers, rounds, reloads = 8, 300, 20
	seeds := func() *Store {
		s := New(Limits{}, nil)
		s.Seed(pet("shared"), Record{})
		return s
	}
	var cur atomic.Pointer[Store]
	cur.Store(seeds())
	var wg sync.WaitGroup
	acked := make([][]string, writers)
	for w := range writers {
		wg.Go(func() {
			session := "s" + strconv.Itoa(w%3)
			for i := range rounds {
				st := cur.Load() // a request started on this version
				id := fmt.Sprintf("w%d-%d", w, i)
				if _, err := st.Update(session, pet(id), func(Record, bool, View) (Record, error) { return Record{"w": float64(w)}, nil }); err != nil {
					t.Error(err)
					return
				}
				// Field patches of one record by every writer: none may be lost.
				if _, err := st.Update(session, pet("shared"), func(cur Record, _ bool, _ View) (Record, error) {
					cur["w"+strconv.Itoa(w)] = float64(i)
					return cur, nil
				}); err != nil {
					t.Error(err)
					return
				}
				acked[w] = append(acked[w], id)
			}
		})
	}
	for range reloads {
		n := seeds()
		n.Handover(cur.Load(), func(string) bool { return true })
		cur.Store(n)
	}
	wg.Wait()
	last := cur.Load()
	for w, got := range acked {
		session := "s" + strconv.Itoa(w%3)
		for _, id := range got {
			if _, ok := last.Get(session, pet(id)); !ok {
				t.Fatalf("%s of session %s, acknowledged, is lost", id, session)
			}
		}
		if r, _ := last.Get(session, pet("shared")); r["w"+strconv.Itoa(w)] != float64(rounds-1) {
			t.Fatalf("session %s: writer %d's last patch is lost: %v", session, w, r)
		}
	}
	checkAccounts(t, last)
}

// TestHandoverKeepsBudgets: the sessions keep counting against the same budget after a
// handover; dropping a resource gives its bytes back.
func TestHandoverKeepsBudgets(t *testing.T) {
	old := New(Limits{MaxBytes: 5 * mib}, nil)
	put(t, old, "a", pet("1"), blob(mib))
	put(t, old, "a", Ref{Resource: "gone", ID: "1"}, blob(mib))
	s := New(Limits{}, nil)
	s.Handover(old, func(r string) bool { return r == "pets" })
	if s.Limits().MaxBytes != 5*mib {
		t.Fatalf("limits = %+v, want the old store's", s.Limits())
	}
	put(t, s, "a", pet("2"), blob(mib)) // fits only because "gone" was given back
	_, err := s.Update("a", pet("3"), func(Record, bool, View) (Record, error) { return blob(mib), nil })
	var fe *FullError
	if !errors.As(err, &fe) || fe.Bound != SessionBytes {
		t.Fatalf("err = %v, want SessionBytes", err)
	}
	checkAccounts(t, s)
}
