package state

import "hash/maphash"

// Reads and writes of one session's overlay over the seeds. The caller holds the
// session's lock; ss may be nil for reads: the seeds alone.
//
// An overlay holds its entries in one slice of slots found through a map from the hash of
// their IDs, and each record encoded in one []byte (codec.go): its only pointers are one a
// record, to memory the collector need not scan, so the number of records stored costs
// the collector little. Reads decode private copies (Peek keeps the copies it makes in the
// hot cache, hot.go).

// slot is one overlay entry: a record, or a tombstone (hiding the record of the same ID).
// Slots are never removed from their overlay (a deleted record leaves a tombstone, so that
// Deleted can tell it from one that never existed), so a slot's index names it for good.
type slot struct {
	enc   []byte // the ID's bytes, then the record's encoding; the ID alone for a tombstone or a boxed record
	idLen int32
	next  int32 // the next slot whose ID has the same hash, or -1
	// seq numbers the record's creation in the session (0 for a tombstone): the
	// session's records are listed after the seeds in seq order, unless inPlace.
	seq uint64
	// ver names this version of the record: every write takes a new one from its session
	// (0 for a tombstone). Peek's decoded copies and memos are kept by version.
	ver  uint64
	size int64 // the entry's estimated bytes (size.go)
	tomb bool
	// inPlace is set on a record that replaced a seed of the same ID without deleting it
	// first: it is listed in the seed's place (among the creations if the store reading it
	// has no such seed: a reload dropped it).
	inPlace bool
	boxed   bool // the record is in overlay.boxed: it holds a value the encoding does not know
}

func (sl *slot) idBytes() []byte { return sl.enc[:sl.idLen] }

// orderEnt is one creation in a collection. It is stale once its slot no longer holds a
// live record with the same seq (deleted, or deleted and re-created).
type orderEnt struct {
	slot int32
	seq  uint64
}

// overlay is one session's writes to one collection.
type overlay struct {
	id    uint64 // names the overlay in the hot cache: unique in its table
	seed  maphash.Seed
	index map[uint64]int32 // the hash of an ID → its slot (the first of its chain)
	slots []slot
	order []orderEnt // creations, oldest first, possibly with stale entries
	live  int        // slots holding a record: the entries of order that are not stale
	// boxed holds, by slot, the records the encoding does not know how to keep (a value of
	// a type other than JSON's): kept as they are, copied on the way in and out.
	boxed map[int32]Record
}

func (t *table) newOverlay() *overlay {
	return &overlay{id: t.overlays.Add(1), seed: maphash.MakeSeed(), index: map[uint64]int32{}}
}

// find returns the slot of id, or -1.
func (ov *overlay) find(id string) int32 {
	if ov == nil {
		return -1
	}
	i, ok := ov.index[maphash.String(ov.seed, id)]
	if !ok {
		return -1
	}
	for ; i >= 0; i = ov.slots[i].next {
		if string(ov.slots[i].idBytes()) == id {
			return i
		}
	}
	return -1
}

// add appends a tombstone slot for id (which has none) and returns it.
func (ov *overlay) add(id string) int32 {
	h := maphash.String(ov.seed, id)
	next, ok := ov.index[h]
	if !ok {
		next = -1
	}
	i := int32(len(ov.slots))
	ov.slots = append(ov.slots, slot{enc: []byte(id), idLen: int32(len(id)), next: next, tomb: true, size: tombSize(len(id))})
	ov.index[h] = i
	return i
}

// record returns a private copy of slot i's record; nil for a tombstone.
func (ov *overlay) record(i int32) Record {
	sl := &ov.slots[i]
	switch {
	case sl.tomb:
		return nil
	case sl.boxed:
		return copyRecord(ov.boxed[i])
	}
	return decodeRecord(sl.enc[sl.idLen:])
}

func (s *Store) isSeed(k collKey, id string) bool {
	sc := s.seeds[k]
	if sc == nil {
		return false
	}
	_, ok := sc.recs[id]
	return ok
}

// find returns the session's overlay of k and the slot of id in it (nil, -1 when none).
func (ss *session) find(k collKey, id string) (*overlay, int32) {
	if ss == nil {
		return nil, -1
	}
	ov := ss.colls[k]
	return ov, ov.find(id)
}

// read returns a private copy of the record as the session sees it.
func (s *Store) read(ss *session, k collKey, id string) (Record, bool) {
	ov, i := ss.find(k, id)
	return s.readAt(ov, i, k, id)
}

// readAt is read of the slot find found (ov, i; i < 0: none).
func (s *Store) readAt(ov *overlay, i int32, k collKey, id string) (Record, bool) {
	if i >= 0 {
		rec := ov.record(i)
		return rec, rec != nil
	}
	if sc := s.seeds[k]; sc != nil {
		if rec, ok := sc.recs[id]; ok {
			return copyRecord(rec), true
		}
	}
	return nil, false
}

// peek returns the record as the session sees it, shared, and its memo. It takes the
// session's lock for reading (ss may be nil) and decodes after releasing it: a slot's bytes
// never change.
func (s *Store) peek(ss *session, k collKey, id string) (Record, *Memo, bool) {
	if ss != nil {
		ss.mu.RLock()
		ov, i := ss.find(k, id)
		var sl slot
		var boxed Record
		if i >= 0 {
			sl = ov.slots[i]
			boxed = ov.boxed[i]
		}
		ss.mu.RUnlock()
		if i >= 0 {
			if sl.tomb {
				return nil, nil, false
			}
			key := hotKey{ov.id, sl.ver}
			if e, ok := s.t.hot.get(key); ok {
				return e.rec, e.memo, true
			}
			rec := boxed
			if !sl.boxed {
				rec = decodeRecord(sl.enc[sl.idLen:])
			}
			e := s.t.hot.add(key, &hotEntry{rec: rec, memo: new(Memo), size: estimate(rec)})
			return e.rec, e.memo, true
		}
	}
	if sc := s.seeds[k]; sc != nil {
		if rec, ok := sc.recs[id]; ok {
			return rec, sc.memos[id], true
		}
	}
	return nil, nil, false
}

// list returns private copies of the records in listing order.
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
			if i := ov.find(id); i >= 0 {
				if sl := &ov.slots[i]; !sl.tomb && sl.inPlace {
					out = append(out, Entry{id, ov.record(i)})
				}
				continue // hidden, or re-created and listed below
			}
			out = append(out, Entry{id, copyRecord(sc.recs[id])})
		}
	}
	if ov != nil {
		for _, e := range ov.order {
			sl := &ov.slots[e.slot]
			if sl.tomb || sl.seq != e.seq || (sl.inPlace && sc != nil && sc.recs[string(sl.idBytes())] != nil) {
				continue
			}
			out = append(out, Entry{string(sl.idBytes()), ov.record(e.slot)})
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
				if ov.find(id) >= 0 {
					n--
				}
			}
		} else {
			for i := range ov.slots {
				if sc.recs[string(ov.slots[i].idBytes())] != nil {
					n--
				}
			}
		}
	}
	return n + ov.live
}

// entry is a record ready to be stored: its encoding (the ID first), or, when the encoding
// does not know one of its values, the ID alone and a private copy of the record.
type entry struct {
	enc   []byte
	boxed Record
	size  int64 // the slot's estimated bytes
}

// newEntry prepares rec (the caller's, not kept) for storing under id.
func newEntry(id string, rec Record) entry {
	if enc, text, ok := encodeEntry(id, rec); ok {
		return entry{enc: enc, size: encSize(len(enc), text)}
	}
	c, n := sized(rec)
	return entry{enc: []byte(id), boxed: c, size: tombSize(len(id)) + n}
}

// put stores e under id. The caller has admitted the charge.
func (s *Store) put(ss *session, k collKey, id string, e entry) {
	s.putAt(ss, k, id, ss.colls[k], ss.colls[k].find(id), e)
}

// putAt is put in the slot find found (ov, i; ov nil or i < 0: none).
func (s *Store) putAt(ss *session, k collKey, id string, ov *overlay, i int32, e entry) {
	if ov == nil {
		ov = s.t.newOverlay()
		ss.colls[k] = ov
	}
	switch {
	case i < 0:
		i = ov.add(id)
		ov.slots[i].inPlace = s.isSeed(k, id)
		ov.create(ss, i)
	case ov.slots[i].tomb: // a deleted record written again: listed as a creation
		ov.create(ss, i)
	}
	ss.ver++
	sl := &ov.slots[i]
	sl.enc, sl.ver, sl.size, sl.tomb = e.enc, ss.ver, e.size, false
	switch {
	case e.boxed != nil:
		if ov.boxed == nil {
			ov.boxed = map[int32]Record{}
		}
		ov.boxed[i], sl.boxed = e.boxed, true
	case sl.boxed:
		delete(ov.boxed, i)
		sl.boxed = false
	}
}

// create numbers a new record of the overlay.
func (ov *overlay) create(ss *session, i int32) {
	ss.seq++
	ov.slots[i].seq = ss.seq
	ov.order = append(ov.order, orderEnt{i, ss.seq})
	ov.live++
}

// del removes id from the session's view, accounting for it, and reports whether it was
// visible. Hiding a seed takes a new tombstone: when the store's totals have no room for it
// del changes nothing and returns a total's *FullError (the caller makes room and tries
// again), unless rm.force (nobody is left to evict): a session's bounds never refuse a
// tombstone.
func (s *Store) del(ss *session, k collKey, id string, rm *room) (bool, error) {
	if ov, i := ss.find(k, id); i >= 0 {
		sl := &ov.slots[i]
		if sl.tomb {
			return false, nil // already hidden
		}
		s.t.account(ss, charge{0, tombSize(len(id)) - sl.size})
		ov.hide(i)
		return true, nil
	}
	if !s.isSeed(k, id) {
		return false, nil
	}
	if err := s.t.admit(ss, charge{}, charge{1, tombSize(len(id))}, rm); err != nil {
		return false, err
	}
	s.tombstone(ss, k, id)
	return true, nil
}

// tombstone adds an entry hiding the seed id (which has no entry yet).
func (s *Store) tombstone(ss *session, k collKey, id string) {
	ov := ss.colls[k]
	if ov == nil {
		ov = s.t.newOverlay()
		ss.colls[k] = ov
	}
	ov.add(id)
}

// hide turns a slot holding a record into a tombstone, for seeds and the session's own
// records alike: Deleted can then tell a record that was removed from one that never
// existed. It keeps the record's slot, so the count of slots does not change.
func (ov *overlay) hide(i int32) {
	sl := &ov.slots[i]
	if sl.boxed {
		delete(ov.boxed, i)
	}
	sl.enc = append([]byte(nil), sl.idBytes()...) // the record's bytes are let go
	sl.seq, sl.ver, sl.tomb, sl.inPlace, sl.boxed, sl.size = 0, 0, true, false, false, tombSize(int(sl.idLen))
	ov.live--
	if len(ov.order) > 32 && len(ov.order) > 2*ov.live {
		ov.compact()
	}
}

// compact drops the stale entries of order.
func (ov *overlay) compact() {
	kept := make([]orderEnt, 0, ov.live)
	for _, e := range ov.order {
		if sl := &ov.slots[e.slot]; !sl.tomb && sl.seq == e.seq {
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
	return v.s.read(v.ss, collKey{ref.Resource, ref.Scope}, ref.ID)
}

func (v view) List(resource, scope string) []Entry {
	return v.s.list(v.ss, collKey{resource, scope})
}
