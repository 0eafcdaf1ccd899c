package state

import "sync/atomic"

// Memo remembers one value derived from one version of a stored record: the server keeps the
// record's encoded answer there, so that reading an unchanged record costs no encoding. Every
// write gives the record a new Memo, so a memo never outlives the version it was derived
// from. It is safe for concurrent use; a nil *Memo remembers nothing.
type Memo struct{ p atomic.Pointer[memoEntry] }

type memoEntry struct{ key, val any }

// Load returns the value stored under key, if the memo holds one.
func (m *Memo) Load(key any) (any, bool) {
	if m == nil {
		return nil, false
	}
	if e := m.p.Load(); e != nil && e.key == key {
		return e.val, true
	}
	return nil, false
}

// Store remembers val under key, replacing whatever the memo held.
func (m *Memo) Store(key, val any) {
	if m != nil {
		m.p.Store(&memoEntry{key, val})
	}
}
