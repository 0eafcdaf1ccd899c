// Package state is the mock server's in-memory resource store.
//
// Records (JSON objects) are stored per resource ("pets"), scope (the values of the
// parent path parameters joined by "/") and ID. A store has one immutable seed layer,
// loaded at start-up, and any number of sessions (named by the X-Mock-Session header;
// "" is the default session). Each session sees a copy-on-write view of the seeds: its
// own writes live in an overlay that replaces, hides (tombstones) or adds to the seed
// records, so parallel clients naming different sessions never see each other's writes.
//
// Locking. Store.mu guards the session table (the map and the LRU list); each session's
// own RWMutex guards its overlay. No goroutine ever waits for a session lock while
// holding Store.mu, and no code path takes two session locks, so the locks cannot
// deadlock each other. Stored records are never mutated once stored (a write replaces
// the whole record), which lets readers deep-copy them after releasing the lock.
//
// Bounds. At most Limits.MaxSessions named sessions are kept (least recently used
// evicted first) and a session unused for Limits.IdleTTL is evicted; both are checked
// lazily when sessions are looked up, with no background goroutine. A session's
// overlay holds at most Limits.MaxRecords entries for writes, and all sessions together
// at most Limits.MaxTotalRecords: past it, a write first evicts the least recently used
// other sessions.
package state

import (
	"cmp"
	"container/list"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Record is one stored resource instance: a JSON object whose values are
// map[string]any, []any, string, float64, int64, bool or nil.
type Record = map[string]any

// Ref names a record: Resource (e.g. "pets"), Scope (the values of parent path
// parameters joined by "/", "" when not nested), ID (the key; for singletons the
// caller's identity or "").
type Ref struct{ Resource, Scope, ID string }

// Entry is one record of a listing.
type Entry struct {
	ID     string
	Record Record
}

// Limits bound the memory a store may use. Zero (or negative) fields take defaults.
type Limits struct {
	MaxSessions int           // sessions kept besides the default one (0 → 1000); past it the least recently used is evicted
	MaxRecords  int           // records a session may hold in its own writes (0 → 10000); a write past it fails with ErrFull
	IdleTTL     time.Duration // a session unused this long is evicted (0 → 1h); the default session ("") never is
	// MaxTotalRecords bounds the records of all sessions together (0 → 100000; the bench's
	// sessions run fills it with three-field records at about 200 MB). A write past it
	// evicts the least recently used other named sessions until there is room; when there
	// is none (the writer and the default session hold the rest), it fails with ErrFull.
	MaxTotalRecords int
}

// Default limits.
const (
	DefaultMaxSessions = 1000
	DefaultMaxRecords  = 10000
	DefaultIdleTTL     = time.Hour
	// DefaultMaxTotalRecords is MaxTotalRecords when unset.
	DefaultMaxTotalRecords = 100000
)

// ErrFull is returned by a write that would take a session past Limits.MaxRecords
// entries in its own overlay, or the store past Limits.MaxTotalRecords when evicting
// other sessions cannot make room.
var ErrFull = errors.New("state: session record limit reached")

// SessionInfo describes one live session.
type SessionInfo struct {
	Name     string    // "" for the default session
	Records  int       // entries in the session's own overlay (writes and tombstones)
	LastUsed time.Time // zero if never used
}

// ResourceInfo counts the records one session sees in one resource and scope.
type ResourceInfo struct {
	Resource, Scope string
	Count           int
}

// View reads the session's records from inside Update and UpdateAll, which hold the
// session's write lock: it does no locking of its own and must not be used after fn
// returns. It shows the state before the pending change; results are deep copies.
type View interface {
	Get(ref Ref) (Record, bool)
	List(resource, scope string) []Entry
}

// collKey names one collection: a resource within a scope.
type collKey struct{ resource, scope string }

// seedColl is one collection of the seed layer.
type seedColl struct {
	ids   []string          // Seed order
	recs  map[string]Record // by ID
	memos map[string]*Memo  // by ID
}

// slot is one overlay entry.
type slot struct {
	rec  Record // nil: a tombstone hiding the seed record of the same ID
	memo *Memo  // belongs to rec: every write stores a new one
	// seq is 0 for a record standing in for the seed of the same ID (listed in the
	// seed's place); >0 for a record the session created (listed after the seeds,
	// in seq order).
	seq uint64
}

// orderEnt is one creation in a collection. It is stale once the slot of that ID no
// longer holds a live record with the same seq (deleted, or deleted and re-created).
type orderEnt struct {
	id  string
	seq uint64
}

// overlay is one session's writes to one collection.
type overlay struct {
	slots map[string]*slot
	order []orderEnt // creations, oldest first, possibly with stale entries
	live  int        // entries of order that are not stale
}

// session is one session's overlay over the seeds.
type session struct {
	name string       // immutable
	used atomic.Int64 // last use, UnixNano of Store.now; 0 = never. Atomic: the default session is touched without Store.mu
	elem *list.Element

	// mu guards colls, n, seq and gone. Readers (Get, List, Resources) take it shared;
	// writers (Update, UpdateAll, Delete, Reset) take it exclusively, fn included.
	mu    sync.RWMutex
	colls map[collKey]*overlay
	n     int    // slots across colls (records and tombstones)
	seq   uint64 // last creation number handed out
	// gone is set once the session is evicted and its slots no longer count in
	// Store.total; a request that still holds it may write on, uncounted.
	gone bool
}

// Store is a concurrency-safe, session-isolated record store. Create it with New.
type Store struct {
	lim Limits
	now func() time.Time

	// seeds is written only by Seed, before serving, and read-only afterwards: it
	// needs no lock.
	seeds map[collKey]*seedColl
	// def is the default session "": created by New, never evicted, not in the table.
	def *session

	// mu guards sessions, lru, evicted and every named session's elem (its LRU
	// position). It is never held while waiting for a session's mu.
	mu       sync.Mutex
	sessions map[string]*session
	lru      *list.List // of *session, most recently used at the front
	// evicted are the sessions dropped from the table whose slots still count in total:
	// settled by unlock, after mu is released, since that takes their locks.
	evicted []*session

	// total counts the slots of every live session (the default one included), for
	// MaxTotalRecords. Changed under the session's lock, with the session's n.
	total atomic.Int64
}

// New returns an empty store. now is the clock (nil means time.Now).
func New(lim Limits, now func() time.Time) *Store {
	if lim.MaxSessions <= 0 {
		lim.MaxSessions = DefaultMaxSessions
	}
	if lim.MaxRecords <= 0 {
		lim.MaxRecords = DefaultMaxRecords
	}
	if lim.IdleTTL <= 0 {
		lim.IdleTTL = DefaultIdleTTL
	}
	if lim.MaxTotalRecords <= 0 {
		lim.MaxTotalRecords = DefaultMaxTotalRecords
	}
	if now == nil {
		now = time.Now
	}
	return &Store{
		lim:      lim,
		now:      now,
		seeds:    map[collKey]*seedColl{},
		def:      newSession(""),
		sessions: map[string]*session{},
		lru:      list.New(),
	}
}

func newSession(name string) *session {
	return &session{name: name, colls: map[collKey]*overlay{}}
}

// Limits returns the effective limits (defaults filled in).
func (s *Store) Limits() Limits { return s.lim }

// Seed adds a record visible to every session. Call it only before serving: it is
// not safe concurrently with other calls. The order of Seed calls is the listing
// order; seeding an ID again replaces its record in place. A nil rec is stored as {}.
func (s *Store) Seed(ref Ref, rec Record) {
	k := collKey{ref.Resource, ref.Scope}
	sc := s.seeds[k]
	if sc == nil {
		sc = &seedColl{recs: map[string]Record{}, memos: map[string]*Memo{}}
		s.seeds[k] = sc
	}
	if _, ok := sc.recs[ref.ID]; !ok {
		sc.ids = append(sc.ids, ref.ID)
	}
	sc.recs[ref.ID] = normalize(copyRecord(rec))
	sc.memos[ref.ID] = new(Memo)
}

// Get returns a deep copy of the record as the session sees it.
func (s *Store) Get(session string, ref Ref) (Record, bool) {
	ss := s.lookup(session, false, true)
	if ss != nil {
		ss.mu.RLock()
	}
	rec, ok := s.get(ss, collKey{ref.Resource, ref.Scope}, ref.ID)
	if ss != nil {
		ss.mu.RUnlock()
	}
	return copyRecord(rec), ok // stored records are immutable: copy outside the lock
}

// Peek returns the record as the session sees it without copying it, with its Memo. The
// record is shared with the store and every other reader: the caller must not change it.
func (s *Store) Peek(session string, ref Ref) (Record, *Memo, bool) {
	ss := s.lookup(session, false, true)
	if ss != nil {
		ss.mu.RLock()
		defer ss.mu.RUnlock()
	}
	return s.peek(ss, collKey{ref.Resource, ref.Scope}, ref.ID)
}

// List returns the session's records of one resource and scope: seeds first in Seed
// order, then the records the session created, in creation order. A seed the session
// deleted and then re-created counts as created. The records are deep copies.
func (s *Store) List(session, resource, scope string) []Entry {
	ss := s.lookup(session, false, true)
	if ss != nil {
		ss.mu.RLock()
	}
	out := s.list(ss, collKey{resource, scope})
	if ss != nil {
		ss.mu.RUnlock()
	}
	copyEntries(out)
	return out
}

// Update atomically reads, changes and writes one record. fn gets a deep copy of the
// current record (nil, false if absent) and a read-only View of the session, and
// returns the new record, or nil to delete it, or an error to abort (returned as is,
// with no change). fn runs under the session's write lock, so concurrent Updates of
// one session are serialised and none is lost; fn must not call the Store.
//
// Update returns the record as stored (nil after a delete). It fails with ErrFull
// when storing needs a new overlay entry and the session already holds MaxRecords;
// deletes never fail that way (a tombstone hides a seed, so tombstones are bounded by
// the seeds). The first write to an unknown session creates it.
func (s *Store) Update(session string, ref Ref, fn func(cur Record, exists bool, v View) (Record, error)) (Record, error) {
	ss := s.lookup(session, true, true)
	k := collKey{ref.Resource, ref.Scope}
	if s.total.Load() >= int64(s.lim.MaxTotalRecords) {
		ss.mu.RLock()
		rewrite := ss.slot(k, ref.ID) != nil
		ss.mu.RUnlock()
		if !rewrite {
			s.makeRoom(ss) // a new slot: evict others first
		}
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	cur, ok := s.get(ss, k, ref.ID)
	next, err := fn(copyRecord(cur), ok, view{s, ss})
	if err != nil {
		return nil, err
	}
	if next == nil {
		if ok {
			s.del(ss, k, ref.ID)
		}
		return nil, nil
	}
	if err := s.put(ss, k, ref.ID, copyRecord(next), true); err != nil {
		return nil, err
	}
	return next, nil // the store keeps its own copy; next is the caller's
}

// UpdateAll atomically applies fn to every record of resource/scope for which match
// returns true (nil match: every record), in List order. match and fn get the same
// deep copy of each record. fn returns the new record, or nil to delete it; the new
// records are returned in List order (deleted ones omitted). An error from fn aborts
// the whole batch with no change, as does ErrFull (checked before anything is
// written). fn runs under the session's write lock and must not call the Store.
func (s *Store) UpdateAll(session, resource, scope string, match func(Record) bool, fn func(cur Record, v View) (Record, error)) ([]Entry, error) {
	ss := s.lookup(session, true, true)
	s.makeRoom(ss)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	k := collKey{resource, scope}
	type change struct {
		id   string
		next Record // the caller's; nil: delete
	}
	var changes []change
	for _, e := range s.list(ss, k) {
		cur := copyRecord(e.Record)
		if match != nil && !match(cur) {
			continue
		}
		next, err := fn(cur, view{s, ss})
		if err != nil {
			return nil, err
		}
		changes = append(changes, change{e.ID, next})
	}
	// Capacity: writes that need a new slot (a seed not yet overridden) against the
	// slots freed by deleting created records. Tombstones are exempt, as in Delete.
	need, free := 0, 0
	ov := ss.colls[k]
	for _, c := range changes {
		var sl *slot
		if ov != nil {
			sl = ov.slots[c.id]
		}
		switch {
		case c.next != nil && sl == nil:
			need++
		case c.next == nil && sl != nil && !s.isSeed(k, c.id):
			free++
		}
	}
	if need > 0 && (ss.n+need-free > s.lim.MaxRecords || s.total.Load()+int64(need-free) > int64(s.lim.MaxTotalRecords)) {
		return nil, ErrFull
	}
	out := make([]Entry, 0, len(changes))
	for _, c := range changes {
		if c.next == nil {
			s.del(ss, k, c.id)
			continue
		}
		_ = s.put(ss, k, c.id, copyRecord(c.next), false) // capacity checked above
		out = append(out, Entry{c.id, c.next})
	}
	return out, nil
}

// Delete removes a record from the session's view: a created record is dropped, a
// seed record is hidden (in that session only) by a tombstone. It reports whether the
// record existed. Deleting never fails with ErrFull.
func (s *Store) Delete(session string, ref Ref) bool {
	k := collKey{ref.Resource, ref.Scope}
	ss := s.lookup(session, false, true)
	if ss == nil {
		if !s.isSeed(k, ref.ID) {
			return false // nothing to hide: don't create the session
		}
		ss = s.lookup(session, true, true)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return s.del(ss, k, ref.ID)
}

// Deleted reports whether the session deleted the record (it then stays absent until written
// again or the session is reset), as opposed to never having had it.
func (s *Store) Deleted(session string, ref Ref) bool {
	ss := s.lookup(session, false, true)
	if ss == nil {
		return false
	}
	ss.mu.RLock()
	defer ss.mu.RUnlock()
	sl := ss.slot(collKey{ref.Resource, ref.Scope}, ref.ID)
	return sl != nil && sl.rec == nil
}

// Reset drops a session's writes: it sees the seeds again. Unknown sessions are left
// alone.
func (s *Store) Reset(session string) {
	if ss := s.lookup(session, false, true); ss != nil {
		s.clear(ss)
	}
}

// ResetAll drops every session's writes.
func (s *Store) ResetAll() {
	for _, ss := range s.snapshot() {
		s.clear(ss)
	}
}

// Sessions lists the live sessions, sorted by name; the default session "" is always
// first. Listing does not count as use.
func (s *Store) Sessions() []SessionInfo {
	all := s.snapshot()
	out := make([]SessionInfo, 0, len(all))
	for _, ss := range all {
		ss.mu.RLock()
		n := ss.n
		ss.mu.RUnlock()
		var last time.Time
		if u := ss.used.Load(); u != 0 {
			last = time.Unix(0, u)
		}
		out = append(out, SessionInfo{Name: ss.name, Records: n, LastUsed: last})
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Resources lists every resource and scope in which the session sees at least one
// record, sorted by resource then scope. It does not count as use of the session.
func (s *Store) Resources(session string) []ResourceInfo {
	ss := s.lookup(session, false, false)
	if ss != nil {
		ss.mu.RLock()
		defer ss.mu.RUnlock()
	}
	keys := make([]collKey, 0, len(s.seeds))
	for k := range s.seeds {
		keys = append(keys, k)
	}
	if ss != nil {
		for k := range ss.colls {
			if _, ok := s.seeds[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, func(a, b collKey) int {
		return cmp.Or(cmp.Compare(a.resource, b.resource), cmp.Compare(a.scope, b.scope))
	})
	var out []ResourceInfo
	for _, k := range keys {
		if n := s.count(ss, k); n > 0 {
			out = append(out, ResourceInfo{Resource: k.resource, Scope: k.scope, Count: n})
		}
	}
	return out
}

// --- session table (Store.mu) ---

// lookup finds a session, evicting idle sessions first. With create, an unknown
// session is created (evicting the least recently used past MaxSessions); without, it
// is reported as nil. With touch, the lookup counts as use.
func (s *Store) lookup(name string, create, touch bool) *session {
	now := s.now().UnixNano()
	if name == "" {
		if touch {
			s.def.used.Store(now)
		}
		return s.def
	}
	s.mu.Lock()
	defer s.unlock()
	s.sweepLocked(now)
	ss := s.sessions[name]
	if ss != nil && s.idle(ss, now) { // only if the clock went backwards past the sweep
		s.evictLocked(ss)
		ss = nil
	}
	if ss == nil {
		if !create {
			return nil
		}
		ss = newSession(name)
		ss.used.Store(now)
		ss.elem = s.lru.PushFront(ss)
		s.sessions[name] = ss
		for s.lru.Len() > s.lim.MaxSessions {
			s.evictLocked(s.lru.Back().Value.(*session))
		}
		return ss
	}
	if touch {
		ss.used.Store(now)
		s.lru.MoveToFront(ss.elem)
	}
	return ss
}

func (s *Store) idle(ss *session, now int64) bool {
	return time.Duration(now-ss.used.Load()) >= s.lim.IdleTTL
}

// sweepLocked evicts idle sessions from the back of the LRU list (the least recently
// used, which are the oldest). s.mu must be held.
func (s *Store) sweepLocked(now int64) {
	for e := s.lru.Back(); e != nil; e = s.lru.Back() {
		ss := e.Value.(*session)
		if !s.idle(ss, now) {
			return
		}
		s.evictLocked(ss)
	}
}

// evictLocked drops a session from the table. A request already holding it finishes
// on the orphan; the next request for the name starts fresh. s.mu must be held.
func (s *Store) evictLocked(ss *session) {
	s.lru.Remove(ss.elem)
	delete(s.sessions, ss.name)
	s.evicted = append(s.evicted, ss)
}

// snapshot returns the default session and the live named ones, after evicting idle
// ones.
func (s *Store) snapshot() []*session {
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.unlock()
	s.sweepLocked(now)
	out := make([]*session, 0, 1+s.lru.Len())
	out = append(out, s.def)
	for e := s.lru.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*session))
	}
	return out
}

func (s *Store) clear(ss *session) {
	ss.mu.Lock()
	s.tally(ss, -ss.n)
	ss.colls = map[collKey]*overlay{}
	ss.n = 0
	ss.mu.Unlock()
}

// tally adds delta slots to the session's share of total (ss.mu held).
func (s *Store) tally(ss *session, delta int) {
	if !ss.gone {
		s.total.Add(int64(delta))
	}
}

// makeRoom evicts the least recently used named sessions other than ss until the store
// has room for one more slot, or nobody else is left to evict. It takes no lock the
// caller may hold: call it before taking ss.mu.
func (s *Store) makeRoom(ss *session) {
	for s.total.Load() >= int64(s.lim.MaxTotalRecords) {
		s.mu.Lock()
		var victim *session
		for e := s.lru.Back(); e != nil; e = e.Prev() {
			if v := e.Value.(*session); v != ss {
				victim = v
				break
			}
		}
		if victim == nil {
			s.mu.Unlock()
			return
		}
		s.evictLocked(victim)
		s.unlock()
	}
}

// unlock releases s.mu, then settles the sessions evicted meanwhile: their slots stop
// counting in total. Their locks cannot be taken while s.mu is held.
func (s *Store) unlock() {
	victims := s.evicted
	s.evicted = nil
	s.mu.Unlock()
	for _, ss := range victims {
		ss.mu.Lock()
		s.tally(ss, -ss.n)
		ss.gone = true
		ss.mu.Unlock()
	}
}

// --- reads and writes of one session (caller holds the session's lock; ss may be
// nil for reads: the seeds alone) ---

func (s *Store) isSeed(k collKey, id string) bool {
	sc := s.seeds[k]
	if sc == nil {
		return false
	}
	_, ok := sc.recs[id]
	return ok
}

func (ss *session) slot(k collKey, id string) *slot {
	if ss == nil {
		return nil
	}
	if ov := ss.colls[k]; ov != nil {
		return ov.slots[id]
	}
	return nil
}

// get returns the stored record (not a copy).
func (s *Store) get(ss *session, k collKey, id string) (Record, bool) {
	rec, _, ok := s.peek(ss, k, id)
	return rec, ok
}

// peek returns the stored record (not a copy) and its memo.
func (s *Store) peek(ss *session, k collKey, id string) (Record, *Memo, bool) {
	if sl := ss.slot(k, id); sl != nil {
		return sl.rec, sl.memo, sl.rec != nil
	}
	if sc := s.seeds[k]; sc != nil {
		if rec, ok := sc.recs[id]; ok {
			return rec, sc.memos[id], true
		}
	}
	return nil, nil, false
}

// list returns the stored records (not copies) in listing order.
func (s *Store) list(ss *session, k collKey) []Entry {
	sc := s.seeds[k]
	var ov *overlay
	if ss != nil {
		ov = ss.colls[k]
	}
	n := 0
	if sc != nil {
		n += len(sc.ids)
	}
	if ov != nil {
		n += ov.live
	}
	out := make([]Entry, 0, n)
	if sc != nil {
		for _, id := range sc.ids {
			if ov != nil {
				if sl := ov.slots[id]; sl != nil {
					if sl.rec != nil && sl.seq == 0 {
						out = append(out, Entry{id, sl.rec})
					}
					continue // hidden, or re-created and listed below
				}
			}
			out = append(out, Entry{id, sc.recs[id]})
		}
	}
	if ov != nil {
		for _, e := range ov.order {
			if sl := ov.slots[e.id]; sl != nil && sl.rec != nil && sl.seq == e.seq {
				out = append(out, Entry{e.id, sl.rec})
			}
		}
	}
	return out
}

// count is len(list(ss, k)) without building it.
func (s *Store) count(ss *session, k collKey) int {
	n := 0
	var ov *overlay
	if ss != nil {
		ov = ss.colls[k]
	}
	if sc := s.seeds[k]; sc != nil {
		n = len(sc.ids)
		if ov != nil {
			for id, sl := range ov.slots {
				if s.isSeed(k, id) && (sl.rec == nil || sl.seq != 0) {
					n-- // a hidden seed, or a re-created one (counted in live)
				}
			}
		}
	}
	if ov != nil {
		n += ov.live
	}
	return n
}

// put stores rec (already a private copy) under id. With limit, a write needing a
// new slot fails with ErrFull when the session holds MaxRecords slots, or the store
// MaxTotalRecords.
func (s *Store) put(ss *session, k collKey, id string, rec Record, limit bool) error {
	ov := ss.colls[k]
	if ov != nil {
		if sl := ov.slots[id]; sl != nil {
			if sl.rec == nil { // a hidden seed re-created: listed as a creation
				ss.seq++
				sl.seq = ss.seq
				ov.order = append(ov.order, orderEnt{id, sl.seq})
				ov.live++
			}
			sl.rec, sl.memo = rec, new(Memo)
			return nil
		}
	}
	if limit && (ss.n >= s.lim.MaxRecords || s.total.Load() >= int64(s.lim.MaxTotalRecords)) {
		return ErrFull
	}
	if ov == nil {
		ov = &overlay{slots: map[string]*slot{}}
		ss.colls[k] = ov
	}
	sl := &slot{rec: rec, memo: new(Memo)}
	if !s.isSeed(k, id) {
		ss.seq++
		sl.seq = ss.seq
		ov.order = append(ov.order, orderEnt{id, sl.seq})
		ov.live++
	}
	ov.slots[id] = sl
	ss.n++
	s.tally(ss, 1)
	return nil
}

// del removes id from the session's view and reports whether it was visible.
func (s *Store) del(ss *session, k collKey, id string) bool {
	ov := ss.colls[k]
	if sl := ss.slot(k, id); sl != nil {
		if sl.rec == nil {
			return false // already hidden
		}
		if sl.seq != 0 {
			ov.live--
		}
		// A tombstone, for seeds and the session's own records alike: Deleted can then tell a
		// record that was removed from one that never existed. It takes the record's slot, so
		// the count of slots does not change.
		sl.rec, sl.memo, sl.seq = nil, nil, 0
		if len(ov.order) > 32 && len(ov.order) > 2*ov.live {
			ov.compact()
		}
		return true
	}
	if !s.isSeed(k, id) {
		return false
	}
	if ov == nil {
		ov = &overlay{slots: map[string]*slot{}}
		ss.colls[k] = ov
	}
	ov.slots[id] = &slot{} // tombstone; never ErrFull: bounded by the seeds
	ss.n++
	s.tally(ss, 1)
	return true
}

// compact drops the stale entries of order.
func (ov *overlay) compact() {
	kept := make([]orderEnt, 0, ov.live)
	for _, e := range ov.order {
		if sl := ov.slots[e.id]; sl != nil && sl.rec != nil && sl.seq == e.seq {
			kept = append(kept, e)
		}
	}
	ov.order = kept
}

// view is the View passed to Update and UpdateAll.
type view struct {
	s  *Store
	ss *session
}

func (v view) Get(ref Ref) (Record, bool) {
	rec, ok := v.s.get(v.ss, collKey{ref.Resource, ref.Scope}, ref.ID)
	return copyRecord(rec), ok
}

func (v view) List(resource, scope string) []Entry {
	out := v.s.list(v.ss, collKey{resource, scope})
	copyEntries(out)
	return out
}

// --- deep copies ---

func normalize(r Record) Record {
	if r == nil {
		return Record{}
	}
	return r
}

func copyEntries(es []Entry) {
	for i := range es {
		es[i].Record = copyRecord(es[i].Record)
	}
}

// copyRecord deep-copies a record; nil stays nil.
func copyRecord(r Record) Record {
	if r == nil {
		return nil
	}
	out := make(Record, len(r))
	for k, v := range r {
		out[k] = copyValue(v)
	}
	return out
}

// copyValue deep-copies map[string]any and []any; anything else is copied by value.
func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return t
		}
		return copyRecord(t)
	case []any:
		if t == nil {
			return t
		}
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = copyValue(x)
		}
		return out
	default:
		return v
	}
}

// Adopt copies into s (a new store, before it serves) every session's writes of the resources
// keep accepts, from old: what a reload does so that state survives for the resources that
// still exist. Writes old takes while Adopt runs may be missed.
func (s *Store) Adopt(old *Store, keep func(resource string) bool) {
	for _, from := range old.snapshot() {
		from.mu.RLock()
		var to *session
		for k, ov := range from.colls {
			if !keep(k.resource) {
				continue
			}
			if to == nil {
				to = s.lookup(from.name, true, false)
				to.used.Store(from.used.Load())
			}
			c := &overlay{slots: make(map[string]*slot, len(ov.slots)), order: append([]orderEnt(nil), ov.order...), live: ov.live}
			for id, sl := range ov.slots {
				c.slots[id] = &slot{rec: sl.rec, memo: new(Memo), seq: sl.seq} // records are never changed in place: sharing them is safe
			}
			to.colls[k] = c
			to.n += len(c.slots)
			s.total.Add(int64(len(c.slots)))
		}
		if to != nil {
			to.seq = max(to.seq, from.seq)
		}
		from.mu.RUnlock()
	}
}
