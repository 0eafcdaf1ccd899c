package state

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentNearTotal: many writers of many sessions keep the store at its total bound.
// Every write fits once other sessions are evicted (no session needs more than its own
// bounds and the default session holds nothing), so none may be refused, however the
// writers race for the room eviction makes; and the totals are never passed.
func TestConcurrentNearTotal(t *testing.T) {
	cases := []struct {
		name          string
		lim           Limits
		seeds         int
		sessions, ids int // writers pick among sessions, each writing ids records at most
		rec           func(w, i int) Record
		mixed         bool // deletes of seeds and batches besides single writes
	}{
		{"records", Limits{MaxRecords: 100, MaxTotalRecords: 1000, MaxSessions: 10000}, 0, 2000, 60,
			func(w, _ int) Record { return Record{"w": float64(w)} }, false},
		{"records, few sessions", Limits{MaxRecords: 100, MaxTotalRecords: 1000, MaxSessions: 10000}, 0, 40, 90,
			func(w, _ int) Record { return Record{"w": float64(w)} }, false},
		{"bytes", Limits{MaxBytes: 64 << 10, MaxTotalBytes: mib, MaxSessions: 10000}, 0, 2000, 8,
			func(_, i int) Record { return blob(1000 + 100*(i%10)) }, false},
		{"records and bytes, deletes and batches", Limits{MaxRecords: 40, MaxTotalRecords: 600, MaxBytes: 32 << 10, MaxTotalBytes: 512 << 10, MaxSessions: 10000}, 8, 500, 20,
			func(_, i int) Record { return blob(200 * (i % 8)) }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			const workers, rounds = 64, 300
			s := New(tc.lim, nil)
			for i := range tc.seeds {
				s.Seed(pet("seed"+strconv.Itoa(i)), Record{})
			}
			lim := s.Limits()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range rounds {
						session := "s" + strconv.Itoa((w*rounds+i)%tc.sessions)
						id := strconv.Itoa((w + i) % tc.ids)
						var err error
						switch {
						case tc.mixed && i%5 == 3:
							s.Delete(session, pet("seed"+strconv.Itoa(i%tc.seeds)))
						case tc.mixed && i%5 == 4:
							_, err = s.UpdateAll(session, "pets", "", nil, func(c Record, _ View) (Record, error) { c["w"] = float64(w); return c, nil })
						default:
							_, err = s.Update(session, pet(id), func(Record, bool, View) (Record, error) { return tc.rec(w, i), nil })
						}
						if err != nil {
							t.Errorf("session %s: a write that fits once others are evicted was refused: %v", session, err)
							return
						}
						if n, b := s.t.total.Load(), s.t.totalBytes.Load(); n > int64(lim.MaxTotalRecords) || b > lim.MaxTotalBytes {
							t.Errorf("totals %d records, %d bytes: past %d, %d", n, b, lim.MaxTotalRecords, lim.MaxTotalBytes)
							return
						}
					}
				})
			}
			wg.Wait()
			checkAccounts(t, s)
		})
	}
}

// TestConcurrentFullIsHonest: the default session holds most of the total, and writers of
// many sessions race for the rest: small records, which fit once others are evicted, and
// large ones, which cannot fit beside the default session whatever is evicted. Every large
// write is refused, and every refusal names the total and figures that add up: the writer's
// session, the default session and the writes under way hold what the store holds, and the
// write does not fit beside it.
func TestConcurrentFullIsHonest(t *testing.T) {
	const limit = mib
	s := New(Limits{MaxBytes: limit, MaxTotalBytes: limit, MaxSessions: 10000}, nil)
	for i := range 7 {
		put(t, s, "", pet("d"+strconv.Itoa(i)), blob(60<<10))
	}
	def := sessionBytes(s, "")
	honest := func(err error) {
		t.Helper()
		var fe *FullError
		switch {
		case !errors.As(err, &fe) || fe.Bound != TotalBytes:
			t.Errorf("err = %v, want a TotalBytes FullError", err)
		case fe.Default != def || fe.Limit != limit || fe.Need <= 0:
			t.Errorf("%v: default %d (holds %d), limit %d, need %d", err, fe.Default, def, fe.Limit, fe.Need)
		case fe.Session+fe.Default+fe.Others != fe.Held || fe.Held+fe.Need <= fe.Limit:
			t.Errorf("%v: the figures do not add up (%+v)", err, *fe)
		case !strings.Contains(err.Error(), "this session holds "+byteSize(fe.Session)+", the default session "+byteSize(def)):
			t.Errorf("message %q does not say who holds the bytes", err)
		}
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 100 {
				session := "s" + strconv.Itoa((w*100+i)%64)
				rec := blob(1000)
				if i%10 == 9 {
					rec = blob(100 << 10) // twice that estimated, past the room the default session leaves
				}
				_, err := s.Update(session, pet(strconv.Itoa(i%4)), func(Record, bool, View) (Record, error) { return rec, nil })
				switch {
				case err != nil:
					honest(err)
				case i%10 == 9:
					t.Errorf("a record larger than the room the default session leaves was stored")
				}
			}
		})
	}
	wg.Wait()
	checkAccounts(t, s)

	// Alone, a session evicts every other and is refused for what it holds itself.
	for i := range 8 {
		put(t, s, "z", pet(strconv.Itoa(i)), blob(1000))
	}
	_, err := s.Update("z", pet("big"), func(Record, bool, View) (Record, error) { return blob(80 << 10), nil })
	honest(err)
	var fe *FullError
	if errors.As(err, &fe) && (fe.Session != sessionBytes(s, "z") || fe.Others != 0 || len(s.Sessions()) != 2) {
		t.Errorf("%v: this session holds %d, others %d; sessions %v", err, sessionBytes(s, "z"), fe.Others, sessionNames(s))
	}
}

// TestWorstCaseMemory: many sessions write large records at once, past what the store may
// hold. The estimated bytes never pass MaxTotalBytes, and the heap the store keeps, after a
// collection, stays near that bound (the estimate counts a string's bytes twice, so the heap
// of text-heavy records is about half of it): the bound is what a server's memory is sized
// on.
func TestWorstCaseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	const total = 16 * mib
	before := heapLive()
	s := New(Limits{MaxBytes: 2 * mib, MaxTotalBytes: total, MaxSessions: 10000}, nil)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 120 {
				session := "s" + strconv.Itoa((w*120+i)%200)
				rec := Record{"id": float64(i), "blob": strings.Repeat(string(rune('a'+w)), 24<<10+i*64)}
				if _, err := s.Update(session, pet(strconv.Itoa(i%24)), func(Record, bool, View) (Record, error) { return rec, nil }); err != nil {
					t.Errorf("session %s: %v", session, err)
					return
				}
				if b := s.t.totalBytes.Load(); b > total {
					t.Errorf("estimated %d bytes, past MaxTotalBytes %d", b, total)
					return
				}
			}
		})
	}
	wg.Wait()
	checkAccounts(t, s)
	est := s.t.totalBytes.Load()
	heap := heapLive() - before
	t.Logf("estimate %d bytes (%.0f%% of the bound), heap %d bytes (%.2f of the estimate)", est, 100*float64(est)/total, heap, float64(heap)/float64(est))
	if est < total/2 {
		t.Errorf("estimate %d: the writers did not fill the store (bound %d)", est, total)
	}
	if heap > total {
		t.Errorf("the store keeps %d bytes of heap, past the %d bytes it may hold", heap, total)
	}
	runtime.KeepAlive(s)
}
