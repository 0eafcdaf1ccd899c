package state

import "sync"

// The hot cache keeps decoded copies of the stored records Peek was asked for, each with its
// Memo, so that reading an unchanged record again costs no decoding, and the server's memo of
// its encoded answer is found again. It is bounded, in entries and in estimated bytes, and
// first in first out (the records decoded last stay): the collector scans only these, and a
// record that falls out is decoded (and its answer encoded) once more when read again. Entries are
// named by version, so a write never meets a stale copy: the old version's entry is never
// asked for again and ages out.
const (
	hotShards   = 16
	hotEntries  = 256     // per shard: 4096 records in all
	hotBytes    = 2 << 20 // per shard: 32 MiB in all (the estimate of size.go, the memo's answer included)
	hotMaxEntry = hotBytes / 4
)

// hotKey names one version of one record: the overlay holding it (by number, so that the
// cache keeps no evicted session's records alive) and the version number its session gave
// the write.
type hotKey struct {
	ov, ver uint64
}

type hotEntry struct {
	rec  Record
	memo *Memo
	size int64
}

type hotCache struct{ shards [hotShards]hotShard }

// hotShard is one lock's worth of the cache.
type hotShard struct {
	// mu guards m, ring, head, n and bytes.
	mu    sync.Mutex
	m     map[hotKey]*hotEntry
	ring  [hotEntries]hotKey // the keys of m in insertion order: n of them from head, wrapping
	head  int
	n     int
	bytes int64
}

func (h *hotCache) shard(k hotKey) *hotShard {
	return &h.shards[(k.ov*0x9E3779B97F4A7C15+k.ver)%hotShards]
}

// get returns the cached copy of k's version.
func (h *hotCache) get(k hotKey) (*hotEntry, bool) {
	sh := h.shard(k)
	sh.mu.Lock()
	e, ok := sh.m[k]
	sh.mu.Unlock()
	return e, ok
}

// add caches e under k, unless k is there already (a reader that decoded it at the same
// time): it returns what the cache holds. An entry too large for the cache is returned
// without a memo, uncached.
func (h *hotCache) add(k hotKey, e *hotEntry) *hotEntry {
	if e.size > hotMaxEntry {
		e.memo = nil
		return e
	}
	sh := h.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if have, ok := sh.m[k]; ok {
		return have
	}
	if sh.m == nil {
		sh.m = make(map[hotKey]*hotEntry, hotEntries)
	}
	for sh.n > 0 && (sh.n == hotEntries || sh.bytes+e.size > hotBytes) {
		old := sh.ring[sh.head]
		sh.ring[sh.head] = hotKey{}
		sh.head = (sh.head + 1) % hotEntries
		sh.n--
		sh.bytes -= sh.m[old].size
		delete(sh.m, old)
	}
	sh.ring[(sh.head+sh.n)%hotEntries] = k
	sh.n++
	sh.m[k] = e
	sh.bytes += e.size
	return e
}
