// Package state is the mock server's in-memory resource store.
//
// Records (JSON objects) are stored per resource ("pets"), scope (the values of the
// parent path parameters joined by "/") and ID. A store has one immutable seed layer,
// loaded at start-up, and any number of sessions (named by the X-Mock-Session header;
// "" is the default session). Each session sees a copy-on-write view of the seeds: its
// own writes live in an overlay that replaces, hides (tombstones) or adds to the seed
// records, so parallel clients naming different sessions never see each other's writes.
//
// Two lifetimes. The seed layer belongs to one Store: a reload builds a new Store with
// the seeds read from the fixtures as they are now. The sessions (the runtime state:
// the session table, every overlay, the budgets' counts) live in a table a Store holds
// by pointer; Handover gives a new Store the old one's table itself, not a copy, so that
// a write either version acknowledges is seen by both.
//
// Locking. table.mu guards the session table (the map and the LRU list); each session's
// own RWMutex guards its overlay. No goroutine ever waits for a session lock while
// holding table.mu, and no code path takes two session locks, so the locks cannot
// deadlock each other. Stored records are never mutated once stored (a write replaces
// the whole record), which lets readers decode them after releasing the lock.
//
// Representation. A session's records are kept encoded, one []byte each with no pointers
// in it, in slots found through a map keyed by the hash of their IDs (codec.go,
// overlay.go): however many records the sessions hold, the collector marks one small
// object a record and scans none of them, where decoded maps cost it a dozen objects a
// record (with 100,000 records, 33 ms of marking a cycle against 1.3 ms: BenchmarkGCMark).
// Get, List, Update and View decode private copies; Peek keeps the copies it decodes, with
// their memos, for the records read last (hot.go). The seed layer, small and read-only,
// stays decoded.
//
// Bounds. At most Limits.MaxSessions named sessions are kept (least recently used
// evicted first) and a session unused for Limits.IdleTTL is evicted; both are checked
// lazily when sessions are looked up, with no background goroutine. A session's overlay
// holds at most Limits.MaxRecords entries and Limits.MaxBytes (an estimate of the memory
// its records take, see Limits), and all sessions together at most
// Limits.MaxTotalRecords entries and Limits.MaxTotalBytes: past a total, a write first
// evicts the least recently used other sessions. A write that cannot fit fails with a
// *FullError naming the bound it hit; every such error is ErrFull for errors.Is.
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
//
// Bytes are an estimate of the heap a record takes, worked out once when it is stored, by
// the walk that encodes it (size.go): its encoding (the ID included, rounded up as the
// allocator does), its string values' bytes once more (the encoded answer the server may
// keep in the record's memo), and about 180 bytes for the entry itself. It stays within
// about 40% of the heap measured, above it for small records (TestSizeEstimate). A record
// the encoding does not know (holding a value of a type JSON does not have) is kept
// decoded, and counted as Go's map layout: about 340 bytes an object up to 8 keys, ~40 a
// key beyond, its keys, 16 bytes an array element, 16 a number, a string's header and
// bytes (twice).
type Limits struct {
	MaxSessions int           // sessions kept besides the default one (0 → 1000); past it the least recently used is evicted
	MaxRecords  int           // records a session may hold in its own writes (0 → 10000); a write past it fails
	IdleTTL     time.Duration // a session unused this long is evicted (0 → 1h); the default session ("") never is
	// MaxTotalRecords bounds the records of all sessions together (0 → 100000; the bench's
	// sessions run fills it with three-field records estimated at about 23 MB). A write past it
	// evicts the least recently used other named sessions until there is room; when there
	// is none (the writer and the default session hold the rest), it fails.
	MaxTotalRecords int
	// MaxBytes bounds the estimated bytes of one session's records (0 → DefaultMaxBytes);
	// a write that would take the session past it fails.
	MaxBytes int64
	// MaxTotalBytes bounds the estimated bytes of all sessions' records together (0 →
	// DefaultMaxTotalBytes). A write past it evicts the least recently used other named
	// sessions until there is room; when there is none, it fails.
	MaxTotalBytes int64
}

// Default limits.
const (
	DefaultMaxSessions = 1000
	DefaultMaxRecords  = 10000
	DefaultIdleTTL     = time.Hour
	// DefaultMaxTotalRecords is MaxTotalRecords when unset.
	DefaultMaxTotalRecords = 100000
	// DefaultMaxBytes is MaxBytes when unset: room for a few records of the largest body
	// the server accepts by default (10 MiB), and far more than a test session writes.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxTotalBytes is MaxTotalBytes when unset. The estimate tracks the heap the
	// records take (TestSizeEstimate); with the collector letting the heap grow to about
	// twice what is live, 192 MiB of records keeps a server with a large description
	// loaded (~100 MB) under about 512 MB whatever clients send. It is three times
	// DefaultMaxBytes, so that once the other sessions are evicted a write the writer's
	// own limit allows always fits beside a full default session.
	DefaultMaxTotalBytes = 3 * DefaultMaxBytes
)

// ErrFull is what every refused write is for errors.Is: a write that would take a session
// past Limits.MaxRecords or Limits.MaxBytes, or the store past Limits.MaxTotalRecords or
// Limits.MaxTotalBytes when evicting other sessions cannot make room. The error returned
// is a *FullError, which says which.
var ErrFull = errors.New("state: session record limit reached")

// SessionInfo describes one live session.
type SessionInfo struct {
	Name     string    // "" for the default session
	Records  int       // entries in the session's own overlay (writes and tombstones)
	Bytes    int64     // their estimated size (see Limits)
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

// Store is a concurrency-safe, session-isolated record store. Create it with New.
type Store struct {
	// seeds is written only by Seed, before serving, and read-only afterwards: it
	// needs no lock. It is this Store's own: Handover keeps it.
	seeds map[collKey]*seedColl
	// t holds the sessions; Handover replaces it, before serving, by another Store's.
	t *table
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
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultMaxBytes
	}
	if lim.MaxTotalBytes <= 0 {
		lim.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if now == nil {
		now = time.Now
	}
	return &Store{seeds: map[collKey]*seedColl{}, t: newTable(lim, now)}
}

// Limits returns the effective limits (defaults filled in).
func (s *Store) Limits() Limits { return s.t.lim }

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
	ss := s.t.lookup(session, false, true)
	if ss != nil {
		ss.mu.RLock()
		defer ss.mu.RUnlock()
	}
	return s.read(ss, collKey{ref.Resource, ref.Scope}, ref.ID)
}

// Peek returns the record as the session sees it without copying it, with its Memo. The
// record is shared with the store and every other reader: the caller must not change it.
// A session's record is decoded once for every version and kept, with its memo, while it is
// among the records read last (hot.go): the memo of a version read again after it fell out
// is a new one, and a record too large to keep has none (nil).
func (s *Store) Peek(session string, ref Ref) (Record, *Memo, bool) {
	return s.peek(s.t.lookup(session, false, true), collKey{ref.Resource, ref.Scope}, ref.ID)
}

// List returns the session's records of one resource and scope: seeds first in Seed
// order, then the records the session created, in creation order. A seed the session
// deleted and then re-created counts as created. The records are deep copies.
func (s *Store) List(session, resource, scope string) []Entry {
	ss := s.t.lookup(session, false, true)
	if ss != nil {
		ss.mu.RLock()
		defer ss.mu.RUnlock()
	}
	return s.list(ss, collKey{resource, scope})
}

// Update atomically reads, changes and writes one record. fn gets a deep copy of the
// current record (nil, false if absent) and a read-only View of the session, and
// returns the new record, or nil to delete it, or an error to abort (returned as is,
// with no change). fn runs under the session's write lock, so concurrent Updates of
// one session are serialised and none is lost; fn must not call the Store. When the
// store is full of other sessions' records, fn may run again after they are evicted:
// only the run whose result is stored (or whose error is returned) counts.
//
// Update returns the record as stored (nil after a delete). It fails with a *FullError
// (errors.Is ErrFull) when storing would take the session past MaxRecords entries or
// MaxBytes, or the store past a total that evicting every other named session cannot
// bring it under; deletes never fail that way (a tombstone hides a seed, so tombstones are
// bounded by the seeds). The first write to an unknown session creates it.
func (s *Store) Update(session string, ref Ref, fn func(cur Record, exists bool, v View) (Record, error)) (Record, error) {
	k := collKey{ref.Resource, ref.Scope}
	var rm room
	defer s.t.release(&rm)
	for {
		ss := s.t.lookup(session, true, true)
		rec, err := s.update(ss, k, ref.ID, fn, &rm)
		if !s.again(ss, err, &rm) {
			return rec, err
		}
	}
}

// errGone is what a write to a session evicted meanwhile fails with, to be tried again on
// the session of that name now: what it wrote would be lost with the session, uncounted.
var errGone = errors.New("state: the session was evicted")

// again reports whether a write to ss that failed with err is to be tried again: when ss was
// evicted before the write took it (errGone); when a total refused it and evicting other
// sessions made room for it, reserved in rm; or when
// nobody is left to evict but what was refused includes new tombstones, which the next try
// (rm.force) keeps anyway. When it is not, a total's refusal is completed with who holds
// the total.
//
// Each try again holds more room than the last (or forces), so a write is refused only
// once nobody is left to evict: however many writers compete for the room, what makeRoom
// reserved for this one is its own.
func (s *Store) again(ss *session, err error, rm *room) bool {
	if err == errGone {
		return true
	}
	var fe *FullError
	if !errors.As(err, &fe) || !fe.Bound.total() {
		return false
	}
	for {
		b := s.t.makeRoom(ss, fe.need, rm)
		switch {
		case b == 0:
			return true
		case fe.tomb && !rm.force:
			rm.force = true
			return true
		case s.t.explain(ss, fe, b, rm):
			return false
		}
	}
}

func (s *Store) update(ss *session, k collKey, id string, fn func(cur Record, exists bool, v View) (Record, error), rm *room) (Record, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.gone {
		return nil, errGone
	}
	ov, i := ss.find(k, id) // fn cannot change the session: the slot stays where it is
	cur, ok := s.readAt(ov, i, k, id)
	next, err := fn(cur, ok, view{s, ss})
	if err != nil {
		return nil, err
	}
	if next == nil {
		if ok {
			if _, err := s.del(ss, k, id, rm); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	e := newEntry(id, next) // the store keeps its own encoding; next is the caller's
	c := charge{1, e.size}
	if i >= 0 {
		c = charge{0, e.size - ov.slots[i].size}
	}
	if err := s.t.admit(ss, c, charge{}, rm); err != nil {
		return nil, err
	}
	s.putAt(ss, k, id, ov, i, e)
	return next, nil
}

// UpdateAll atomically applies fn to every record of resource/scope for which match
// returns true (nil match: every record), in List order. match and fn get the same
// deep copy of each record. fn returns the new record, or nil to delete it; the new
// records are returned in List order (deleted ones omitted). An error from fn aborts
// the whole batch with no change, as does a *FullError (checked before anything is
// written). fn runs under the session's write lock and must not call the Store; as in
// Update, the batch may run again after other sessions are evicted to make room.
func (s *Store) UpdateAll(session, resource, scope string, match func(Record) bool, fn func(cur Record, v View) (Record, error)) ([]Entry, error) {
	k := collKey{resource, scope}
	var rm room
	defer s.t.release(&rm)
	for {
		ss := s.t.lookup(session, true, true)
		out, err := s.updateAll(ss, k, match, fn, &rm)
		if !s.again(ss, err, &rm) {
			return out, err
		}
	}
}

func (s *Store) updateAll(ss *session, k collKey, match func(Record) bool, fn func(cur Record, v View) (Record, error), rm *room) ([]Entry, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.gone {
		return nil, errGone
	}
	type change struct {
		id   string
		next Record // the caller's; nil: delete
		e    entry  // the store's encoding of next
	}
	var changes []change
	for _, e := range s.list(ss, k) {
		cur := e.Record // a private copy
		if match != nil && !match(cur) {
			continue
		}
		next, err := fn(cur, view{s, ss})
		if err != nil {
			return nil, err
		}
		c := change{id: e.ID, next: next}
		if next != nil {
			c.e = newEntry(e.ID, next)
		}
		changes = append(changes, c)
	}
	// Capacity: writes that need a new entry (a seed not yet overridden), and the bytes
	// of the whole batch, deletes giving theirs back. New tombstones (deleted seeds) are
	// exempt from the session's bounds, as in Delete: only the totals may send the batch
	// back to make room, and once nobody is left to evict they are counted, never refused.
	var need, tombs charge
	for _, c := range changes {
		ov, i := ss.find(k, c.id)
		switch {
		case c.next != nil && i < 0:
			need.slots++
			need.bytes += c.e.size
		case c.next != nil:
			need.bytes += c.e.size - ov.slots[i].size
		case i >= 0:
			need.bytes += tombSize(len(c.id)) - ov.slots[i].size
		default:
			tombs.slots++
			tombs.bytes += tombSize(len(c.id))
		}
	}
	if err := s.t.admit(ss, need, tombs, rm); err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(changes))
	for _, c := range changes {
		switch ov, i := ss.find(k, c.id); {
		case c.next != nil:
			s.put(ss, k, c.id, c.e)
			out = append(out, Entry{c.id, c.next})
		case i >= 0:
			ov.hide(i)
		default:
			s.tombstone(ss, k, c.id)
		}
	}
	return out, nil
}

// Delete removes a record from the session's view: a created record is dropped, a
// seed record is hidden (in that session only) by a tombstone. It reports whether the
// record existed. Deleting never fails with ErrFull: a tombstone the totals have no room
// for first evicts other sessions, as a write does, and is kept when none is left.
func (s *Store) Delete(session string, ref Ref) bool {
	k := collKey{ref.Resource, ref.Scope}
	ss := s.t.lookup(session, false, true)
	if ss == nil {
		if !s.isSeed(k, ref.ID) {
			return false // nothing to hide: don't create the session
		}
		ss = s.t.lookup(session, true, true)
	}
	var rm room
	defer s.t.release(&rm)
	for {
		ok, err := false, errGone
		ss.mu.Lock()
		if !ss.gone {
			ok, err = s.del(ss, k, ref.ID, &rm)
		}
		ss.mu.Unlock()
		if !s.again(ss, err, &rm) {
			return ok
		}
		ss = s.t.lookup(session, true, true)
	}
}

// Written reports whether the session wrote the collection (resource and scope): created,
// changed or deleted one of its records, since the session began or was last reset. A
// collection a session emptied is written; one it never touched is not.
func (s *Store) Written(session, resource, scope string) bool {
	ss := s.t.lookup(session, false, true)
	if ss == nil {
		return false
	}
	ss.mu.RLock()
	defer ss.mu.RUnlock()
	ov := ss.colls[collKey{resource, scope}]
	return ov != nil && len(ov.slots) > 0
}

// Deleted reports whether the session deleted the record (it then stays absent until written
// again or the session is reset), as opposed to never having had it.
func (s *Store) Deleted(session string, ref Ref) bool {
	ss := s.t.lookup(session, false, true)
	if ss == nil {
		return false
	}
	ss.mu.RLock()
	defer ss.mu.RUnlock()
	ov, i := ss.find(collKey{ref.Resource, ref.Scope}, ref.ID)
	return i >= 0 && ov.slots[i].tomb
}

// Reset drops a session's writes: it sees the seeds again. Unknown sessions are left
// alone.
func (s *Store) Reset(session string) {
	if ss := s.t.lookup(session, false, true); ss != nil {
		s.t.clear(ss, nil)
	}
}

// ResetAll drops every session's writes.
func (s *Store) ResetAll() {
	for _, ss := range s.t.snapshot() {
		s.t.clear(ss, nil)
	}
}

// Sessions lists the live sessions, sorted by name; the default session "" is always
// first. Listing does not count as use.
func (s *Store) Sessions() []SessionInfo {
	all := s.t.snapshot()
	out := make([]SessionInfo, 0, len(all))
	for _, ss := range all {
		ss.mu.RLock()
		n, b := ss.n, ss.bytes
		ss.mu.RUnlock()
		var last time.Time
		if u := ss.used.Load(); u != 0 {
			last = time.Unix(0, u)
		}
		out = append(out, SessionInfo{Name: ss.name, Records: n, Bytes: b, LastUsed: last})
	}
	slices.SortFunc(out, func(a, b SessionInfo) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Resources lists every resource and scope in which the session sees at least one
// record, sorted by resource then scope. It does not count as use of the session.
func (s *Store) Resources(session string) []ResourceInfo {
	ss := s.t.lookup(session, false, false)
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

// Handover makes s, a new store that has not served yet, take over old's sessions: the
// very table old uses (its sessions, their locks, records, LRU order and budget counts,
// with old's limits and clock), not a copy, so that a write acknowledged through old, before
// or after the handover, is seen through s, and the other way round. s keeps its own seed
// layer: each session's writes are read over s's seeds from now on (a record that replaced
// a seed s no longer has is listed with the session's creations; a tombstone hides the seed
// of its ID if s has one). Whatever s held in its own sessions is discarded.
//
// Every session's writes to a resource keep rejects are dropped, their records and bytes
// given back to the budgets; writes to other resources are untouched. A write old is
// still making to such a resource may outlive the drop, unseen by s's callers that know
// no such resource.
//
// After Handover, old and s share their sessions: Reset, ResetAll and writes through
// either are seen by both. old stays usable, for the requests it is still answering.
func (s *Store) Handover(old *Store, keep func(resource string) bool) {
	s.t = old.t
	if keep == nil {
		return
	}
	for _, ss := range s.t.snapshot() {
		s.t.clear(ss, func(k collKey) bool { return !keep(k.resource) })
	}
}

// table holds the sessions: the runtime state Handover passes on.
type table struct {
	lim Limits
	now func() time.Time
	// def is the default session "": created with the table, never evicted, not in sessions.
	def *session

	// mu guards sessions, lru, evicted and every named session's elem (its LRU
	// position). It is never held while waiting for a session's mu.
	mu       sync.Mutex
	sessions map[string]*session
	lru      *list.List // of *session, most recently used at the front
	// evicted are the sessions dropped from the table whose entries still count in the
	// totals: settled by unlock, after mu is released, since that takes their locks.
	evicted []*session

	// total and totalBytes count the entries and bytes of every live session (the default
	// one included), for MaxTotalRecords and MaxTotalBytes, and the room reserved for writes
	// under way (room.res). Changed under the session's lock, with the session's n and
	// bytes, or by a write reserving or giving back room; taken only through reserve.
	total, totalBytes atomic.Int64
	// reserving serialises reserve: a leaf lock, held for the two totals' check and add.
	reserving sync.Mutex
	// settling counts the sessions evicted whose entries still count in the totals.
	settling atomic.Int64
	// overlays numbers the overlays made (overlay.id).
	overlays atomic.Uint64

	// hot keeps the decoded copies of records Peek hands out (hot.go); it has its own locks.
	hot hotCache
}

// session is one session's overlay over the seeds.
type session struct {
	name string       // immutable
	used atomic.Int64 // last use, UnixNano of table.now; 0 = never. Atomic: the default session is touched without table.mu
	elem *list.Element

	// mu guards colls, n, bytes, seq, ver and gone. Readers (Get, List, Resources) take it
	// shared; writers (Update, UpdateAll, Delete, Reset) take it exclusively, fn included.
	mu    sync.RWMutex
	colls map[collKey]*overlay
	n     int    // slots across colls (records and tombstones)
	bytes int64  // the slots' sizes
	seq   uint64 // last creation number handed out
	ver   uint64 // last version number handed out (every write takes one)
	// gone is set once the session is evicted and its slots no longer count in the
	// totals; a request that still holds it may read on, but a write tries the session of
	// that name again (errGone).
	gone bool
}

func newSession(name string) *session {
	return &session{name: name, colls: map[collKey]*overlay{}}
}
