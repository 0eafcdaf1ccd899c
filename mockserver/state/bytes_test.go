package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const mib = 1 << 20

// blob is a record of about n bytes of text (its estimate is about 2n: the text is counted
// stored and encoded).
func blob(n int) Record { return Record{"blob": strings.Repeat("x", n)} }

// checkAccounts recomputes every live session's entries and bytes from its slots and the
// totals from the sessions, and compares them with the counts the store keeps.
func checkAccounts(t *testing.T, s *Store) {
	t.Helper()
	var n, b int64
	for _, ss := range s.t.snapshot() {
		ss.mu.RLock()
		var sn int
		var sb int64
		for _, ov := range ss.colls {
			for i, sl := range ov.slots {
				sn++
				sb += sl.size
				id := string(sl.idBytes())
				want := tombSize(len(id))
				switch {
				case sl.boxed:
					want += estimate(ov.boxed[int32(i)])
				case !sl.tomb:
					_, text, _ := encodedLen(ov.record(int32(i)))
					want = encSize(len(sl.enc), text)
				}
				if sl.size != want {
					t.Errorf("session %q slot %s: size %d, want %d", ss.name, id, sl.size, want)
				}
				if ov.find(id) != int32(i) {
					t.Errorf("session %q slot %s: the index finds slot %d, not %d", ss.name, id, ov.find(id), i)
				}
			}
		}
		if sn != ss.n || sb != ss.bytes {
			t.Errorf("session %q counts %d entries, %d bytes; its slots hold %d, %d", ss.name, ss.n, ss.bytes, sn, sb)
		}
		n += int64(ss.n)
		b += ss.bytes
		ss.mu.RUnlock()
	}
	if got := s.t.total.Load(); got != n {
		t.Errorf("total = %d entries, sessions hold %d", got, n)
	}
	if got := s.t.totalBytes.Load(); got != b {
		t.Errorf("total = %d bytes, sessions hold %d", got, b)
	}
}

func sessionBytes(s *Store, name string) int64 {
	for _, si := range s.Sessions() {
		if si.Name == name {
			return si.Bytes
		}
	}
	return -1
}

// TestBytesBudget walks one store through writes, replacements, deletes and evictions,
// checking after each step which bound (if any) refused the write and that the counts
// add up.
func TestBytesBudget(t *testing.T) {
	c := newClock()
	s := New(Limits{MaxBytes: 5 * mib, MaxTotalBytes: 17 * mib / 2, MaxRecords: 100, MaxTotalRecords: 1000}, c.now)
	s.Seed(pet("s1"), Record{"name": "seed"})
	set := func(session, id string, rec Record) func() error {
		return func() error {
			c.advance(time.Second)
			_, err := s.Update(session, pet(id), func(Record, bool, View) (Record, error) { return rec, nil })
			return err
		}
	}
	del := func(session, id string) func() error {
		return func() error {
			if !s.Delete(session, pet(id)) {
				return errors.New("absent")
			}
			return nil
		}
	}
	steps := []struct {
		name string
		do   func() error
		want Bound // 0: no error
		// check, if set, runs after the step.
		check func() error
	}{
		{name: "a: a 1 MB record", do: set("a", "1", blob(mib))},
		{name: "a: a second", do: set("a", "2", blob(mib))},
		{name: "a: a third passes MaxBytes", do: set("a", "3", blob(mib)), want: SessionBytes},
		{name: "a: a small record still fits", do: set("a", "3", Record{"name": "small"})},
		{name: "a: replacing a 1 MB record by a small one gives its bytes back", do: set("a", "1", Record{"name": "small"}),
			check: func() error {
				if b := sessionBytes(s, "a"); b > 3*mib {
					return fmt.Errorf("a holds %d bytes", b)
				}
				return nil
			}},
		{name: "a: so a 1 MB record fits again", do: set("a", "4", blob(mib))},
		{name: "a: growing a small record past MaxBytes fails", do: set("a", "3", blob(mib)), want: SessionBytes},
		{name: "a: deleting a 1 MB record frees its bytes", do: del("a", "2")},
		{name: "a: growing it then fits", do: set("a", "3", blob(mib))},
		{name: "b: other sessions have their own MaxBytes", do: set("b", "1", blob(mib))},
		{name: "b: 2; the total (8.5 MiB) is now nearly full", do: set("b", "2", blob(mib))},
		{name: "default: past the total evicts a, the least recently used", do: set("", "1", blob(mib)),
			check: func() error {
				if got := sessionNames(s); !slices.Equal(got, []string{"", "b"}) {
					return fmt.Errorf("sessions = %q, want the default and b", got)
				}
				return nil
			}},
		{name: "c: 1", do: set("c", "1", blob(mib))},
		{name: "c: 2 evicts b", do: set("c", "2", blob(mib)),
			check: func() error {
				if got := sessionNames(s); !slices.Equal(got, []string{"", "c"}) {
					return fmt.Errorf("sessions = %q, want the default and c", got)
				}
				return nil
			}},
		{name: "default: 2", do: set("", "2", blob(mib))},
		{name: "c: past the total with nobody left to evict (the default session never is)", do: set("c", "3", blob(300<<10)), want: TotalBytes},
		{name: "a: a new session within its limit evicts c", do: set("a", "9", blob(mib)),
			check: func() error {
				if got := sessionNames(s); !slices.Equal(got, []string{"", "a"}) {
					return fmt.Errorf("sessions = %q, want the default and a", got)
				}
				return nil
			}},
	}
	for _, st := range steps {
		err := st.do()
		var fe *FullError
		switch {
		case st.want == 0 && err != nil:
			t.Fatalf("%s: %v", st.name, err)
		case st.want != 0 && !errors.As(err, &fe):
			t.Fatalf("%s: err = %v, want a FullError (%v)", st.name, err, st.want)
		case st.want != 0 && (fe.Bound != st.want || !errors.Is(err, ErrFull)):
			t.Fatalf("%s: err = %v (bound %v), want %v and ErrFull", st.name, err, fe.Bound, st.want)
		}
		if st.check != nil {
			if err := st.check(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		checkAccounts(t, s)
		if got := s.t.totalBytes.Load(); got > s.Limits().MaxTotalBytes {
			t.Fatalf("%s: total %d bytes past MaxTotalBytes", st.name, got)
		}
	}
	// A refused write changes nothing.
	if r, _ := s.Get("c", pet("3")); r != nil {
		t.Fatalf("the refused write was stored: %.40v", r)
	}
}

// TestFullErrorBounds: each bound has its own error, which names it.
func TestFullErrorBounds(t *testing.T) {
	write := func(s *Store, session, id string, rec Record) error {
		_, err := s.Update(session, pet(id), func(Record, bool, View) (Record, error) { return rec, nil })
		return err
	}
	cases := []struct {
		name string
		lim  Limits
		fill func(s *Store) error // the last write is the refused one
		want Bound
		text string
	}{
		{"session records", Limits{MaxRecords: 2}, func(s *Store) error {
			_ = write(s, "a", "1", Record{})
			_ = write(s, "a", "2", Record{})
			return write(s, "a", "3", Record{})
		}, SessionRecords, "this session holds the most records a session may (2; it holds 2, this write needs 1 more)"},
		{"session bytes", Limits{MaxBytes: mib}, func(s *Store) error {
			return write(s, "a", "1", blob(mib))
		}, SessionBytes, "this session's records would take more memory than a session may (1 MiB; it holds 0 B, this write needs 2.01 MiB more)"},
		{"total records", Limits{MaxRecords: 3, MaxTotalRecords: 4}, func(s *Store) error {
			for i := range 3 {
				_ = write(s, "", strconv.Itoa(i), Record{})
			}
			_ = write(s, "a", "1", Record{})
			return write(s, "a", "2", Record{})
		}, TotalRecords, "the mock holds the most records it may across sessions (4; they hold 4, this write needs 1 more) and no other session is left to evict: this session holds 1, the default session 3"},
		{"total records, the default session writing", Limits{MaxRecords: 9, MaxTotalRecords: 4}, func(s *Store) error {
			_ = write(s, "a", "1", Record{})
			for i := range 4 {
				_ = write(s, "", strconv.Itoa(i), Record{}) // the fourth evicts a
			}
			return write(s, "", "4", Record{})
		}, TotalRecords, "the mock holds the most records it may across sessions (4; they hold 4, this write needs 1 more) and no other session is left to evict: this session (the default one) holds 4"},
		{"total bytes", Limits{MaxBytes: 3 * mib, MaxTotalBytes: 4 * mib}, func(s *Store) error {
			_ = write(s, "", "1", blob(mib))
			return write(s, "a", "1", blob(mib))
		}, TotalBytes, "the mock's records would take more memory than it may across sessions (4 MiB; they hold 2.01 MiB, this write needs 2.01 MiB more) and no other session is left to evict: this session holds 0 B, the default session 2.01 MiB"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.lim, nil)
			err := tc.fill(s)
			var fe *FullError
			if !errors.As(err, &fe) || fe.Bound != tc.want || !errors.Is(err, ErrFull) {
				t.Fatalf("err = %v, want a %v FullError", err, tc.want)
			}
			if err.Error() != tc.text {
				t.Fatalf("message %q\nwant      %q", err, tc.text)
			}
			checkAccounts(t, s)
		})
	}
}

// TestUpdateAllBytes: a batch is admitted or refused as a whole, by its net bytes.
func TestUpdateAllBytes(t *testing.T) {
	s := New(Limits{MaxBytes: 5 * mib}, nil)
	for i := range 4 {
		put(t, s, "a", pet(strconv.Itoa(i)), Record{"n": float64(i)})
	}
	grow := func(c Record, _ View) (Record, error) { c["blob"] = strings.Repeat("y", mib); return c, nil }
	_, err := s.UpdateAll("a", "pets", "", nil, grow)
	var fe *FullError
	if !errors.As(err, &fe) || fe.Bound != SessionBytes {
		t.Fatalf("growing 4 records by 1 MB each: err = %v, want SessionBytes", err)
	}
	for _, e := range s.List("a", "pets", "") {
		if e.Record["blob"] != nil {
			t.Fatalf("the refused batch changed %s", e.ID)
		}
	}
	// Growing two of them fits.
	got, err := s.UpdateAll("a", "pets", "", func(r Record) bool { return r["n"].(float64) < 2 }, grow)
	if err != nil || len(got) != 2 {
		t.Fatalf("growing 2: %v, %v", got, err)
	}
	before := sessionBytes(s, "a")
	if _, err := s.UpdateAll("a", "pets", "", func(r Record) bool { return r["blob"] != nil }, func(Record, View) (Record, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
	if after := sessionBytes(s, "a"); before-after < 2*mib {
		t.Fatalf("deleting two 1 MB records gave back %d bytes", before-after)
	}
	checkAccounts(t, s)
}

// TestSizeEstimate: the estimate follows the heap the stored records take, within a
// factor: it must neither let records take far more memory than it counts, nor refuse
// records for memory they do not use.
func TestSizeEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	// Records are decoded from JSON text, one value per record, as the server gets them.
	decode := func(text string) func() Record {
		return func() Record {
			var r Record
			if err := json.Unmarshal([]byte(text), &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	var fields, numbers strings.Builder
	for i := range 200 {
		if i == 20 {
			fields.WriteString("|")
		}
		fmt.Fprintf(&fields, `,"field%d":%d`, i, i*1000+7)
		fmt.Fprintf(&numbers, ",%d", i*31+1000)
	}
	f20, f200, _ := strings.Cut(fields.String(), "|")
	f200 = f20 + f200
	shapes := []struct {
		name string
		rec  func() Record
		n    int
		// lo, hi bound estimate/heap. Strings count twice (their encoding may be kept
		// beside them), so text-heavy records estimate about twice their heap.
		lo, hi float64
	}{
		{"three fields", decode(`{"id":12345,"name":"rex the dog","tag":"good"}`), 20000, 0.8, 1.6},
		{"a 64 KiB string", decode(`{"blob":"` + strings.Repeat("x", 64<<10) + `"}`), 200, 1.8, 2.3},
		{"20 number fields", decode(`{` + f20[1:] + `}`), 5000, 0.8, 1.4},
		{"200 number fields", decode(`{` + f200[1:] + `}`), 500, 0.8, 1.4},
		{"an array of 200 numbers", decode(`{"a":[` + numbers.String()[1:] + `]}`), 2000, 0.8, 1.4},
		{"nested", decode(`{"owner":{"name":"ann","tags":["a","b",{"k":true}]},"n":1.5}`), 10000, 0.8, 1.6},
	}
	for _, sh := range shapes {
		s := New(Limits{MaxBytes: 1 << 40, MaxTotalBytes: 1 << 40, MaxRecords: 1 << 30, MaxTotalRecords: 1 << 30}, nil)
		before := heapLive()
		for i := range sh.n {
			put(t, s, "a", pet("pet-"+strconv.Itoa(i)), sh.rec()) // the store keeps a copy, sharing the leaves
		}
		heap := heapLive() - before
		est := sessionBytes(s, "a")
		ratio := float64(est) / float64(heap)
		t.Logf("%-24s heap %9d estimate %9d ratio %.2f", sh.name, heap, est, ratio)
		if ratio < sh.lo || ratio > sh.hi {
			t.Errorf("%s: estimate %d for %d bytes of heap (ratio %.2f, want %.1f–%.1f)", sh.name, est, heap, ratio, sh.lo, sh.hi)
		}
		runtime.KeepAlive(s)
	}
}

func heapLive() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestConcurrentBytes: writers of several sessions fill a small byte budget at once; the
// totals are never passed and the counts add up afterwards.
func TestConcurrentBytes(t *testing.T) {
	const workers, rounds = 16, 200
	s := New(Limits{MaxBytes: 256 << 10, MaxTotalBytes: mib, MaxSessions: 8}, nil)
	for i := range 4 {
		s.Seed(pet("seed"+strconv.Itoa(i)), Record{})
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			session := "s" + strconv.Itoa(w%6)
			for i := range rounds {
				id := strconv.Itoa((w + i) % 12)
				var err error
				switch i % 6 {
				case 0, 1, 2:
					_, err = s.Update(session, pet(id), func(Record, bool, View) (Record, error) { return blob(1000 * (i % 40)), nil })
				case 3:
					s.Delete(session, pet("seed"+strconv.Itoa(i%4)))
				case 4:
					_, err = s.UpdateAll(session, "pets", "", nil, func(c Record, _ View) (Record, error) { c["w"] = float64(w); return c, nil })
				default:
					if i%50 == 5 {
						s.Reset(session)
					}
				}
				if err != nil && !errors.Is(err, ErrFull) {
					t.Error(err)
				}
				if got := s.t.totalBytes.Load(); got > mib {
					t.Errorf("total %d bytes past MaxTotalBytes", got)
				}
			}
		})
	}
	wg.Wait()
	checkAccounts(t, s)
}
