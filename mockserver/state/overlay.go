package state

// Reads and writes of one session's overlay over the seeds. The caller holds the
// session's lock; ss may be nil for reads: the seeds alone.

// slot is one overlay entry.
type slot struct {
	rec  Record // nil: a tombstone, hiding the record of the same ID
	memo *Memo  // belongs to rec: every write stores a new one
	// seq numbers the record's creation in the session (0 for a tombstone): the
	// session's records are listed after the seeds in seq order, unless inPlace.
	seq uint64
	// inPlace is set on a record that replaced a seed of the same ID without deleting it
	// first: it is listed in the seed's place (among the creations if the store reading it
	// has no such seed: a reload dropped it).
	inPlace bool
	size    int64 // the entry's estimated bytes: slotSize(id) plus the record's
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
	live  int        // slots holding a record: the entries of order that are not stale
}

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
					if sl.rec != nil && sl.inPlace {
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
			if sl := ov.slots[e.id]; sl != nil && sl.rec != nil && sl.seq == e.seq && !(sl.inPlace && sc != nil && sc.recs[e.id] != nil) {
				out = append(out, Entry{e.id, sl.rec})
			}
		}
	}
	return out
}

// count is len(list(ss, k)) without building it: the seeds the overlay leaves alone,
// and the overlay's records.
func (s *Store) count(ss *session, k collKey) int {
	var ov *overlay
	if ss != nil {
		ov = ss.colls[k]
	}
	sc := s.seeds[k]
	n := 0
	if sc != nil {
		n = len(sc.ids)
	}
	if ov == nil {
		return n
	}
	if sc != nil {
		if len(sc.ids) < len(ov.slots) {
			for _, id := range sc.ids {
				if ov.slots[id] != nil {
					n--
				}
			}
		} else {
			for id := range ov.slots {
				if sc.recs[id] != nil {
					n--
				}
			}
		}
	}
	return n + ov.live
}

// put stores rec (already a private copy) of size bytes (slotSize included) under id.
// The caller has admitted the charge.
func (s *Store) put(ss *session, k collKey, id string, rec Record, size int64) {
	ov := ss.colls[k]
	if ov == nil {
		ov = &overlay{slots: map[string]*slot{}}
		ss.colls[k] = ov
	}
	sl := ov.slots[id]
	switch {
	case sl == nil:
		sl = &slot{inPlace: s.isSeed(k, id)}
		ov.slots[id] = sl
		ov.create(ss, id, sl)
	case sl.rec == nil: // a deleted record written again: listed as a creation
		ov.create(ss, id, sl)
	}
	sl.rec, sl.memo, sl.size = rec, new(Memo), size
}

// create numbers a new record of the overlay.
func (ov *overlay) create(ss *session, id string, sl *slot) {
	ss.seq++
	sl.seq = ss.seq
	ov.order = append(ov.order, orderEnt{id, sl.seq})
	ov.live++
}

// del removes id from the session's view, accounting for it, and reports whether it was
// visible.
func (s *Store) del(ss *session, k collKey, id string) bool {
	if sl := ss.slot(k, id); sl != nil {
		if sl.rec == nil {
			return false // already hidden
		}
		s.t.account(ss, charge{0, slotSize(id) - sl.size})
		ss.colls[k].hide(sl, id)
		return true
	}
	if !s.isSeed(k, id) {
		return false
	}
	s.t.account(ss, charge{1, slotSize(id)}) // never refused: tombstones of seeds are bounded by the seeds
	s.tombstone(ss, k, id)
	return true
}

// tombstone adds an entry hiding the seed id (which has no entry yet).
func (s *Store) tombstone(ss *session, k collKey, id string) {
	ov := ss.colls[k]
	if ov == nil {
		ov = &overlay{slots: map[string]*slot{}}
		ss.colls[k] = ov
	}
	ov.slots[id] = &slot{size: slotSize(id)}
}

// hide turns a slot holding a record into a tombstone, for seeds and the session's own
// records alike: Deleted can then tell a record that was removed from one that never
// existed. It keeps the record's slot, so the count of slots does not change.
func (ov *overlay) hide(sl *slot, id string) {
	sl.rec, sl.memo, sl.seq, sl.inPlace, sl.size = nil, nil, 0, false, slotSize(id)
	ov.live--
	if len(ov.order) > 32 && len(ov.order) > 2*ov.live {
		ov.compact()
	}
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
