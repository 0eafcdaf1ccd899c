package state

// Copy deep-copies a JSON value (map[string]any and []any; anything else is copied by value):
// the one deep copy of decoded JSON in the mock, used by the store and by those handing it
// values.
func Copy(v any) any { return copyValue(v) }
