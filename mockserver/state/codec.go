package state

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"unsafe"
)

// A session's records are kept encoded, each in one []byte with no pointers in it (see slot):
// the collector marks one small object a record and scans none of it, however many fields the
// record has, where a map[string]any costs it a map, its groups, and a boxed value and a
// string for every field. Reads decode a private copy.
//
// The encoding is a tag byte a value, then:
//
//	tagFloat   8 bytes, the float64's bits, little endian
//	tagInt64, tagInt   a zigzag varint (int64, int)
//	tagString, tagNumber   a uvarint length and the bytes (string, json.Number)
//	tagObject  a uvarint count, then count × (uvarint key length, key bytes, value)
//	tagArray   a uvarint count, then count values
//
// Other values (nil, true, false, nil maps and slices) are their tag alone. A record holding
// a value of any other type is not encoded (encodeEntry reports false): the overlay keeps it as
// it is (overlay.boxed).
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagFloat
	tagInt64
	tagInt
	tagString
	tagNumber
	tagObject
	tagArray
	tagNilObject // map[string]any(nil)
	tagNilArray  // []any(nil)
)

// encodeEntry encodes an overlay entry: the ID's bytes, then the record (none for a
// tombstone, rec == nil), in one slice of exactly that length; text is the bytes of the
// record's string values. ok is false when the record holds a value the encoding does not
// know.
func encodeEntry(id string, rec Record) (enc []byte, text int, ok bool) {
	n := len(id)
	if rec != nil {
		m, t, ok := encodedLen(rec)
		if !ok {
			return nil, 0, false
		}
		n, text = n+m, t
	}
	enc = make([]byte, 0, n)
	enc = append(enc, id...)
	if rec != nil {
		enc = appendValue(enc, rec)
	}
	return enc, text, true
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

func zigzag(x int64) uint64 { return uint64(x<<1) ^ uint64(x>>63) }

// unzigzag undoes zigzag.
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// encodedLen is the length of v's encoding, the bytes of its string values (json.Number
// included), and whether it has an encoding.
func encodedLen(v any) (n, text int, ok bool) {
	switch t := v.(type) {
	case nil, bool:
		return 1, 0, true
	case float64:
		return 9, 0, true
	case int64:
		return 1 + uvarintLen(zigzag(t)), 0, true
	case int:
		return 1 + uvarintLen(zigzag(int64(t))), 0, true
	case string:
		return 1 + uvarintLen(uint64(len(t))) + len(t), len(t), true
	case json.Number:
		return 1 + uvarintLen(uint64(len(t))) + len(t), len(t), true
	case map[string]any:
		if t == nil {
			return 1, 0, true
		}
		n = 1 + uvarintLen(uint64(len(t)))
		for k, e := range t {
			m, x, ok := encodedLen(e)
			if !ok {
				return 0, 0, false
			}
			n += uvarintLen(uint64(len(k))) + len(k) + m
			text += x
		}
		return n, text, true
	case []any:
		if t == nil {
			return 1, 0, true
		}
		n = 1 + uvarintLen(uint64(len(t)))
		for _, e := range t {
			m, x, ok := encodedLen(e)
			if !ok {
				return 0, 0, false
			}
			n += m
			text += x
		}
		return n, text, true
	}
	return 0, 0, false
}

// appendValue appends v's encoding; encodedLen has checked that it has one.
func appendValue(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, tagNil)
	case bool:
		if t {
			return append(b, tagTrue)
		}
		return append(b, tagFalse)
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tagFloat), math.Float64bits(t))
	case int64:
		return binary.AppendUvarint(append(b, tagInt64), zigzag(t))
	case int:
		return binary.AppendUvarint(append(b, tagInt), zigzag(int64(t)))
	case string:
		return append(binary.AppendUvarint(append(b, tagString), uint64(len(t))), t...)
	case json.Number:
		return append(binary.AppendUvarint(append(b, tagNumber), uint64(len(t))), t...)
	case map[string]any:
		if t == nil {
			return append(b, tagNilObject)
		}
		b = binary.AppendUvarint(append(b, tagObject), uint64(len(t)))
		for k, e := range t {
			b = append(binary.AppendUvarint(b, uint64(len(k))), k...)
			b = appendValue(b, e)
		}
		return b
	case []any:
		if t == nil {
			return append(b, tagNilArray)
		}
		b = binary.AppendUvarint(append(b, tagArray), uint64(len(t)))
		for _, e := range t {
			b = appendValue(b, e)
		}
		return b
	}
	panic("state: appendValue of a value encodedLen refused")
}

// decodeRecord decodes a record encoded by encodeEntry (without its ID): a private copy.
func decodeRecord(b []byte) Record {
	d := decoder{b: b}
	rec, _ := d.value().(map[string]any)
	return rec
}

// decoder reads what appendValue wrote. The bytes are the store's own, so they are trusted,
// and immutable: a slot's encoding is replaced by a new slice on every write, never changed.
type decoder struct {
	b []byte
	i int
}

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b[d.i:])
	d.i += n
	return x
}

// text reads a string: it shares the encoding's bytes (unsafe.String), which are never
// written once the record is stored, so a decoded record costs no allocation for its keys
// and strings, and keeps the encoding it was read from alive.
func (d *decoder) text() string {
	n := int(d.uvarint())
	if n == 0 {
		return ""
	}
	s := unsafe.String(&d.b[d.i], n)
	d.i += n
	return s
}

func (d *decoder) value() any {
	tag := d.b[d.i]
	d.i++
	switch tag {
	case tagNil:
		return nil
	case tagFalse:
		return false
	case tagTrue:
		return true
	case tagFloat:
		f := math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.i:]))
		d.i += 8
		return f
	case tagInt64:
		return unzigzag(d.uvarint())
	case tagInt:
		return int(unzigzag(d.uvarint()))
	case tagString:
		return d.text()
	case tagNumber:
		return json.Number(d.text())
	case tagObject:
		n := int(d.uvarint())
		m := make(map[string]any, n)
		for range n {
			k := d.text()
			m[k] = d.value()
		}
		return m
	case tagArray:
		n := int(d.uvarint())
		a := make([]any, n)
		for i := range a {
			a[i] = d.value()
		}
		return a
	case tagNilObject:
		return map[string]any(nil)
	case tagNilArray:
		return []any(nil)
	}
	panic("state: corrupt record encoding")
}
