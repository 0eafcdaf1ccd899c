package state

import (
	"encoding/json"
	"hash/maphash"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRecordsRoundTrip: whatever a record holds, every read gives back what was written,
// with the same Go types: JSON's values as the codec keeps them, and anything else as it is
// (a boxed record).
func TestRecordsRoundTrip(t *testing.T) {
	type custom struct{ X int }
	recs := map[string]Record{
		"empty": {},
		"scalars": {
			"s": "x", "empty": "", "f": 1.5, "neg": -0.25, "inf": math.Inf(1), "i": int64(-2), "big": int64(math.MaxInt64),
			"min": int64(math.MinInt64), "int": 7, "t": true, "false": false, "n": nil, "num": json.Number("1e400"),
			"unicode": "héllo \u2028 \x00", strings.Repeat("k", 300): strings.Repeat("v", 70000),
		},
		"nested": {
			"nilmap": map[string]any(nil), "nilslice": []any(nil), "emptymap": map[string]any{}, "emptyslice": []any{},
			"deep": []any{[]any{map[string]any{"z": []any{int64(1), 2.5, "s", nil, true}}}},
		},
		"custom": {"c": custom{1}, "also": []any{"fine"}},
	}
	s := New(Limits{}, nil)
	s.Seed(pet("seed"), Record{"name": "rex"})
	for id, rec := range recs {
		put(t, s, "a", pet(id), rec)
	}
	put(t, s, "a", pet("seed"), recs["nested"]) // replaces a seed in place
	check := func(how, id string, got Record) {
		t.Helper()
		want := recs[id]
		if id == "seed" {
			want = recs["nested"]
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s = %#v, want %#v", how, id, got, want)
		}
	}
	for id := range recs {
		got, ok := s.Get("a", pet(id))
		if !ok {
			t.Fatalf("Get %s: absent", id)
		}
		check("Get", id, got)
		got["added"] = "by the caller" // a private copy
		peeked, memo, ok := s.Peek("a", pet(id))
		if !ok || memo == nil {
			t.Fatalf("Peek %s = %v, %v", id, memo, ok)
		}
		check("Peek", id, peeked)
	}
	for _, e := range s.List("a", "pets", "") {
		check("List", e.ID, e.Record)
	}
	if got := ids(s.List("a", "pets", "")); got[0] != "seed" || len(got) != len(recs)+1 {
		t.Fatalf("List = %v, want the seed first and every record", got)
	}
	_, err := s.Update("a", pet("custom"), func(cur Record, ok bool, v View) (Record, error) {
		check("Update", "custom", cur)
		got, _ := v.Get(pet("scalars"))
		check("View.Get", "scalars", got)
		for _, e := range v.List("pets", "") {
			check("View.List", e.ID, e.Record)
		}
		return cur, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounts(t, s)
}

// TestIndexChains: two IDs whose hashes collide are both found, through the chain of the
// slot that took the hash first.
func TestIndexChains(t *testing.T) {
	ov := New(Limits{}, nil).t.newOverlay()
	a := ov.add("a")
	// Make "b" collide with "a": its hash leads to a's slot, as add would have left it had
	// the hashes been equal.
	hb := maphash.String(ov.seed, "b")
	ov.index[hb] = a
	b := ov.add("b") // chains to a
	ov.index[maphash.String(ov.seed, "a")] = b
	if got := ov.find("a"); got != a {
		t.Fatalf("find a = %d, want %d (through b's chain)", got, a)
	}
	if got := ov.find("b"); got != b {
		t.Fatalf("find b = %d, want %d", got, b)
	}
	if got := ov.find("c"); got != -1 {
		t.Fatalf("find c = %d, want -1", got)
	}
}

// TestHotCacheBounds: Peek keeps at most hotEntries decoded records a shard, and gives a
// record too large to keep no memo; a record that fell out is decoded again, with a new memo.
func TestHotCacheBounds(t *testing.T) {
	s := New(Limits{MaxRecords: 1 << 20, MaxTotalRecords: 1 << 20}, nil)
	const n = hotShards * hotEntries * 2
	for i := range n {
		put(t, s, "a", pet(strconv.Itoa(i)), Record{"i": int64(i)})
	}
	_, first, _ := s.Peek("a", pet("0"))
	for i := range n {
		rec, memo, ok := s.Peek("a", pet(strconv.Itoa(i)))
		if !ok || memo == nil || rec["i"] != int64(i) {
			t.Fatalf("Peek %d = %v %v %v", i, rec, memo, ok)
		}
	}
	held := 0
	for i := range s.t.hot.shards {
		sh := &s.t.hot.shards[i]
		if sh.n > hotEntries || len(sh.m) != sh.n || sh.bytes > hotBytes {
			t.Fatalf("shard %d holds %d entries (map %d), %d bytes", i, sh.n, len(sh.m), sh.bytes)
		}
		held += sh.n
	}
	if held > hotShards*hotEntries {
		t.Fatalf("the cache holds %d records", held)
	}
	if _, again, _ := s.Peek("a", pet("0")); again == first {
		t.Fatal("a record read before 8,000 others still has its memo: the cache is not bounded")
	}
	put(t, s, "a", pet("big"), Record{"blob": strings.Repeat("x", hotMaxEntry)})
	if rec, memo, ok := s.Peek("a", pet("big")); !ok || memo != nil || len(rec["blob"].(string)) != hotMaxEntry {
		t.Fatalf("Peek of a record too large to keep: memo %v, ok %v", memo, ok)
	}
}

// TestDeleteWhenFull: hiding a seed takes a tombstone; past a total, other sessions are
// evicted to make room for it, and when nobody is left it is kept anyway: a delete never
// fails for want of room.
func TestDeleteWhenFull(t *testing.T) {
	s := New(Limits{MaxTotalRecords: 3, MaxRecords: 5}, nil)
	for _, id := range []string{"s1", "s2", "s3"} {
		s.Seed(pet(id), Record{})
	}
	put(t, s, "b", pet("x"), Record{})
	put(t, s, "a", pet("y"), Record{})
	put(t, s, "a", pet("z"), Record{})
	// Full (3 of 3). Hiding s1 in a evicts b.
	if !s.Delete("a", pet("s1")) {
		t.Fatal("Delete s1: not deleted")
	}
	if got := sessionNames(s); !slices.Equal(got, []string{"", "a"}) {
		t.Fatalf("sessions = %q, want b evicted", got)
	}
	if got := s.t.total.Load(); got != 3 {
		t.Fatalf("total = %d, want 3", got)
	}
	// Nobody left: Delete, Update and UpdateAll hide seeds anyway.
	if !s.Delete("a", pet("s2")) {
		t.Fatal("Delete s2: not deleted")
	}
	if _, err := s.Update("a", pet("s3"), func(Record, bool, View) (Record, error) { return nil, nil }); err != nil {
		t.Fatalf("Update deleting s3: %v", err)
	}
	if got := ids(s.List("a", "pets", "")); !slices.Equal(got, []string{"y", "z"}) {
		t.Fatalf("List = %v, want the seeds hidden", got)
	}
	s.Reset("a")
	put(t, s, "a", pet("y"), Record{})
	put(t, s, "a", pet("z"), Record{})
	put(t, s, "a", pet("w"), Record{})
	if _, err := s.UpdateAll("a", "pets", "", func(r Record) bool { return true }, func(Record, View) (Record, error) { return nil, nil }); err != nil {
		t.Fatalf("UpdateAll deleting all: %v", err)
	}
	if got := s.List("a", "pets", ""); len(got) != 0 {
		t.Fatalf("List = %v after deleting all", ids(got))
	}
	checkAccounts(t, s)
}
