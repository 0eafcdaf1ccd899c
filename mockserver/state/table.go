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

// room is what one write (an Update, UpdateAll or Delete, all its tries) has secured in
// the totals: res, the entries and bytes makeRoom reserved for it by evicting other sessions
// (counted in the totals, in no session yet), and force, set once nobody is left to evict:
// its new tombstones are then kept past the totals.
type room struct {
	res   charge
	force bool
}

// release gives back what is left of the write's reservation.
func (t *table) release(rm *room) {
	if rm.res != (charge{}) {
		t.total.Add(int64(-rm.res.slots))
		t.totalBytes.Add(-rm.res.bytes)
		rm.res = charge{}
	}
}

// admit accounts need and tombs, new tombstones, if the session and the totals have room
// for them, else reports the first bound they would pass, changing nothing (ss.mu held).
// What they give back always fits. A session's bounds never refuse a tombstone (tombstones
// are bounded by the seeds), but the totals do while other sessions can be evicted to make
// room; with rm.force (nobody is left) they are kept anyway. The room rm reserved counts
// first: what it holds beyond the charge goes back to the totals.
func (t *table) admit(ss *session, need, tombs charge, rm *room) error {
	lim := t.lim
	if need.slots > 0 && ss.n+need.slots > lim.MaxRecords {
		return &FullError{Bound: SessionRecords, Limit: int64(lim.MaxRecords), Held: int64(ss.n), Need: int64(need.slots)}
	}
	if need.bytes > 0 && ss.bytes+need.bytes > lim.MaxBytes {
		return &FullError{Bound: SessionBytes, Limit: lim.MaxBytes, Held: ss.bytes, Need: need.bytes}
	}
	if rm.force {
		if err := t.admitTotal(ss, need, rm); err != nil {
			return err
		}
		t.account(ss, tombs)
		return nil
	}
	err := t.admitTotal(ss, charge{need.slots + tombs.slots, need.bytes + tombs.bytes}, rm)
	if fe, ok := err.(*FullError); ok && tombs != (charge{}) {
		fe.tomb = true
	}
	return err
}

// admitTotal accounts c to the session if the totals have room for it, the write's
// reservation counting as room, else reports the total it would pass, changing nothing
// (ss.mu held, ss not gone). The reservation is used up when it succeeds.
func (t *table) admitTotal(ss *session, c charge, rm *room) error {
	d := charge{c.slots - rm.res.slots, c.bytes - rm.res.bytes}
	if b := t.reserve(d); b != 0 {
		return &FullError{Bound: b, need: charge{max(d.slots, 0), max(d.bytes, 0)}, want: c} // explain fills in the figures
	}
	rm.res = charge{}
	ss.n += c.slots
	ss.bytes += c.bytes
	return nil
}

// reserve adds d to the totals unless that takes one past its limit, and reports which
// (0: d was added). Giving back always succeeds. Reservations are made one at a time, the
// two totals together, so that concurrent writers neither pass a total together nor see
// one inflated by a reservation the other total then refuses. Other changes to the totals
// (account) give back, or take what was reserved, or keep tombstones past the totals once
// nobody is left to evict: they need not wait.
func (t *table) reserve(d charge) Bound {
	if d.slots <= 0 && d.bytes <= 0 {
		t.total.Add(int64(d.slots))
		t.totalBytes.Add(d.bytes)
		return 0
	}
	t.reserving.Lock()
	defer t.reserving.Unlock()
	if d.slots > 0 && t.total.Load()+int64(d.slots) > int64(t.lim.MaxTotalRecords) {
		return TotalRecords
	}
	if d.bytes > 0 && t.totalBytes.Load()+d.bytes > t.lim.MaxTotalBytes {
		return TotalBytes
	}
	t.total.Add(int64(d.slots))
	t.totalBytes.Add(d.bytes)
	return 0
}

// makeRoom evicts the least recently used named sessions other than ss until the totals
// have room for need, reserves it for the write (rm.res) and returns 0; else, nobody else
// being left to evict, the total that has no room, held by ss, the default session and
// other writes under way. Sessions others have just evicted count as room to come: it
// waits for their records to be given back before it gives up. It takes no lock the caller
// may hold: call it without ss.mu.
func (t *table) makeRoom(ss *session, need charge, rm *room) Bound {
	for {
		b := t.reserve(need)
		if b == 0 {
			rm.res.slots += need.slots
			rm.res.bytes += need.bytes
			return 0
		}
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
			return b
		}
		t.evictLocked(victim)
		t.unlock()
	}
}

// explain fills in fe, the refusal of a write to ss by total b that no eviction can make
// room for: the limit, what the write needs (all of it, fe.want), what the store holds
// besides the write's own reservation, and who holds it: ss, the default session and, the
// rest, writes of other sessions under way (their reserved room, sessions evicted and not
// given back yet). It reports whether the figures, read now, still leave no room: writes
// under way may have given theirs back since. It takes the sessions' locks one at a time:
// call it without ss.mu.
func (t *table) explain(ss *session, fe *FullError, b Bound, rm *room) bool {
	held := func(ss *session) int64 {
		ss.mu.RLock()
		defer ss.mu.RUnlock()
		switch {
		case ss.gone:
			return 0
		case b == TotalBytes:
			return ss.bytes
		}
		return int64(ss.n)
	}
	fe.Bound = b
	fe.Session = held(ss)
	if ss != t.def {
		fe.Default = held(t.def)
	} else {
		fe.def = true
	}
	if b == TotalBytes {
		fe.Limit, fe.Need, fe.Held = t.lim.MaxTotalBytes, fe.want.bytes, t.totalBytes.Load()-rm.res.bytes
	} else {
		fe.Limit, fe.Need, fe.Held = int64(t.lim.MaxTotalRecords), int64(fe.want.slots), t.total.Load()-int64(rm.res.slots)
	}
	fe.Others = max(fe.Held-fe.Session-fe.Default, 0)
	return fe.Held+fe.Need > fe.Limit
}
