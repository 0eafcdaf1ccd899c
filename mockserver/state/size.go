package state

import (
	"encoding/json"
	"fmt"
	"math/bits"
)

// Bound names a limit a write can hit.
type Bound int

// The bounds of Limits.
const (
	SessionRecords Bound = iota + 1 // Limits.MaxRecords
	SessionBytes                    // Limits.MaxBytes
	TotalRecords                    // Limits.MaxTotalRecords
	TotalBytes                      // Limits.MaxTotalBytes
)

func (b Bound) total() bool { return b == TotalRecords || b == TotalBytes }

// String is the name of the Limits field.
func (b Bound) String() string {
	switch b {
	case SessionRecords:
		return "MaxRecords"
	case SessionBytes:
		return "MaxBytes"
	case TotalRecords:
		return "MaxTotalRecords"
	case TotalBytes:
		return "MaxTotalBytes"
	}
	return fmt.Sprintf("Bound(%d)", int(b))
}

// FullError is the error of a write refused for want of room: Bound says which limit it
// would pass. It is ErrFull for errors.Is. Its message names the cause for the client the
// server answers 507 (what to do about it is the server's to add): the bound, what is held
// against it, what the write needed, and, for a total, who holds it.
type FullError struct {
	Bound Bound
	Limit int64 // the limit: entries or bytes
	Held  int64 // what the session (or, for a total, the store) held then, besides the write
	Need  int64 // what the write needed on top
	// For a total, who held it when the write gave up, nobody else being left to evict: the
	// writing session (Session), the default session (Default; 0 when it is the writer) and
	// Others, the rest: writes of other sessions under way (the room reserved for them, the
	// records of sessions just evicted and not yet given back).
	Session, Default, Others int64
	def                      bool   // the writer is the default session
	need                     charge // what the totals lacked, besides the room the write holds
	want                     charge // what the write needed in all
	tomb                     bool   // the refused entries include tombstones, which are kept when no room can be made
}

// Is reports whether target is ErrFull.
func (e *FullError) Is(target error) bool { return target == ErrFull }

func (e *FullError) Error() string {
	switch e.Bound {
	case SessionRecords:
		return fmt.Sprintf("this session holds the most records a session may (%d; it holds %d, this write needs %d more)", e.Limit, e.Held, e.Need)
	case SessionBytes:
		return fmt.Sprintf("this session's records would take more memory than a session may (%s; it holds %s, this write needs %s more)",
			byteSize(e.Limit), byteSize(e.Held), byteSize(e.Need))
	case TotalRecords:
		return fmt.Sprintf("the mock holds the most records it may across sessions (%d; they hold %d, this write needs %d more) and no other session is left to evict: %s",
			e.Limit, e.Held, e.Need, e.holders(func(n int64) string { return fmt.Sprint(n) }))
	case TotalBytes:
		return fmt.Sprintf("the mock's records would take more memory than it may across sessions (%s; they hold %s, this write needs %s more) and no other session is left to evict: %s",
			byteSize(e.Limit), byteSize(e.Held), byteSize(e.Need), e.holders(byteSize))
	}
	return ErrFull.Error()
}

// holders says who holds a total: "this session holds 600, the default session 400".
func (e *FullError) holders(f func(int64) string) string {
	s := "this session holds " + f(e.Session) + ", the default session " + f(e.Default)
	if e.def {
		s = "this session (the default one) holds " + f(e.Session)
	}
	if e.Others > 0 {
		s += ", other sessions' writes under way " + f(e.Others)
	}
	return s
}

// byteSize renders n bytes for people: "512 B", "1.5 KiB", "64 MiB".
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.3g KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.3g MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.3g GiB", float64(n)/(1<<30))
}

// Size estimates, in bytes of Go heap (measured with go1.26; TestSizeEstimate keeps them
// honest). They need to be cheap and deterministic, not exact: they bound memory, and err on
// the high side for small values.
//
// A stored record (overlay.go) is its encoding in one allocation, and its slot: the slot
// itself in its overlay's slice, the slice's spare capacity, its index entry and its
// creation-order entry. A decoded value (a boxed record, Peek's copies) is Go's map layout for
// an object (about 340 bytes up to 8 keys, ~40 a key beyond) plus its keys, 16 bytes an array
// element, 16 a number, and a string's header and bytes. Either way the bytes of its string
// values count once more: the encoded answer the server may keep in the record's memo.
const (
	// sizeSlot is an overlay entry besides its allocation: a 64-byte slot in a slice that
	// grows by doubling, a map entry (uint64 → int32) and a creation-order entry.
	sizeSlot = 176

	sizeMapHeader = 48  // a map's header
	sizeMapSmall  = 296 // the one group of a map of 1 to 8 entries: 8 key/value slots and control word
	sizeMapSlot   = 33  // a key/value slot of a larger map (string key, interface value) and its control byte
	sizeMapTable  = 64  // a larger map's directory and table headers
	sizeSlice     = 24  // a slice header, boxed in its interface
	sizeElem      = 16  // an element of []any: an interface
	sizeString    = 16  // a string header, boxed in its interface
	// sizeNumber is a float64 or int64 boxed in its interface: 8 bytes, allocated in 16-byte
	// blocks with other small values of the decoder that the box keeps alive.
	sizeNumber = 16
)

// encSize is the bytes of an overlay entry whose encoding (the ID's bytes included) is n
// bytes long, with text bytes of string values.
func encSize(n, text int) int64 { return sizeSlot + allocSize(n) + int64(text) }

// tombSize is the bytes of an overlay entry holding no encoded record (a tombstone, or a
// boxed record besides the record) for an ID of n bytes.
func tombSize(n int) int64 { return sizeSlot + allocSize(n) }

// allocSize is the heap an allocation of n bytes takes: Go's size classes round small ones
// up by up to an eighth (and to 16 bytes under 16), large ones to whole 8 KiB pages.
func allocSize(n int) int64 {
	switch {
	case n == 0:
		return 0
	case n <= 16:
		return 16
	case n <= 32<<10:
		return align8(n + n/16)
	}
	return int64(n+8191) &^ 8191
}

func align8(n int) int64 { return int64(n+7) &^ 7 }

// textSize is the heap an n-byte string's bytes take: nothing when empty, a 16-byte block
// when small (shared with other small values, which it keeps alive), else n rounded up.
func textSize(n int) int64 {
	switch {
	case n == 0:
		return 0
	case n <= 16:
		return 16
	}
	return align8(n)
}

// mapSize is the bytes of a map[string]any of n entries, without its keys and values.
func mapSize(n int) int64 {
	switch {
	case n == 0:
		return sizeMapHeader
	case n <= 8:
		return sizeMapHeader + sizeMapSmall
	}
	slots := 1 << bits.Len(uint((n*8+6)/7-1)) // load factor 7/8, capacity a power of two
	return sizeMapHeader + sizeMapTable + int64(slots)*sizeMapSlot
}

// sized deep-copies a record, as copyRecord does, and estimates the bytes the copy takes.
func sized(r Record) (Record, int64) {
	c := copyRecord(r)
	return c, estimate(c)
}

// estimate is the bytes a decoded record takes.
func estimate(r Record) int64 {
	if r == nil {
		return 0
	}
	n := mapSize(len(r))
	for k, v := range r {
		n += textSize(len(k)) + valueSize(v)
	}
	return n
}

func valueSize(v any) int64 {
	switch t := v.(type) {
	case map[string]any:
		return estimate(t)
	case []any:
		if t == nil {
			return 0
		}
		n := sizeSlice + int64(len(t))*sizeElem
		for _, x := range t {
			n += valueSize(x)
		}
		return n
	case string:
		return sizeString + textSize(len(t)) + int64(len(t))
	case nil, bool:
		return 0
	case json.Number:
		return sizeString + textSize(len(t)) + int64(len(t))
	default:
		return sizeNumber
	}
}

// --- deep copies ---

func normalize(r Record) Record {
	if r == nil {
		return Record{}
	}
	return r
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
