package state

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock for eviction tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func pet(id string) Ref { return Ref{Resource: "pets", ID: id} }

func ids(es []Entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func sessionNames(s *Store) []string {
	var out []string
	for _, si := range s.Sessions() {
		out = append(out, si.Name)
	}
	return out
}

// put writes rec unconditionally.
func put(t testing.TB, s *Store, session string, ref Ref, rec Record) {
	t.Helper()
	if _, err := s.Update(session, ref, func(Record, bool, View) (Record, error) { return rec, nil }); err != nil {
		t.Fatalf("put %s %v: %v", session, ref, err)
	}
}

func seeded() *Store {
	s := New(Limits{}, nil)
	s.Seed(pet("1"), Record{"name": "rex"})
	s.Seed(pet("2"), Record{"name": "tom"})
	s.Seed(Ref{"toys", "1", "a"}, Record{"kind": "ball"})
	return s
}

func TestSeedsVisibleToEverySession(t *testing.T) {
	s := seeded()
	put(t, s, "other", pet("3"), Record{"name": "x"})
	for _, session := range []string{"", "a", "b", "other", "never-seen"} {
		t.Run(session, func(t *testing.T) {
			rec, ok := s.Get(session, pet("1"))
			if !ok || rec["name"] != "rex" {
				t.Fatalf("Get pets/1 = %v, %v", rec, ok)
			}
			if rec, ok := s.Get(session, Ref{"toys", "1", "a"}); !ok || rec["kind"] != "ball" {
				t.Fatalf("Get toys/1/a = %v, %v", rec, ok)
			}
			if _, ok := s.Get(session, Ref{"toys", "2", "a"}); ok {
				t.Fatal("scope 2 sees scope 1's toy")
			}
			got := ids(s.List(session, "pets", ""))
			want := []string{"1", "2"}
			if session == "other" {
				want = append(want, "3")
			}
			if !slices.Equal(got, want) {
				t.Fatalf("List = %v, want %v", got, want)
			}
		})
	}
}

func TestWritesIsolatedBetweenSessions(t *testing.T) {
	s := seeded()
	put(t, s, "a", pet("1"), Record{"name": "a-rex"})
	put(t, s, "a", pet("9"), Record{"name": "a-new"})
	put(t, s, "b", pet("9"), Record{"name": "b-new"})

	tests := []struct {
		session, id string
		want        string // "" = absent
	}{
		{"a", "1", "a-rex"},
		{"a", "9", "a-new"},
		{"b", "1", "rex"},
		{"b", "9", "b-new"},
		{"", "1", "rex"},
		{"", "9", ""},
		{"c", "9", ""},
	}
	for _, tc := range tests {
		rec, ok := s.Get(tc.session, pet(tc.id))
		if tc.want == "" {
			if ok {
				t.Errorf("%q sees pets/%s = %v", tc.session, tc.id, rec)
			}
			continue
		}
		if !ok || rec["name"] != tc.want {
			t.Errorf("%q pets/%s = %v, %v; want name %q", tc.session, tc.id, rec, ok, tc.want)
		}
	}
}

func TestDeleteSeedInOneSessionOnly(t *testing.T) {
	s := seeded()
	if !s.Delete("a", pet("1")) {
		t.Fatal("Delete of a seed reported absent")
	}
	if s.Delete("a", pet("1")) {
		t.Fatal("second Delete reported present")
	}
	if _, ok := s.Get("a", pet("1")); ok {
		t.Fatal("deleted seed still visible in a")
	}
	if got := ids(s.List("a", "pets", "")); !slices.Equal(got, []string{"2"}) {
		t.Fatalf("a List = %v", got)
	}
	for _, session := range []string{"", "b"} {
		if _, ok := s.Get(session, pet("1")); !ok {
			t.Fatalf("%q lost the seed", session)
		}
	}
	// Deleting something that never existed doesn't create the session.
	if s.Delete("ghost", pet("nope")) {
		t.Fatal("Delete of absent record reported present")
	}
	if slices.Contains(sessionNames(s), "ghost") {
		t.Fatal("Delete of absent record created the session")
	}
	// Delete via Update (fn returns nil).
	rec, err := s.Update("b", pet("2"), func(Record, bool, View) (Record, error) { return nil, nil })
	if err != nil || rec != nil {
		t.Fatalf("Update delete = %v, %v", rec, err)
	}
	if _, ok := s.Get("b", pet("2")); ok {
		t.Fatal("Update-deleted seed still visible")
	}
}

func TestResetAndResetAll(t *testing.T) {
	s := seeded()
	write := func() {
		for _, session := range []string{"", "a", "b"} {
			put(t, s, session, pet("1"), Record{"name": session + "!"})
			put(t, s, session, pet("7"), Record{"name": "new"})
			s.Delete(session, pet("2"))
		}
	}
	pristine := func(session string) bool {
		r, _ := s.Get(session, pet("1"))
		return r["name"] == "rex" && slices.Equal(ids(s.List(session, "pets", "")), []string{"1", "2"})
	}
	write()
	s.Reset("a")
	if !pristine("a") {
		t.Fatal("Reset(a) left writes")
	}
	if pristine("b") || pristine("") {
		t.Fatal("Reset(a) touched other sessions")
	}
	s.Reset("") // the default session can be reset too
	if !pristine("") || pristine("b") {
		t.Fatal("Reset(\"\") wrong")
	}
	s.Reset("unknown") // no-op
	write()
	s.ResetAll()
	for _, session := range []string{"", "a", "b"} {
		if !pristine(session) {
			t.Fatalf("ResetAll left writes in %q", session)
		}
	}
	for _, si := range s.Sessions() {
		if si.Records != 0 {
			t.Fatalf("after ResetAll %+v", si)
		}
	}
	// Sessions keep working after a reset.
	write()
	if pristine("a") {
		t.Fatal("writes after ResetAll lost")
	}
}

func TestListOrder(t *testing.T) {
	type op struct {
		del bool
		id  string
	}
	w := func(id string) op { return op{id: id} }
	d := func(id string) op { return op{del: true, id: id} }
	tests := []struct {
		name string
		ops  []op
		want []string
	}{
		{"seeds only", nil, []string{"s1", "s2", "s3"}},
		{"creations after seeds in creation order", []op{w("z"), w("a"), w("m")}, []string{"s1", "s2", "s3", "z", "a", "m"}},
		{"overriding a seed keeps its place", []op{w("x"), w("s2")}, []string{"s1", "s2", "s3", "x"}},
		{"updating a creation keeps its place", []op{w("x"), w("y"), w("x")}, []string{"s1", "s2", "s3", "x", "y"}},
		{"deleted creation re-created goes last", []op{w("x"), w("y"), d("x"), w("x")}, []string{"s1", "s2", "s3", "y", "x"}},
		{"deleted seed re-created goes last", []op{w("x"), d("s1"), w("s1")}, []string{"s2", "s3", "x", "s1"}},
		{"re-created seed deleted again", []op{d("s1"), w("s1"), d("s1")}, []string{"s2", "s3"}},
		{"re-created seed re-created again", []op{d("s1"), w("s1"), w("x"), d("s1"), w("s1")}, []string{"s2", "s3", "x", "s1"}},
		{"delete everything", []op{w("x"), d("s1"), d("s2"), d("s3"), d("x")}, []string{}},
	}
	// Many deletes force order compaction.
	var churn []op
	for i := range 100 {
		churn = append(churn, w(strconv.Itoa(i)))
	}
	for i := range 99 {
		churn = append(churn, d(strconv.Itoa(i)))
	}
	churn = append(churn, w("5"), w("99"))
	tests = append(tests, struct {
		name string
		ops  []op
		want []string
	}{"compaction", churn, []string{"s1", "s2", "s3", "99", "5"}})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Limits{}, nil)
			for _, id := range []string{"s1", "s2", "s3"} {
				s.Seed(Ref{"things", "p", id}, Record{"id": id})
			}
			for _, o := range tc.ops {
				ref := Ref{"things", "p", o.id}
				if o.del {
					if !s.Delete("x", ref) {
						t.Fatalf("Delete %s reported absent", o.id)
					}
				} else {
					put(t, s, "x", ref, Record{"id": o.id})
				}
			}
			got := s.List("x", "things", "p")
			if g := ids(got); !slices.Equal(g, tc.want) {
				t.Fatalf("List = %v, want %v", g, tc.want)
			}
			for _, e := range got {
				if e.Record["id"] != e.ID {
					t.Fatalf("entry %s has record %v", e.ID, e.Record)
				}
			}
			if rs := s.Resources("x"); len(tc.want) > 0 && (len(rs) != 1 || rs[0].Count != len(tc.want)) {
				t.Fatalf("Resources = %+v, want count %d", rs, len(tc.want))
			} else if len(tc.want) == 0 && len(rs) != 0 {
				t.Fatalf("Resources = %+v, want none", rs)
			}
			// Every session other than x still sees just the seeds.
			if g := ids(s.List("", "things", "p")); !slices.Equal(g, []string{"s1", "s2", "s3"}) {
				t.Fatalf("default List = %v", g)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	s := seeded()
	// fn sees the current record and the session.
	rec, err := s.Update("a", pet("1"), func(cur Record, exists bool, v View) (Record, error) {
		if !exists || cur["name"] != "rex" {
			t.Errorf("cur = %v, %v", cur, exists)
		}
		if got := ids(v.List("pets", "")); !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("View.List = %v", got)
		}
		if r, ok := v.Get(pet("2")); !ok || r["name"] != "tom" {
			t.Errorf("View.Get = %v, %v", r, ok)
		}
		cur["age"] = int64(3)
		return cur, nil
	})
	if err != nil || rec["age"] != int64(3) || rec["name"] != "rex" {
		t.Fatalf("Update = %v, %v", rec, err)
	}
	// Absent record.
	_, err = s.Update("a", pet("new"), func(cur Record, exists bool, _ View) (Record, error) {
		if exists || cur != nil {
			t.Errorf("absent cur = %v, %v", cur, exists)
		}
		return Record{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := s.Get("a", pet("new")); !ok || r == nil || len(r) != 0 {
		t.Fatalf("empty record stored as %v, %v", r, ok)
	}
	// Uniqueness check against other records under the same lock.
	taken := errors.New("name taken")
	_, err = s.Update("a", pet("3"), func(_ Record, _ bool, v View) (Record, error) {
		for _, e := range v.List("pets", "") {
			if e.Record["name"] == "tom" {
				return nil, taken
			}
		}
		return Record{"name": "tom"}, nil
	})
	if err != taken {
		t.Fatalf("err = %v, want the fn's error as is", err)
	}
}

func TestAbortLeavesNoChange(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		run  func(s *Store) error
	}{
		{"Update existing", func(s *Store) error {
			_, err := s.Update("a", pet("1"), func(cur Record, _ bool, _ View) (Record, error) {
				cur["name"] = "changed" // mutating the copy must not leak
				return cur, boom
			})
			return err
		}},
		{"Update absent", func(s *Store) error {
			_, err := s.Update("a", pet("9"), func(Record, bool, View) (Record, error) { return Record{"name": "n"}, boom })
			return err
		}},
		{"UpdateAll fails on last", func(s *Store) error {
			_, err := s.UpdateAll("a", "pets", "", nil, func(cur Record, _ View) (Record, error) {
				if cur["name"] == "c3" {
					return nil, boom
				}
				cur["name"] = "changed"
				return cur, nil
			})
			return err
		}},
		{"UpdateAll delete then fail", func(s *Store) error {
			_, err := s.UpdateAll("a", "pets", "", nil, func(cur Record, _ View) (Record, error) {
				if cur["name"] == "c3" {
					return nil, boom
				}
				return nil, nil
			})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded()
			put(t, s, "a", pet("c3"), Record{"name": "c3"})
			before := s.List("a", "pets", "")
			beforeN := s.Sessions()
			if err := tc.run(s); err != boom {
				t.Fatalf("err = %v, want boom", err)
			}
			if after := s.List("a", "pets", ""); !reflect.DeepEqual(after, before) {
				t.Fatalf("after abort %v, want %v", after, before)
			}
			if after := s.Sessions(); after[1].Records != beforeN[1].Records {
				t.Fatalf("record count changed: %+v → %+v", beforeN, after)
			}
		})
	}
}

func TestUpdateAll(t *testing.T) {
	s := seeded()
	for _, id := range []string{"3", "4", "5"} {
		put(t, s, "a", pet(id), Record{"name": "n" + id, "odd": id != "4"})
	}
	got, err := s.UpdateAll("a", "pets", "",
		func(r Record) bool { return r["odd"] == true },
		func(cur Record, v View) (Record, error) {
			if cur["name"] == "n5" {
				return nil, nil // delete
			}
			cur["seen"] = true
			return cur, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if g := ids(got); !slices.Equal(g, []string{"3"}) {
		t.Fatalf("UpdateAll returned %v", g)
	}
	list := s.List("a", "pets", "")
	if g := ids(list); !slices.Equal(g, []string{"1", "2", "3", "4"}) {
		t.Fatalf("List = %v", g)
	}
	for _, e := range list {
		if want := e.ID == "3"; e.Record["seen"] == true != want {
			t.Fatalf("%s seen = %v", e.ID, e.Record["seen"])
		}
	}
	// Match everything (nil), in List order.
	var order []string
	got, err = s.UpdateAll("b", "pets", "", nil, func(cur Record, _ View) (Record, error) {
		order = append(order, cur["name"].(string))
		cur["n"] = float64(len(order))
		return cur, nil
	})
	if err != nil || !slices.Equal(order, []string{"rex", "tom"}) || !slices.Equal(ids(got), []string{"1", "2"}) {
		t.Fatalf("UpdateAll b: %v %v %v", got, order, err)
	}
	if r, _ := s.Get("", pet("1")); r["n"] != nil {
		t.Fatal("UpdateAll in b changed the default session")
	}
}

func TestErrFull(t *testing.T) {
	s := New(Limits{MaxRecords: 3}, nil)
	s.Seed(pet("s1"), Record{})
	s.Seed(pet("s2"), Record{})
	s.Seed(pet("s3"), Record{})
	set := func(id string) error {
		_, err := s.Update("a", pet(id), func(Record, bool, View) (Record, error) { return Record{"v": id}, nil })
		return err
	}
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"create 1", func() error { return set("c1") }, nil},
		{"override seed (2)", func() error { return set("s1") }, nil},
		{"create 3", func() error { return set("c2") }, nil},
		{"create past limit", func() error { return set("c3") }, ErrFull},
		{"override seed past limit", func() error { return set("s2") }, ErrFull},
		{"rewrite existing entry", func() error { return set("c1") }, nil},
		{"rewrite overridden seed", func() error { return set("s1") }, nil},
		{"delete seed past limit (tombstone)", func() error {
			if !s.Delete("a", pet("s3")) {
				return errors.New("absent")
			}
			return nil
		}, nil},
		{"re-create tombstoned seed reuses its entry", func() error { return set("s3") }, nil},
		{"UpdateAll needing new entries", func() error {
			_, err := s.UpdateAll("a", "pets", "", nil, func(c Record, _ View) (Record, error) { c["x"] = 1.0; return c, nil })
			return err
		}, ErrFull},
		{"other sessions unaffected", func() error {
			_, err := s.Update("b", pet("c9"), func(Record, bool, View) (Record, error) { return Record{}, nil })
			return err
		}, nil},
		{"tombstones count: one delete is not enough", func() error {
			s.Delete("a", pet("c2"))
			return set("c4")
		}, ErrFull},
		{"deleting creations does not free room: the tombstone keeps the slot", func() error {
			s.Delete("a", pet("c1"))
			return set("c4")
		}, ErrFull},
		{"a deleted creation can be written again in its own slot", func() error {
			return set("c1")
		}, nil},
		{"UpdateAll that deletes the creation and rewrites the rest in their slots", func() error {
			_, err := s.UpdateAll("a", "pets", "", nil, func(c Record, _ View) (Record, error) {
				if c["v"] == "c1" {
					return nil, nil
				}
				c["x"] = 1.0
				return c, nil
			})
			return err
		}, ErrFull}, // s2 has no slot of its own in a, and a is full
	}
	for _, st := range steps {
		if err := st.do(); !errors.Is(err, st.want) || (err == nil) != (st.want == nil) {
			t.Fatalf("%s: err = %v, want %v", st.name, err, st.want)
		}
	}
	if got := ids(s.List("a", "pets", "")); !slices.Equal(got, []string{"s1", "s2", "s3", "c1"}) {
		t.Fatalf("List = %v", got)
	}
	// The failed UpdateAll changed nothing.
	for _, e := range s.List("a", "pets", "") {
		if e.Record["x"] != nil {
			t.Fatalf("%s = %v", e.ID, e.Record)
		}
	}
	// Reset frees everything.
	s.Reset("a")
	if err := set("c4"); err != nil {
		t.Fatalf("after reset: %v", err)
	}
}

// TestTotalBudget: past MaxTotalRecords, a write evicts the least recently used other
// sessions; when only the writer and the default session hold records, it fails.
func TestTotalBudget(t *testing.T) {
	c := newClock()
	s := New(Limits{MaxRecords: 4, MaxTotalRecords: 10}, c.now)
	fill := func(session string, n int) error {
		for i := range n {
			if _, err := s.Update(session, pet(fmt.Sprint(session, i)), func(Record, bool, View) (Record, error) { return Record{}, nil }); err != nil {
				return err
			}
			c.advance(time.Second)
		}
		return nil
	}
	for _, name := range []string{"", "a", "b"} { // 12 records wanted, 10 allowed
		if err := fill(name, 4); err != nil {
			t.Fatalf("fill %q: %v", name, err)
		}
	}
	// b's last two writes evicted a, the least recently used: b and the default remain.
	if got := sessionNames(s); !slices.Equal(got, []string{"", "b"}) {
		t.Fatalf("sessions = %q, want the default and b", got)
	}
	if got := s.t.total.Load(); got != 8 {
		t.Fatalf("total = %d, want 8", got)
	}
	if got := ids(s.List("a", "pets", "")); len(got) != 0 {
		t.Fatalf("evicted session a still lists %v", got)
	}
	// c fits two, then evicts b; nothing is left to evict for the writer once the default
	// session and c hold the budget.
	if err := fill("c", 4); err != nil {
		t.Fatalf("fill c: %v", err)
	}
	if got := sessionNames(s); !slices.Equal(got, []string{"", "c"}) {
		t.Fatalf("sessions = %q, want the default and c", got)
	}
	s.Reset("c")
	if got := s.t.total.Load(); got != 4 {
		t.Fatalf("after reset, total = %d, want 4 (the default session's)", got)
	}
	// The default session is never evicted: a writer that cannot make room is refused.
	s2 := New(Limits{MaxRecords: 8, MaxTotalRecords: 10}, c.now)
	for i := range 8 {
		put(t, s2, "", pet(fmt.Sprint(i)), Record{})
	}
	if err := fill2(s2, "x", 2); err != nil {
		t.Fatalf("x within budget: %v", err)
	}
	if err := fill2(s2, "x", 3); !errors.Is(err, ErrFull) {
		t.Fatalf("x past the budget with nobody to evict: err = %v, want ErrFull", err)
	}
}

func fill2(s *Store, session string, n int) error {
	for i := range n {
		if _, err := s.Update(session, pet(fmt.Sprint(session, i)), func(Record, bool, View) (Record, error) { return Record{}, nil }); err != nil {
			return err
		}
	}
	return nil
}

// TestPeekMemo: Peek shares the stored record; its memo lives as long as that version.
func TestPeekMemo(t *testing.T) {
	s := New(Limits{}, nil)
	s.Seed(pet("1"), Record{"name": "Rex"})
	rec, memo, ok := s.Peek("", pet("1"))
	if !ok || rec["name"] != "Rex" || memo == nil {
		t.Fatalf("Peek seed = %v %v %v", rec, memo, ok)
	}
	memo.Store("json", "Rex")
	if _, m2, _ := s.Peek("", pet("1")); m2 != memo {
		t.Fatal("an unchanged record has a new memo")
	}
	if v, ok := memo.Load("json"); !ok || v != "Rex" {
		t.Fatalf("memo = %v %v", v, ok)
	}
	if _, ok := memo.Load("xml"); ok {
		t.Fatal("memo answers for another key")
	}
	// Another session writes: its own version, its own memo; the seed's stays.
	put(t, s, "a", pet("1"), Record{"name": "Max"})
	rec, ma, _ := s.Peek("a", pet("1"))
	if rec["name"] != "Max" || ma == memo {
		t.Fatalf("after a write: %v, memo shared with the seed: %v", rec, ma == memo)
	}
	if _, ok := ma.Load("json"); ok {
		t.Fatal("a written record inherited the memo of the version before")
	}
	put(t, s, "a", pet("1"), Record{"name": "Max"})
	if _, mb, _ := s.Peek("a", pet("1")); mb == ma {
		t.Fatal("every write must give the record a new memo")
	}
	s.Delete("a", pet("1"))
	if _, m, ok := s.Peek("a", pet("1")); ok || m != nil {
		t.Fatal("Peek finds a deleted record")
	}
	var nilMemo *Memo
	nilMemo.Store("k", 1)
	if _, ok := nilMemo.Load("k"); ok {
		t.Fatal("a nil memo remembered")
	}
}

func TestLRUEviction(t *testing.T) {
	c := newClock()
	s := New(Limits{MaxSessions: 2}, c.now)
	s.Seed(pet("1"), Record{"name": "rex"})
	put(t, s, "a", pet("1"), Record{"name": "a"})
	c.advance(time.Second)
	put(t, s, "b", pet("1"), Record{"name": "b"})
	c.advance(time.Second)
	s.Get("a", pet("1")) // a is now more recently used than b
	c.advance(time.Second)
	put(t, s, "c", pet("1"), Record{"name": "c"}) // evicts b
	put(t, s, "", pet("1"), Record{"name": "default"})

	if got, want := sessionNames(s), []string{"", "a", "c"}; !slices.Equal(got, want) {
		t.Fatalf("Sessions = %v, want %v", got, want)
	}
	for session, want := range map[string]string{"a": "a", "b": "rex", "c": "c", "": "default"} {
		if r, _ := s.Get(session, pet("1")); r["name"] != want {
			t.Errorf("%q sees %v, want %s", session, r["name"], want)
		}
	}
	// b's next write starts fresh (and evicts whichever of a and c was used least recently).
	put(t, s, "b", pet("2"), Record{})
	if r, _ := s.Get("b", pet("1")); r["name"] != "rex" {
		t.Fatalf("recreated b sees %v", r)
	}
	if got := sessionNames(s); len(got) != 3 || !slices.Contains(got, "b") {
		t.Fatalf("Sessions = %v", got)
	}
	si := s.Sessions()
	for _, x := range si {
		if x.LastUsed.IsZero() {
			t.Fatalf("%+v has no LastUsed", x)
		}
	}
}

func TestIdleEviction(t *testing.T) {
	c := newClock()
	s := New(Limits{IdleTTL: time.Minute}, c.now)
	s.Seed(pet("1"), Record{"name": "rex"})
	put(t, s, "a", pet("1"), Record{"name": "a"})
	put(t, s, "b", pet("1"), Record{"name": "b"})
	put(t, s, "", pet("1"), Record{"name": "default"})

	c.advance(59 * time.Second)
	if r, _ := s.Get("a", pet("1")); r["name"] != "a" { // keeps a alive
		t.Fatalf("a = %v", r)
	}
	c.advance(2 * time.Second) // b idle 61s, a 2s
	if got, want := sessionNames(s), []string{"", "a"}; !slices.Equal(got, want) {
		t.Fatalf("Sessions = %v, want %v", got, want)
	}
	if r, _ := s.Get("b", pet("1")); r["name"] != "rex" {
		t.Fatalf("evicted b sees %v", r)
	}
	c.advance(time.Hour) // a idle too; the default session never expires
	if r, _ := s.Get("a", pet("1")); r["name"] != "rex" {
		t.Fatalf("evicted a sees %v", r)
	}
	if r, _ := s.Get("", pet("1")); r["name"] != "default" {
		t.Fatalf("default session lost its writes: %v", r)
	}
	if got := sessionNames(s); !slices.Equal(got, []string{""}) {
		t.Fatalf("Sessions = %v", got)
	}
	// Resources doesn't touch: an idle session stays evictable.
	put(t, s, "d", pet("1"), Record{"name": "d"})
	c.advance(30 * time.Second)
	s.Resources("d")
	s.Sessions()
	c.advance(31 * time.Second)
	if rs := s.Resources("d"); len(rs) != 1 || rs[0].Count != 1 {
		t.Fatalf("Resources = %+v", rs)
	}
	if got := sessionNames(s); !slices.Equal(got, []string{""}) {
		t.Fatalf("Sessions = %v", got)
	}
}

func TestReadsDoNotCreateSessions(t *testing.T) {
	s := seeded()
	s.Get("r1", pet("1"))
	s.List("r2", "pets", "")
	s.Delete("r3", pet("absent"))
	s.Reset("r4")
	s.Resources("r5")
	if got := sessionNames(s); !slices.Equal(got, []string{""}) {
		t.Fatalf("Sessions = %v", got)
	}
	s.Delete("w1", pet("1")) // hiding a seed is a write
	if got := sessionNames(s); !slices.Equal(got, []string{"", "w1"}) {
		t.Fatalf("Sessions = %v", got)
	}
}

func TestDeepCopies(t *testing.T) {
	nested := func() Record {
		return Record{"name": "rex", "tags": []any{"a", map[string]any{"k": "v"}}, "owner": map[string]any{"name": "ann"}}
	}
	mutate := func(r Record) {
		r["name"] = "MUT"
		r["tags"].([]any)[0] = "MUT"
		r["tags"].([]any)[1].(map[string]any)["k"] = "MUT"
		r["owner"].(map[string]any)["name"] = "MUT"
		r["extra"] = 1
	}
	tests := []struct {
		name string
		do   func(s *Store)
	}{
		{"Seed input", func(s *Store) {
			r := nested()
			s.Seed(pet("2"), r)
			mutate(r)
		}},
		{"Get result", func(s *Store) { r, _ := s.Get("a", pet("1")); mutate(r) }},
		{"Get result default", func(s *Store) { r, _ := s.Get("", pet("1")); mutate(r) }},
		{"List result", func(s *Store) { mutate(s.List("a", "pets", "")[0].Record) }},
		{"Update input", func(s *Store) {
			r := nested()
			s.Update("a", pet("1"), func(Record, bool, View) (Record, error) { return r, nil })
			mutate(r)
		}},
		{"Update result", func(s *Store) {
			r, _ := s.Update("a", pet("1"), func(c Record, _ bool, _ View) (Record, error) { return c, nil })
			mutate(r)
		}},
		{"Update cur on abort", func(s *Store) {
			s.Update("a", pet("1"), func(c Record, _ bool, _ View) (Record, error) { mutate(c); return nil, errors.New("x") })
		}},
		{"View reads", func(s *Store) {
			s.Update("a", pet("9"), func(_ Record, _ bool, v View) (Record, error) {
				r, _ := v.Get(pet("1"))
				mutate(r)
				mutate(v.List("pets", "")[0].Record)
				return nil, nil
			})
		}},
		{"UpdateAll cur and result", func(s *Store) {
			var kept Record
			got, _ := s.UpdateAll("a", "pets", "", nil, func(c Record, _ View) (Record, error) { kept = c; return c, nil })
			mutate(kept)
			mutate(got[0].Record)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Limits{}, nil)
			s.Seed(pet("1"), nested())
			put(t, s, "a", pet("1"), nested())
			tc.do(s)
			for _, session := range []string{"", "a", "b"} {
				for _, e := range s.List(session, "pets", "") {
					if !reflect.DeepEqual(e.Record, nested()) {
						t.Fatalf("%q pets/%s = %v", session, e.ID, e.Record)
					}
				}
			}
		})
	}
}

func TestCopyValue(t *testing.T) {
	type custom struct{ X int }
	in := Record{
		"s": "x", "f": 1.5, "i": int64(2), "b": true, "n": nil,
		"nilmap": map[string]any(nil), "nilslice": []any(nil),
		"c": custom{1}, "deep": []any{[]any{map[string]any{"z": []any{}}}},
	}
	out := copyRecord(in)
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("copy = %v", out)
	}
	out["deep"].([]any)[0].([]any)[0].(map[string]any)["z"] = "changed"
	if reflect.DeepEqual(in, out) {
		t.Fatal("deep copy shares nested values")
	}
	if copyRecord(nil) != nil {
		t.Fatal("copy of nil is not nil")
	}
}

func TestResources(t *testing.T) {
	s := seeded()
	put(t, s, "a", Ref{"toys", "2", "b"}, Record{})
	put(t, s, "a", Ref{"me", "", "alice"}, Record{})
	s.Delete("a", pet("1"))
	s.Delete("a", pet("2"))
	want := []ResourceInfo{{"me", "", 1}, {"toys", "1", 1}, {"toys", "2", 1}}
	if got := s.Resources("a"); !reflect.DeepEqual(got, want) {
		t.Fatalf("Resources(a) = %+v, want %+v", got, want)
	}
	want = []ResourceInfo{{"pets", "", 2}, {"toys", "1", 1}}
	if got := s.Resources("zzz"); !reflect.DeepEqual(got, want) {
		t.Fatalf("Resources(unknown) = %+v, want %+v", got, want)
	}
	put(t, s, "a", pet("1"), Record{}) // re-created seed
	put(t, s, "a", pet("5"), Record{})
	if got := s.Resources("a")[1]; got != (ResourceInfo{"pets", "", 2}) {
		t.Fatalf("pets = %+v", got)
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := New(Limits{MaxSessions: -1}, nil).Limits()
	want := Limits{DefaultMaxSessions, DefaultMaxRecords, DefaultIdleTTL, DefaultMaxTotalRecords, DefaultMaxBytes, DefaultMaxTotalBytes}
	if got != want {
		t.Fatalf("Limits = %+v, want %+v", got, want)
	}
}

// TestConcurrentFieldPatches: 32 goroutines each patch their own field of one record
// 200 times; none of the writes may be lost.
func TestConcurrentFieldPatches(t *testing.T) {
	const workers, rounds = 32, 200
	for _, session := range []string{"", "ci-1"} {
		t.Run("session="+session, func(t *testing.T) {
			s := New(Limits{}, nil)
			s.Seed(pet("1"), Record{"name": "rex", "count": float64(0)})
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					field := fmt.Sprintf("f%02d", w)
					for i := range rounds {
						_, err := s.Update(session, pet("1"), func(cur Record, exists bool, _ View) (Record, error) {
							if !exists {
								return nil, errors.New("record vanished")
							}
							cur[field] = int64(i)
							cur["count"] = cur["count"].(float64) + 1
							return cur, nil
						})
						if err != nil {
							t.Error(err)
							return
						}
						if i%50 == 0 { // readers in the mix
							s.Get(session, pet("1"))
							s.List(session, "pets", "")
						}
					}
				})
			}
			wg.Wait()
			rec, _ := s.Get(session, pet("1"))
			for w := range workers {
				field := fmt.Sprintf("f%02d", w)
				if rec[field] != int64(rounds-1) {
					t.Errorf("%s = %v, want %d", field, rec[field], rounds-1)
				}
			}
			if rec["count"] != float64(workers*rounds) {
				t.Errorf("count = %v, want %d", rec["count"], workers*rounds)
			}
			if rec["name"] != "rex" {
				t.Errorf("name = %v", rec["name"])
			}
		})
	}
}

// TestConcurrentMixed runs every operation across sessions at once, with eviction
// pressure, and checks no session ever sees another's writes.
func TestConcurrentMixed(t *testing.T) {
	const sessions, workers, rounds = 6, 24, 300
	s := New(Limits{MaxSessions: 4, MaxRecords: 50}, nil)
	for i := range 5 {
		s.Seed(pet("seed"+strconv.Itoa(i)), Record{"owner": "seed"})
	}
	check := func(session string, r Record) {
		if o := r["owner"]; o != "seed" && o != session {
			t.Errorf("session %q sees a record of %v", session, o)
		}
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			session := "s" + strconv.Itoa(w%sessions)
			if w%sessions == 0 {
				session = ""
			}
			for i := range rounds {
				id := strconv.Itoa((w*7 + i) % 20)
				if i%3 == 0 {
					id = "seed" + strconv.Itoa(i%5)
				}
				switch i % 10 {
				case 0, 1, 2:
					_, err := s.Update(session, pet(id), func(cur Record, _ bool, v View) (Record, error) {
						if cur != nil {
							check(session, cur)
						}
						for _, e := range v.List("pets", "") {
							check(session, e.Record)
						}
						return Record{"owner": session, "w": int64(w)}, nil
					})
					if err != nil && !errors.Is(err, ErrFull) {
						t.Error(err)
					}
				case 3:
					s.Delete(session, pet(id))
				case 4:
					_, err := s.UpdateAll(session, "pets", "", func(r Record) bool { return r["w"] == int64(w) },
						func(cur Record, _ View) (Record, error) { cur["touched"] = true; return cur, nil })
					if err != nil && !errors.Is(err, ErrFull) {
						t.Error(err)
					}
				case 5:
					if i%50 == 5 {
						s.Reset(session)
					}
					if i%150 == 5 {
						s.ResetAll()
					}
				case 6:
					s.Sessions()
					s.Resources(session)
				default:
					if r, ok := s.Get(session, pet(id)); ok {
						check(session, r)
					}
					for _, e := range s.List(session, "pets", "") {
						check(session, e.Record)
					}
				}
			}
		})
	}
	wg.Wait()
	for _, si := range s.Sessions() {
		if si.Records > 50 {
			t.Errorf("%+v past MaxRecords", si)
		}
	}
	if n := len(s.Sessions()); n > 5 {
		t.Errorf("%d sessions kept, want ≤ 1+MaxSessions", n)
	}
}

func benchStore(b *testing.B) *Store {
	s := New(Limits{}, nil)
	for i := range 10000 {
		put(b, s, "bench", pet(strconv.Itoa(i)), Record{"id": int64(i), "name": "pet " + strconv.Itoa(i), "tags": []any{"a", "b"}})
	}
	return s
}

func BenchmarkGet(b *testing.B) {
	s := benchStore(b)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, ok := s.Get("bench", pet(strconv.Itoa(i%10000))); !ok {
			b.Fatal("missing")
		}
		i++
	}
}

func BenchmarkGetParallel(b *testing.B) {
	s := benchStore(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s.Get("bench", pet(strconv.Itoa(i%10000)))
			i++
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	s := benchStore(b)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		_, err := s.Update("bench", pet(strconv.Itoa(i%10000)), func(cur Record, _ bool, _ View) (Record, error) {
			cur["name"] = "patched"
			return cur, nil
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func TestDeleted(t *testing.T) {
	s := New(Limits{}, nil)
	s.Seed(pet("s1"), Record{})
	put(t, s, "a", pet("c1"), Record{"v": "c1"})
	if s.Deleted("a", pet("c1")) || s.Deleted("a", pet("s1")) || s.Deleted("a", pet("never")) {
		t.Fatal("Deleted before any delete")
	}
	s.Delete("a", pet("c1"))
	s.Delete("a", pet("s1"))
	if !s.Deleted("a", pet("c1")) || !s.Deleted("a", pet("s1")) {
		t.Fatal("a deleted record is not reported deleted")
	}
	if s.Deleted("b", pet("s1")) || s.Deleted("", pet("s1")) {
		t.Fatal("a delete leaked to another session")
	}
	put(t, s, "a", pet("c1"), Record{"v": "again"})
	if s.Deleted("a", pet("c1")) {
		t.Fatal("a re-written record is still reported deleted")
	}
	s.Reset("a")
	if s.Deleted("a", pet("s1")) {
		t.Fatal("reset kept the tombstone")
	}
}
