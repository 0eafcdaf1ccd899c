package state

import (
	"container/list"
	"runtime"
	"time"
)

func newTable(lim Limits, now func() time.Time) *table {
	return &table{lim: lim, now: now, def: newSession(""), sessions: map[string]*session{}, lru: list.New()}
}

// lookup finds a session, evicting idle sessions first. With create, an unknown
// session is created (evicting the least recently used past MaxSessions); without, it
// is reported as nil. With touch, the lookup counts as use.
func (t *table) lookup(name string, create, touch bool) *session {
	now := t.now().UnixNano()
	if name == "" {
		if touch {
			t.def.used.Store(now)
		}
		return t.def
	}
	t.mu.Lock()
	defer t.unlock()
	t.sweepLocked(now)
	ss := t.sessions[name]
	if ss != nil && t.idle(ss, now) { // only if the clock went backwards past the sweep
		t.evictLocked(ss)
		ss = nil
	}
	if ss == nil {
		if !create {
			return nil
		}
		ss = newSession(name)
		ss.used.Store(now)
		ss.elem = t.lru.PushFront(ss)
		t.sessions[name] = ss
		for t.lru.Len() > t.lim.MaxSessions {
			t.evictLocked(t.lru.Back().Value.(*session))
		}
		return ss
	}
	if touch {
		ss.used.Store(now)
		t.lru.MoveToFront(ss.elem)
	}
	return ss
}

func (t *table) idle(ss *session, now int64) bool {
	return time.Duration(now-ss.used.Load()) >= t.lim.IdleTTL
}

// sweepLocked evicts idle sessions from the back of the LRU list (the least recently
// used, which are the oldest). t.mu must be held.
func (t *table) sweepLocked(now int64) {
	for e := t.lru.Back(); e != nil; e = t.lru.Back() {
		ss := e.Value.(*session)
		if !t.idle(ss, now) {
			return
		}
		t.evictLocked(ss)
	}
}

// evictLocked drops a session from the table. A request already holding it finishes
// on the orphan; the next request for the name starts fresh. t.mu must be held.
func (t *table) evictLocked(ss *session) {
	t.lru.Remove(ss.elem)
	delete(t.sessions, ss.name)
	t.evicted = append(t.evicted, ss)
	t.settling.Add(1)
}

// unlock releases t.mu, then settles the sessions evicted meanwhile: their entries stop
// counting in the totals. Their locks cannot be taken while t.mu is held.
func (t *table) unlock() {
	victims := t.evicted
	t.evicted = nil
	t.mu.Unlock()
	for _, ss := range victims {
		ss.mu.Lock()
		if !ss.gone {
			t.total.Add(int64(-ss.n))
			t.totalBytes.Add(-ss.bytes)
			ss.gone = true
		}
		ss.mu.Unlock()
		t.settling.Add(-1)
	}
}

// snapshot returns the default session and the live named ones, after evicting idle
// ones.
func (t *table) snapshot() []*session {
	now := t.now().UnixNano()
	t.mu.Lock()
	defer t.unlock()
	t.sweepLocked(now)
	out := make([]*session, 0, 1+t.lru.Len())
	out = append(out, t.def)
	for e := t.lru.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*session))
	}
	return out
}

// clear drops the session's writes to the collections drop accepts (nil: all of them),
// giving their entries and bytes back.
func (t *table) clear(ss *session, drop func(collKey) bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if drop == nil {
		t.account(ss, charge{-ss.n, -ss.bytes})
		ss.colls = map[collKey]*overlay{}
		return
	}
	for k, ov := range ss.colls {
		if !drop(k) {
			continue
		}
		var b int64
		for _, sl := range ov.slots {
			b += sl.size
		}
		t.account(ss, charge{-len(ov.slots), -b})
		delete(ss.colls, k)
	}
}

// charge is what a write adds to a session's overlay: entries and their bytes (negative:
// given back).
type charge struct {
	slots int
	bytes int64
}

// account adds c to the session's counts and, unless it was evicted, to the totals,
// unchecked (ss.mu held).
func (t *table) account(ss *session, c charge) {
	ss.n += c.slots
	ss.bytes += c.bytes
	if !ss.gone {
		t.total.Add(int64(c.slots))
		t.totalBytes.Add(c.bytes)
	}
}

// admit accounts c if the session and the totals have room for it, else reports the
// first bound it would pass, changing nothing (ss.mu held). What c gives back always
// fits. The totals are reserved atomically, so concurrent writers of different sessions
// cannot pass them together.
func (t *table) admit(ss *session, c charge) error {
	lim := t.lim
	if c.slots > 0 && ss.n+c.slots > lim.MaxRecords {
		return &FullError{Bound: SessionRecords, Limit: int64(lim.MaxRecords), Held: int64(ss.n), Need: int64(c.slots)}
	}
	if c.bytes > 0 && ss.bytes+c.bytes > lim.MaxBytes {
		return &FullError{Bound: SessionBytes, Limit: lim.MaxBytes, Held: ss.bytes, Need: c.bytes}
	}
	return t.admitTotal(ss, c, false)
}

// admitTombs accounts c, new tombstones, unless the totals have no room for them and force
// is not set. A session's bounds never refuse a tombstone (tombstones are bounded by the
// seeds), but it must not take the store past its totals while other sessions can be
// evicted to make room; when none can, the last try (force) keeps it anyway.
func (t *table) admitTombs(ss *session, c charge, force bool) error {
	err := t.admitTotal(ss, c, force)
	if fe, ok := err.(*FullError); ok {
		fe.tomb = true
	}
	return err
}

// admitTotal accounts c if the totals have room for it, or with force whether they have or
// not, else reports the total it would pass, changing nothing (ss.mu held). It is admit
// without the session's own bounds.
func (t *table) admitTotal(ss *session, c charge, force bool) error {
	lim := t.lim
	if force {
		t.account(ss, c)
		return nil
	}
	if !ss.gone {
		if held, ok := reserve(&t.total, int64(c.slots), int64(lim.MaxTotalRecords)); !ok {
			return &FullError{Bound: TotalRecords, Limit: int64(lim.MaxTotalRecords), Held: held, Need: int64(c.slots), need: c}
		}
		if held, ok := reserve(&t.totalBytes, c.bytes, lim.MaxTotalBytes); !ok {
			t.total.Add(int64(-c.slots))
			return &FullError{Bound: TotalBytes, Limit: lim.MaxTotalBytes, Held: held, Need: c.bytes, need: c}
		}
	}
	ss.n += c.slots
	ss.bytes += c.bytes
	return nil
}

// makeRoom evicts the least recently used named sessions other than ss until the totals
// have room for need, and reports whether they have; false when nobody else is left to
// evict. Sessions others have just evicted count as room to come: it waits for their
// records to be given back before it gives up. It takes no lock the caller may hold: call
// it without ss.mu.
func (t *table) makeRoom(ss *session, need charge) bool {
	for (need.slots > 0 && t.total.Load()+int64(need.slots) > int64(t.lim.MaxTotalRecords)) ||
		(need.bytes > 0 && t.totalBytes.Load()+need.bytes > t.lim.MaxTotalBytes) {
		t.mu.Lock()
		var victim *session
		for e := t.lru.Back(); e != nil; e = e.Prev() {
			if v := e.Value.(*session); v != ss {
				victim = v
				break
			}
		}
		if victim == nil {
			t.mu.Unlock()
			if t.settling.Load() > 0 {
				runtime.Gosched()
				continue
			}
			return false
		}
		t.evictLocked(victim)
		t.unlock()
	}
	return true
}
