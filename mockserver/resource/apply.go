package resource

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/spec"
	"github.com/mockserver/mockserver/mockserver/state"
)

// Store is what the engine needs of the record store; *state.Store is one.
type Store interface {
	Peek(session string, ref state.Ref) (state.Record, *state.Memo, bool)
	List(session, resource, scope string) []state.Entry
	Update(session string, ref state.Ref, fn func(cur state.Record, exists bool, v state.View) (state.Record, error)) (state.Record, error)
	UpdateAll(session, resource, scope string, match func(state.Record) bool, fn func(cur state.Record, v state.View) (state.Record, error)) ([]state.Entry, error)
	Deleted(session string, ref state.Ref) bool
	Written(session, resource, scope string) bool
}

// Env is what the engine takes from the server: the store, the seed and the clock, and the
// schema services it has no business owning.
type Env struct {
	Store Store
	Seed  string
	Now   func() time.Time
	// Generate is a value of schema (as a response carries it), deterministic from seed.
	Generate func(doc *spec.Document, schema *openapi3.SchemaRef, seed uint64) any
	// Hash names a generated value: a deterministic hash of the seed and parts.
	Hash func(parts ...string) uint64
	// Fits reports whether v validates against schema.
	Fits func(schema *openapi3.SchemaRef, v any) bool
	// Example is the description's example of a shape's record (a private copy), or nil.
	Example func(sh *Shape) map[string]any
}

// Engine applies requests to the store, as the model says.
type Engine struct {
	model *Model
	env   Env
	ids   *Sequences
}

// NewEngine returns an engine for the model (the start-up plan), over env.Store and ids (the
// runtime state a reload hands over).
func NewEngine(m *Model, env Env, ids *Sequences) *Engine {
	return &Engine{model: m, env: env, ids: ids}
}

// Model returns the plan the engine follows.
func (e *Engine) Model() *Model { return e.model }

// Request is what the engine needs of one valid request.
type Request struct {
	Op      *spec.Operation
	Method  string
	Session string
	Path    map[string]string // path parameters
	Query   url.Values
	Body    any    // the decoded request body (uploaded files as their URLs)
	Caller  string // a singleton's key: the caller's identity id, or a hash of the credential; "" anonymous
	Dynamic bool   // derive records nobody wrote from generated data, not the description's examples
	// Identity is the caller's identity (fixtures' identities: owner rules compare it); nil
	// for a caller fixtures do not know.
	Identity map[string]any
}

// Result is what a request did.
type Result int

// Results.
const (
	Pass     Result = iota // the state has nothing to say: examples or generation answer
	Found                  // Record: read (Memo when stored as is; Derived when nobody wrote it)
	Written                // Record: replaced or merged
	Created                // Record: a new record, under Ref.ID
	Deleted                // Record: as it was
	Listed                 // Page
	NotFound               // no such record
	Conflict               // the client's id is taken, and the operation documents 409
	Full                   // Err: the store has no room
	Refused                // Err: the *Refusal of the fixture rule that refused the write
	Failed                 // Err: anything else
)

// Outcome is everything a request did to the state, for the server to render.
type Outcome struct {
	Result   Result
	Resource string
	Shape    *Shape
	Ref      state.Ref
	Record   state.Record // the store's own when Memo is set: not to be changed
	Memo     *state.Memo
	Page     Page
	Err      error
	// Derived marks a read of records nobody wrote (derived from the seed and their ids):
	// Record or Page is made by Resolve, so that a server remembering the answer need not.
	Derived bool
	pend    pending
}

// pending is what Resolve needs to make a derived record or page (a value, not a closure: a
// read answered from what the server remembers allocates nothing for it).
type pending struct {
	e      *Engine
	r      Request
	b      *Binding
	sh     *Shape
	key    any
	list   bool
	filter map[string]any
	pg     paging
}

// Resolve is the outcome with its derived record or page made (see Derived); o itself when it
// has nothing to make. Making is deterministic: the same request resolves to the same records.
func (o Outcome) Resolve() Outcome {
	p := o.pend
	if p.e == nil {
		return o
	}
	out := Outcome{Result: o.Result, Resource: o.Resource, Shape: o.Shape, Ref: o.Ref, Derived: true}
	switch {
	case p.list:
		out.Page = p.e.derivedPage(p.r, p.sh, o.Ref.Scope, p.filter, p.pg)
	default:
		if out.Record = p.e.derived(p.r, p.b, p.sh, o.Ref, p.key); out.Record == nil {
			out.Result = NotFound // the schema makes no object
		}
	}
	return out
}

// Page is one page of a list.
type Page struct {
	Records []state.Record
	Total   int // records matching, on every page
	Offset  int // of the first record of this page
	Limit   int // the page size asked for (0: all)
	HasMore bool
}

var (
	errAbsent = errors.New("absent")
	errTaken  = errors.New("id taken")
)

// Apply does what the request does to the state.
func (e *Engine) Apply(r Request) Outcome {
	b := e.model.Bindings[r.Op]
	if b == nil || b.Kind == None {
		return Outcome{}
	}
	sh := e.model.Shapes[b.Resource]
	if sh == nil || (sh.Schema == nil && !sh.Closed) {
		return Outcome{} // nothing says what a record looks like: examples and generation answer
	}
	scope := scopeOf(b, r.Path)
	var o Outcome
	switch b.Kind {
	case Item:
		o = e.item(r, b, sh, state.Ref{Resource: b.Resource, Scope: scope, ID: r.Path[b.Key]}, r.Method)
	case Singleton:
		o = e.item(r, b, sh, state.Ref{Resource: b.Resource, Scope: scope, ID: r.Caller}, r.Method)
	case Collection:
		o = e.collection(r, b, sh, scope)
	case View:
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			o = e.list(r, b, sh, scope)
		}
	}
	if o.Result != Pass {
		o.Resource, o.Shape = b.Resource, sh
	}
	return o
}

func scopeOf(b *Binding, params map[string]string) string {
	vals := make([]string, len(b.Scope))
	for i, p := range b.Scope {
		vals[i] = params[p]
	}
	return strings.Join(vals, "/")
}

// item reads or writes one record.
func (e *Engine) item(r Request, b *Binding, sh *Shape, ref state.Ref, method string) Outcome {
	st := e.env.Store
	switch method {
	case http.MethodGet, http.MethodHead:
		if rec, memo, ok := st.Peek(r.Session, ref); ok {
			return Outcome{Result: Found, Ref: ref, Record: rec, Memo: memo}
		}
		if key, ok := e.derivable(r, b, sh, ref); ok {
			return Outcome{Result: Found, Ref: ref, Derived: true, pend: pending{e: e, r: r, b: b, sh: sh, key: key}}
		}
		return Outcome{Result: NotFound, Ref: ref}
	case http.MethodDelete:
		derived, canDerive := e.deriveAbsent(r, b, sh, ref)
		var gone state.Record
		stored := false
		_, err := st.Update(r.Session, ref, func(cur state.Record, exists bool, _ state.View) (state.Record, error) {
			if !exists {
				if !canDerive {
					return nil, errAbsent
				}
				cur = derived
			}
			if err := e.owner(r, b.Resource, cur); err != nil {
				return nil, err
			}
			gone, stored = cur, exists
			if !exists {
				return cur, nil // written, to be deleted below: a record nobody wrote is gone too
			}
			return nil, nil
		})
		if err == nil && !stored {
			_, err = st.Update(r.Session, ref, func(state.Record, bool, state.View) (state.Record, error) { return nil, nil })
		}
		if err != nil {
			return e.failed(ref, err)
		}
		return Outcome{Result: Deleted, Ref: ref, Record: gone}
	case http.MethodPut, http.MethodPatch, http.MethodPost:
		// PUT replaces the record; PATCH merges into it; POST (Stripe's update, a singleton's
		// writer) merges into it, or creates a singleton when there is none.
		patch, ok := e.bodyObject(r, sh)
		if !ok {
			return Outcome{}
		}
		merge := method != http.MethodPut
		var derived state.Record
		canDerive := false
		if merge {
			derived, canDerive = e.deriveAbsent(r, b, sh, ref)
		}
		key := e.recordKey(r, b, sh, ref, patch)
		rec, err := st.Update(r.Session, ref, func(cur state.Record, exists bool, v state.View) (state.Record, error) {
			if !exists && canDerive {
				cur, exists = state.Copy(derived).(state.Record), true
			}
			if !exists && method == http.MethodPatch {
				return nil, errAbsent
			}
			if !exists && method == http.MethodPost && b.Kind != Singleton {
				return nil, errAbsent // an update of nothing
			}
			if exists {
				if err := e.owner(r, b.Resource, cur); err != nil {
					return nil, err
				}
			}
			var next state.Record
			if merge && exists {
				next = mergePatch(maps.Clone(cur), patch).(map[string]any) // cur's own values stay for maintain
			} else {
				next = e.completed(sh, ref, patch)
			}
			if !exists {
				cur = nil
			}
			e.maintain(sh, next, cur, key)
			if err := e.unique(b.Resource, ref, next, v); err != nil {
				return nil, err
			}
			if !exists {
				if err := e.owner(r, b.Resource, next); err != nil {
					return nil, err
				}
			}
			return next, nil
		})
		if err != nil {
			return e.failed(ref, err)
		}
		return Outcome{Result: Written, Ref: ref, Record: rec}
	}
	return Outcome{}
}

// collection lists, creates, replaces by the body's key, or patches/deletes every record a
// filter matches.
func (e *Engine) collection(r Request, b *Binding, sh *Shape, scope string) Outcome {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return e.list(r, b, sh, scope)
	case http.MethodPost:
		return e.create(r, b, sh, scope)
	case http.MethodPut:
		if !b.ByBody {
			return Outcome{}
		}
		body, _ := r.Body.(map[string]any)
		id := ScalarString(body[sh.KeyProperty])
		if id == "" {
			return Outcome{}
		}
		return e.item(r, b, sh, state.Ref{Resource: b.Resource, Scope: scope, ID: id}, http.MethodPut)
	case http.MethodPatch, http.MethodDelete:
		return e.updateAll(r, b, sh, scope)
	}
	return Outcome{}
}

// create stores a new record: under the id the client chose (the key property is writable:
// bodyObject keeps no readOnly one), else under a new id in the description's style.
func (e *Engine) create(r Request, b *Binding, sh *Shape, scope string) Outcome {
	body, ok := e.bodyObject(r, sh)
	if !ok {
		return Outcome{}
	}
	st := e.env.Store
	if id := ScalarString(body[sh.KeyProperty]); sh.KeyProperty != "" && id != "" {
		// An id taken is the documented 409 where there is one; else the record is replaced,
		// and the create answered as documented (as Prism would: never an undocumented status).
		ref := state.Ref{Resource: b.Resource, Scope: scope, ID: id}
		conflicts := spec.CodeKey(r.Op.Op.Responses, http.StatusConflict) != ""
		rec, err := st.Update(r.Session, ref, func(cur state.Record, exists bool, v state.View) (state.Record, error) {
			if exists && conflicts {
				return nil, errTaken
			}
			if exists {
				if err := e.owner(r, b.Resource, cur); err != nil {
					return nil, err
				}
			}
			next := e.completed(sh, ref, body)
			e.scoped(r, b, sh, next)
			e.maintain(sh, next, nil, nil) // the key stays the client's
			if err := e.unique(b.Resource, ref, next, v); err != nil {
				return nil, err
			}
			return next, nil
		})
		if errors.Is(err, errTaken) {
			return Outcome{Result: Conflict, Ref: ref}
		}
		if err != nil {
			return e.failed(ref, err)
		}
		return Outcome{Result: Created, Ref: ref, Record: rec}
	}
	for attempt := 0; attempt < 64; attempt++ { // a PUT may have taken the next id
		ref := state.Ref{Resource: b.Resource, Scope: scope, ID: e.newID(r, sh, b.Resource, scope)}
		key := e.recordKey(r, b, sh, ref, body)
		rec, err := st.Update(r.Session, ref, func(cur state.Record, exists bool, v state.View) (state.Record, error) {
			if exists {
				return nil, errTaken
			}
			next := e.completed(sh, ref, state.Copy(body).(map[string]any))
			e.scoped(r, b, sh, next)
			e.maintain(sh, next, nil, key)
			if err := e.unique(b.Resource, ref, next, v); err != nil {
				return nil, err
			}
			return next, nil
		})
		if errors.Is(err, errTaken) {
			continue
		}
		if err != nil {
			return e.failed(ref, err)
		}
		return Outcome{Result: Created, Ref: ref, Record: rec}
	}
	return Outcome{Result: Failed, Err: errors.New("could not find a free id")}
}

// updateAll patches or deletes every record of the collection a filter matches.
func (e *Engine) updateAll(r Request, b *Binding, sh *Shape, scope string) Outcome {
	patch := map[string]any{}
	if r.Method == http.MethodPatch {
		var ok bool
		if patch, ok = e.bodyObject(r, sh); !ok {
			return Outcome{}
		}
	}
	filter := e.filterOf(r, sh)
	entries, err := e.env.Store.UpdateAll(r.Session, b.Resource, scope, func(rec state.Record) bool { return matches(rec, filter) },
		func(cur state.Record, v state.View) (state.Record, error) {
			if err := e.owner(r, b.Resource, cur); err != nil {
				return nil, err
			}
			if r.Method == http.MethodDelete {
				return nil, nil
			}
			next := mergePatch(maps.Clone(cur), patch).(map[string]any) // cur's own values stay for maintain
			id := ""
			if sh.KeyProperty != "" {
				id = ScalarString(cur[sh.KeyProperty])
			}
			e.maintain(sh, next, cur, nil) // the key stays the record's own
			if err := e.unique(b.Resource, state.Ref{Resource: b.Resource, Scope: scope, ID: id}, next, v); err != nil {
				return nil, err
			}
			return next, nil
		})
	if err != nil {
		return e.failed(state.Ref{Resource: b.Resource, Scope: scope}, err)
	}
	recs := make([]state.Record, 0, len(entries))
	for _, en := range entries {
		if en.Record != nil {
			recs = append(recs, en.Record)
		}
	}
	return Outcome{Result: Listed, Ref: state.Ref{Resource: b.Resource, Scope: scope}, Page: Page{Records: recs, Total: len(recs)}}
}

// failed maps a store error to the outcome.
func (e *Engine) failed(ref state.Ref, err error) Outcome {
	var rf *Refusal
	switch {
	case errors.Is(err, errAbsent):
		return Outcome{Result: NotFound, Ref: ref}
	case errors.As(err, &rf):
		return Outcome{Result: Refused, Ref: ref, Err: rf}
	case errors.Is(err, state.ErrFull):
		return Outcome{Result: Full, Ref: ref, Err: err}
	}
	return Outcome{Result: Failed, Ref: ref, Err: err}
}

// bodyObject is the request body as a record: declared properties only (when the record
// schema declares them), readOnly ones dropped. ok is false when the body is no object.
func (e *Engine) bodyObject(r Request, sh *Shape) (map[string]any, bool) {
	raw, ok := r.Body.(map[string]any)
	if !ok {
		if r.Body == nil {
			return map[string]any{}, true
		}
		return nil, false
	}
	out := state.Copy(raw).(map[string]any)
	if sh.Schema == nil || sh.Schema.Value == nil {
		return out, true
	}
	rs := sh.Schema.Value
	props := sh.props
	ap := rs.AdditionalProperties
	// An undeclared property is kept where the record schema explicitly allows more, or
	// declares nothing at all (a free-form object); otherwise it is not part of the resource
	// (avatar_base64 is how a client sends an avatar, not a field of the user).
	keepUndeclared := (ap.Has != nil && *ap.Has) || ap.Schema != nil || (ap.Has == nil && len(props) == 0)
	for k, v := range out {
		p := props[k]
		if p == nil && !keepUndeclared {
			// Twilio sends Body and StatusCallback for the record's body and status_callback.
			if name := sh.propertyNamed(k); name != "" && out[name] == nil {
				p = props[name]
				if p != nil && p.Value != nil && !p.Value.ReadOnly {
					out[name] = v
				}
			}
			delete(out, k)
			continue
		}
		if p != nil && p.Value != nil && p.Value.ReadOnly {
			delete(out, k)
		}
	}
	return out, true
}

// loose is a property name as names are compared across conventions: lower case, without
// "_" and "-" (StatusCallback, status_callback and status-callback are one name).
func loose(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '_' || r == '-':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, name)
}

// propertyNamed is the record property a name means in another naming convention; "" when
// none does.
func (sh *Shape) propertyNamed(name string) string { return sh.looseNames[loose(name)] }

// scoped sets the record properties that name an enclosing path parameter to its value
// (Twilio's account_sid under /Accounts/{AccountSid}/Messages), where the record does not
// have them and the value fits.
func (e *Engine) scoped(r Request, b *Binding, sh *Shape, rec state.Record) {
	if sh.Schema == nil || sh.Schema.Value == nil {
		return
	}
	for _, param := range b.Scope {
		name := sh.propertyNamed(param)
		if name == "" || rec[name] != nil {
			continue
		}
		p := PropertySchema(sh.Schema.Value, name)
		if v := typed(p, r.Path[param]); p != nil && p.Value != nil && e.env.Fits(p, v) {
			rec[name] = v
		}
	}
}

// derive is the record nobody wrote under ref, as every read, update and delete of it sees it
// (derivable, then derived).
func (e *Engine) derive(r Request, b *Binding, sh *Shape, ref state.Ref) (state.Record, bool) {
	key, ok := e.derivable(r, b, sh, ref)
	if !ok {
		return nil, false
	}
	rec := e.derived(r, b, sh, ref, key)
	return rec, rec != nil
}

// deriveAbsent is derive for a write: nothing (and no generation) when the session holds the
// record. The write checks again under the store's lock, where a record stored meanwhile wins.
func (e *Engine) deriveAbsent(r Request, b *Binding, sh *Shape, ref state.Ref) (state.Record, bool) {
	if _, _, stored := e.env.Store.Peek(r.Session, ref); stored {
		return nil, false
	}
	return e.derive(r, b, sh, ref)
}

// derivable reports whether a record nobody wrote stands under ref, and its key: there is none
// for a closed resource, a record the session deleted, or an id the key property cannot hold
// where the operation documents a 404.
func (e *Engine) derivable(r Request, b *Binding, sh *Shape, ref state.Ref) (key any, ok bool) {
	if sh.Closed || sh.Schema == nil || e.env.Store.Deleted(r.Session, ref) {
		return nil, false
	}
	if sh.KeyProperty != "" {
		v, fits := e.keyValue(sh, ref.ID)
		if !fits && b.Kind != Singleton && r.Op != nil && spec.CodeKey(r.Op.Op.Responses, http.StatusNotFound) != "" {
			return nil, false // "abc" can be no pet's id: the documented 404
		}
		key = v // else the key is what the example or generation made it (a singleton's: its caller's id where it fits)
	}
	return key, true
}

// derived is the record nobody wrote under ref: the description's example of the record
// (unless the client asked for dynamic data), else data generated from the record schema for
// this id, with key as its key and the enclosing path parameters it names. nil when the schema
// makes no object.
func (e *Engine) derived(r Request, b *Binding, sh *Shape, ref state.Ref, key any) state.Record {
	base := e.base(r.Dynamic, sh, ref)
	if base == nil {
		return nil
	}
	if key != nil {
		base[sh.KeyProperty] = key
	}
	e.scoped(r, b, sh, base)
	return base
}

// base is what a record nobody wrote looks like, before its key is set.
func (e *Engine) base(dynamic bool, sh *Shape, ref state.Ref) map[string]any {
	if !dynamic && e.env.Example != nil {
		if m := e.env.Example(sh); m != nil {
			return m
		}
	}
	m, _ := e.env.Generate(sh.Doc, sh.Schema, e.env.Hash("record", ref.Resource, ref.Scope, ref.ID)).(map[string]any)
	return m
}

// completed is the record a client writes (body), with the required fields it left out
// completed from the record schema: as a record of this id would have them if nobody had
// written it (generated, deterministically from the seed and the id). A created GitHub issue
// then has the user, number and state its schema requires, and reads back the same. Optional
// fields the client leaves out stay out (a PUT replaces).
func (e *Engine) completed(sh *Shape, ref state.Ref, body map[string]any) map[string]any {
	if sh.Schema == nil || sh.Schema.Value == nil {
		return body
	}
	req := RequiredOf(sh.Schema.Value)
	missing := false
	for _, k := range req {
		if _, ok := body[k]; !ok {
			missing = true
			break
		}
	}
	if !missing {
		return body
	}
	base, ok := e.env.Generate(sh.Doc, sh.Schema, e.env.Hash("record", ref.Resource, ref.Scope, ref.ID)).(map[string]any)
	if !ok {
		return body
	}
	for _, k := range req {
		if v, ok := base[k]; ok && !sh.maintained(k) {
			if _, sent := body[k]; !sent {
				body[k] = v
			}
		}
	}
	return body
}

// maintained reports whether the server sets a property on every write or creation (maintain).
func (sh *Shape) maintained(name string) bool {
	for _, t := range sh.times {
		if t.name == name {
			return true
		}
	}
	return false
}

// maintain sets what a server maintains: the key property (prev's, else key; nil key leaves
// next's as it is), creation and update times.
func (e *Engine) maintain(sh *Shape, next, prev state.Record, key any) {
	if sh.KeyProperty != "" {
		if prev != nil && prev[sh.KeyProperty] != nil {
			next[sh.KeyProperty] = prev[sh.KeyProperty]
		} else if key != nil {
			next[sh.KeyProperty] = key
		}
	}
	if len(sh.times) == 0 {
		return
	}
	now := e.env.Now().UTC()
	for _, t := range sh.times {
		switch {
		case t.created && prev != nil && prev[t.name] != nil:
			next[t.name] = prev[t.name]
		case !t.created || next[t.name] == nil:
			next[t.name] = timeValue(t.schema, now)
		}
	}
}

// TokenKeyPrefix starts the key of a singleton kept for a caller known by a credential alone;
// such a key is never written into the record.
const TokenKeyPrefix = "\x00caller:"

// KeyValue is id as the value of the record's key property, when it fits the record schema:
// an anonymous caller's singleton ("") has none, a caller known by a credential alone has none
// (the credential is no data), and a token is no integer id.
func (e *Engine) KeyValue(sh *Shape, id string) (any, bool) { return e.keyValue(sh, id) }

func (e *Engine) keyValue(sh *Shape, id string) (any, bool) {
	if sh.KeyProperty == "" || id == "" || strings.HasPrefix(id, TokenKeyPrefix) {
		return nil, false
	}
	v := sh.TypedID(id)
	if sh.Schema == nil || sh.Schema.Value == nil {
		return v, true
	}
	p := sh.keySch
	if p == nil { // an undeclared key: only where the record allows more properties
		ap := sh.Schema.Value.AdditionalProperties
		switch {
		case ap.Schema != nil:
			p = ap.Schema
		case ap.Has != nil && !*ap.Has:
			return nil, false
		default:
			return v, true
		}
	}
	if p.Value == nil {
		return v, true
	}
	if p == sh.keySch && sh.plainKey {
		_, isString := v.(string)
		return v, isString == sh.keySch.Value.Type.Is("string") // "abc" is no integer id; 7 fits
	}
	return v, e.env.Fits(p, v)
}

// recordKey is the key property's value for a record written at ref: the id when it fits
// (keyValue); else what the client sent stays (nil), or the record's stored key, or the key
// of the record nobody wrote, so that the record keeps its schema. nil leaves the key as next
// has it.
func (e *Engine) recordKey(r Request, b *Binding, sh *Shape, ref state.Ref, next state.Record) any {
	if sh.KeyProperty == "" {
		return nil
	}
	if v, ok := e.keyValue(sh, ref.ID); ok {
		return v
	}
	if next[sh.KeyProperty] != nil || sh.Schema == nil {
		return nil
	}
	if rec, _, ok := e.env.Store.Peek(r.Session, ref); ok && rec[sh.KeyProperty] != nil {
		return rec[sh.KeyProperty]
	}
	if base := e.base(r.Dynamic, sh, ref); base != nil {
		return base[sh.KeyProperty]
	}
	return nil
}

// newID makes the id of a created record, in the description's style (idStyle): the next
// integer, a uuid, a string with its examples' prefix; where that does not fit the key's
// schema (a pattern, a length), a value generated from it.
func (e *Engine) newID(r Request, sh *Shape, resource, scope string) string {
	n := e.ids.next(idKey{r.Session, resource, scope}, func() int64 {
		// The first create in a collection starts after what is there (seeds included).
		entries := e.env.Store.List(r.Session, resource, scope)
		if !sh.ids.integer {
			return int64(len(entries))
		}
		var top int64
		for _, en := range entries {
			if v, err := strconv.ParseInt(en.ID, 10, 64); err == nil && v > top {
				top = v
			}
		}
		return top
	})
	return e.idFor(sh, "id", r.Session, resource, scope, n)
}

// idFor is the n-th id of a collection, named by parts.
func (e *Engine) idFor(sh *Shape, kind, session, resource, scope string, n int64) string {
	ns := strconv.FormatInt(n, 10)
	h := e.env.Hash(kind, session, resource, scope, ns)
	h2 := e.env.Hash(kind+"2", session, resource, scope, ns)
	id := sh.ids.formatID(n, h, h2)
	if e.idFits(sh, id) {
		return id
	}
	for _, s := range []*openapi3.SchemaRef{sh.keyParam, sh.keySch} { // generated within the key's bounds
		if s != nil && s.Value != nil {
			if v := ScalarString(e.env.Generate(sh.Doc, s, h)); v != "" && e.idFits(sh, v) {
				return v
			}
		}
	}
	return id
}

// idFits reports whether id can name a record: its key property and the item path parameter
// both take it.
func (e *Engine) idFits(sh *Shape, id string) bool {
	if sh.keyParam != nil && sh.keyParam.Value != nil && !e.env.Fits(sh.keyParam, typed(sh.keyParam, id)) {
		return false
	}
	return sh.keySch == nil || sh.keySch.Value == nil || e.env.Fits(sh.keySch, sh.TypedID(id))
}

// filterOf collects the filter of a list request: the query parameters that name record
// properties (several values, or a comma-separated one: any of them), and any JSON-content
// query parameter holding an object.
func (e *Engine) filterOf(r Request, sh *Shape) map[string]any {
	filter := map[string]any{}
	props := sh.props
	for _, p := range r.Op.Params {
		if p.In != openapi3.ParameterInQuery {
			continue
		}
		vals, ok := r.Query[p.Name]
		if !ok || len(vals) == 0 {
			continue
		}
		if p.Content != nil {
			var obj map[string]any
			if json.Unmarshal([]byte(vals[0]), &obj) == nil {
				for k, v := range obj {
					filter[k] = v
				}
			}
			continue
		}
		prop := props[p.Name]
		if prop == nil || prop.Value == nil || prop.Value.Type.Includes("array") || prop.Value.Type.Includes("object") {
			continue
		}
		var anyOf []any
		for _, v := range vals {
			for _, part := range strings.Split(v, ",") {
				anyOf = append(anyOf, part)
			}
		}
		if len(anyOf) == 1 {
			filter[p.Name] = anyOf[0]
		} else {
			filter[p.Name] = oneOf(anyOf)
		}
	}
	return filter
}

// oneOf is a filter value any of whose values matches.
type oneOf []any

// matches reports whether rec has every value of filter (objects compared field by field,
// scalars by their text so that "7" in a query matches 7).
func matches(rec any, filter any) bool {
	switch f := filter.(type) {
	case map[string]any:
		r, ok := rec.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range f {
			if !matches(r[k], v) {
				return false
			}
		}
		return true
	case oneOf:
		for _, v := range f {
			if matches(rec, v) {
				return true
			}
		}
		return false
	case []any:
		r, ok := rec.([]any)
		if !ok || len(r) != len(f) {
			return false
		}
		for i := range f {
			if !matches(r[i], f[i]) {
				return false
			}
		}
		return true
	}
	return ScalarString(rec) == ScalarString(filter)
}
