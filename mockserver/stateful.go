package mockserver

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/body"
	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/state"
)

// Sessions: the X-Mock-Session header (or, for browsers, the cookie) names the session a
// request belongs to; each session sees its own copy-on-write view of the seeded state.
const (
	HeaderSession = "X-Mock-Session"
	CookieSession = "mock_session"
	SourceState   = "state" // answered from the in-memory state
	SourceRule    = "rule"  // a fixture rule refused the write
)

func sessionOf(r *http.Request) string {
	if s := r.Header.Get(HeaderSession); s != "" {
		return s
	}
	if c, err := r.Cookie(CookieSession); err == nil {
		return c.Value
	}
	return ""
}

// errRule is a write a fixture rule refused.
type errRule struct{ rule *rule }

func (e *errRule) Error() string { return "refused by a " + e.rule.Kind + " rule" }

var errAbsent = errors.New("absent")

// fromState answers a valid request from the store when its operation reads or writes a
// resource; nil means the state has nothing to say (the next source answers).
func (s *Server) fromState(x *exchange) *reply {
	b := s.bindings[x.op]
	if b == nil || b.Kind == kindNone {
		return nil
	}
	sh := s.shapes[b.Resource]
	if sh == nil || (sh.Schema == nil && !sh.Closed) {
		return nil // nothing says what a record looks like: examples and generation answer
	}
	if _, status := s.defaultOf(x.op.Op.Responses); status < 200 || status > 299 {
		return nil // no success is documented: the description's own answer stands (Prism's too)
	}
	x.session = sessionOf(x.r)
	scope := scopeOf(b, x.params)
	switch b.Kind {
	case kindItem:
		return s.itemOp(x, b, sh, state.Ref{Resource: b.Resource, Scope: scope, ID: x.params[b.Key]})
	case kindSingleton:
		return s.itemOp(x, b, sh, state.Ref{Resource: b.Resource, Scope: scope, ID: callerKey(x)})
	case kindCollection:
		return s.collectionOp(x, b, sh, scope)
	}
	return nil
}

func scopeOf(b *binding, params map[string]string) string {
	vals := make([]string, len(b.Scope))
	for i, p := range b.Scope {
		vals[i] = params[p]
	}
	return strings.Join(vals, "/")
}

// callerKey names a singleton's record: the caller's identity id, else a hash of the credential.
func callerKey(x *exchange) string {
	if x.identity == nil {
		return ""
	}
	if id, ok := x.identity.fields["id"]; ok {
		return scalarString(id)
	}
	if x.identity.token == "" {
		return ""
	}
	// A credential never becomes a record's key, nor (keyValue) response data: its hash does.
	sum := sha256.Sum256([]byte(x.identity.token))
	return tokenKeyPrefix + hex.EncodeToString(sum[:8])
}

// tokenKeyPrefix starts the key of a singleton kept for a caller known by a credential alone;
// such a key is never written into the record.
const tokenKeyPrefix = "\x00caller:"

// itemOp reads or writes one record.
func (s *Server) itemOp(x *exchange, b *binding, sh *resourceShape, ref state.Ref) *reply {
	switch x.r.Method {
	case http.MethodGet, http.MethodHead:
		rec, memo, ok := s.load(x, sh, ref)
		if !ok {
			return s.notFound(x, ref)
		}
		return s.stateReply(x, x.r.Method, rec, memo)
	case http.MethodDelete:
		s.load(x, sh, ref) // an open resource's record exists from its first touch
		var gone state.Record
		_, err := s.store.Update(x.session, ref, func(cur state.Record, exists bool, v state.View) (state.Record, error) {
			if !exists {
				return nil, errAbsent
			}
			if err := s.checkOwner(x, b.Resource, cur); err != nil {
				return nil, err
			}
			gone = cur
			return nil, nil
		})
		if rep := s.writeFailed(x, ref, err); rep != nil {
			return rep
		}
		return s.stateReply(x, http.MethodDelete, gone, nil)
	case http.MethodPut, http.MethodPatch, http.MethodPost:
		// PUT replaces the record; PATCH merges into it; POST (a singleton's writer, as
		// Stripe's POST /v1/account) merges into it, or creates it when there is none.
		patch, ok := s.bodyObject(x, sh)
		if !ok {
			return nil
		}
		merge := x.r.Method != http.MethodPut
		if merge {
			s.load(x, sh, ref) // an open resource's record exists from its first touch
		}
		key := s.recordKey(x, sh, ref, patch)
		rec, err := s.store.Update(x.session, ref, func(cur state.Record, exists bool, v state.View) (state.Record, error) {
			if x.r.Method == http.MethodPatch && !exists {
				return nil, errAbsent
			}
			if exists {
				if err := s.checkOwner(x, b.Resource, cur); err != nil {
					return nil, err
				}
			}
			var next state.Record
			switch {
			case merge && exists:
				next = mergePatch(maps.Clone(cur), patch).(map[string]any) // cur's own values stay for maintain
			default: // a replacement, or a first write: the required fields it left out
				next = s.completed(sh, ref, patch)
			}
			s.maintain(sh, next, cur, key)
			if err := s.checkUnique(b.Resource, ref, next, v); err != nil {
				return nil, err
			}
			if !exists {
				if err := s.checkOwner(x, b.Resource, next); err != nil {
					return nil, err
				}
			}
			return next, nil
		})
		if rep := s.writeFailed(x, ref, err); rep != nil {
			return rep
		}
		return s.stateReply(x, x.r.Method, rec, nil)
	}
	return nil
}

// collectionOp lists, creates, or patches/deletes every record a filter matches.
func (s *Server) collectionOp(x *exchange, b *binding, sh *resourceShape, scope string) *reply {
	filter := s.filterOf(x, sh)
	match := func(rec state.Record) bool { return matches(rec, filter) }
	switch x.r.Method {
	case http.MethodGet, http.MethodHead:
		entries := s.store.List(x.session, b.Resource, scope)
		if len(entries) == 0 && !sh.Closed {
			return nil // nothing stored yet: the description's example or generated data answers
		}
		var recs []any
		for _, e := range entries {
			if match(e.Record) {
				recs = append(recs, e.Record)
			}
		}
		return s.stateReply(x, x.r.Method, recs, nil)
	case http.MethodPost:
		body, ok := s.bodyObject(x, sh)
		if !ok {
			return nil
		}
		if id := scalarString(body[sh.KeyProperty]); sh.KeyProperty != "" && id != "" {
			// The client chose the id (the key property is writable: bodyObject keeps no
			// readOnly one): the record is created under it. An id taken is the documented 409
			// where there is one; else the record is replaced, and the create answered as
			// documented (as Prism would: never an undocumented status).
			ref := state.Ref{Resource: b.Resource, Scope: scope, ID: id}
			conflicts := codeKey(x.op.Op.Responses, http.StatusConflict) != ""
			rec, err := s.store.Update(x.session, ref, func(cur state.Record, exists bool, v state.View) (state.Record, error) {
				if exists && conflicts {
					return nil, errTaken
				}
				if exists {
					if err := s.checkOwner(x, b.Resource, cur); err != nil {
						return nil, err
					}
				}
				next := s.completed(sh, ref, body)
				s.maintain(sh, next, nil, nil) // the key stays the client's
				if err := s.checkUnique(b.Resource, ref, next, v); err != nil {
					return nil, err
				}
				return next, nil
			})
			if errors.Is(err, errTaken) {
				rep := s.render(x, codeKey(x.op.Op.Responses, http.StatusConflict), http.StatusConflict, SourceExample)
				rep.Source = SourceState + "+" + rep.Source
				return rep
			}
			if rep := s.writeFailed(x, ref, err); rep != nil {
				return rep
			}
			return s.stateReply(x, http.MethodPost, rec, nil)
		}
		for attempt := 0; attempt < 64; attempt++ { // a PUT may have taken the next id
			id := s.newID(x, sh, b.Resource, scope, attempt)
			ref := state.Ref{Resource: b.Resource, Scope: scope, ID: id}
			key := s.recordKey(x, sh, ref, body)
			rec, err := s.store.Update(x.session, ref, func(cur state.Record, exists bool, v state.View) (state.Record, error) {
				if exists {
					return nil, errTaken
				}
				next := s.completed(sh, ref, body)
				s.maintain(sh, next, nil, key)
				if err := s.checkUnique(b.Resource, ref, next, v); err != nil {
					return nil, err
				}
				return next, nil
			})
			if errors.Is(err, errTaken) {
				continue
			}
			if rep := s.writeFailed(x, ref, err); rep != nil {
				return rep
			}
			return s.stateReply(x, http.MethodPost, rec, nil)
		}
		return problemReply(newProblem(http.StatusConflict, "could not find a free id"), SourceState)
	case http.MethodPatch, http.MethodDelete:
		patch := map[string]any{}
		if x.r.Method == http.MethodPatch {
			var ok bool
			if patch, ok = s.bodyObject(x, sh); !ok {
				return nil
			}
		}
		entries, err := s.store.UpdateAll(x.session, b.Resource, scope, match, func(cur state.Record, v state.View) (state.Record, error) {
			if err := s.checkOwner(x, b.Resource, cur); err != nil {
				return nil, err
			}
			if x.r.Method == http.MethodDelete {
				return nil, nil
			}
			next := mergePatch(maps.Clone(cur), patch).(map[string]any) // cur's own values stay for maintain
			id := ""
			if sh.KeyProperty != "" {
				id = scalarString(cur[sh.KeyProperty])
			}
			s.maintain(sh, next, cur, nil) // the key stays the record's own
			if err := s.checkUnique(b.Resource, state.Ref{Resource: b.Resource, Scope: scope, ID: id}, next, v); err != nil {
				return nil, err
			}
			return next, nil
		})
		if rep := s.writeFailed(x, state.Ref{Resource: b.Resource, Scope: scope}, err); rep != nil {
			return rep
		}
		recs := make([]any, 0, len(entries))
		for _, e := range entries {
			if e.Record != nil {
				recs = append(recs, e.Record)
			}
		}
		return s.stateReply(x, x.r.Method, recs, nil)
	}
	return nil
}

var errTaken = errors.New("id taken")

// load returns the session's record, generating it once for an open resource. The record is
// the store's own, shared with every reader: it must not be changed. The memo goes with it.
func (s *Server) load(x *exchange, sh *resourceShape, ref state.Ref) (state.Record, *state.Memo, bool) {
	if rec, memo, ok := s.store.Peek(x.session, ref); ok {
		return rec, memo, true
	}
	if sh.Closed || sh.Schema == nil || s.store.Deleted(x.session, ref) {
		return nil, nil, false
	}
	gen, ok := s.baseRecord(x, sh, ref)
	if !ok {
		return nil, nil, false
	}
	if v, ok := s.keyValue(sh, ref.ID); ok {
		gen[sh.KeyProperty] = v // else the key stays as the example or generation made it
	}
	_, err := s.store.Update(x.session, ref, func(cur state.Record, exists bool, _ state.View) (state.Record, error) {
		if exists {
			return cur, nil
		}
		return gen, nil
	})
	if err != nil {
		return nil, nil, false
	}
	return s.store.Peek(x.session, ref)
}

// baseRecord is what a record nobody wrote looks like: the description's example of the
// record (when it matches its schema and the client did not ask for dynamic data), else data
// generated from the record schema for this id.
// completed is the record a client writes (body), with the required fields it left out
// completed from the record schema: as a record of this id would have them if nobody had
// written it (generated, deterministically from the seed and the id). A created GitHub issue
// then has the user, number and state its schema requires, and reads back the same. Optional
// fields the client leaves out stay out (a PUT replaces).
func (s *Server) completed(sh *resourceShape, ref state.Ref, body map[string]any) map[string]any {
	schema := sh.Schema // the record's own object schema (recordBranch, at start-up)
	if schema == nil || schema.Value == nil {
		return body
	}
	req := requiredOf(schema.Value)
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
	base, ok := s.gens[sh.Doc].Value(schema, generate.Seed(s.cfg.Seed, "record", ref.Resource, ref.Scope, ref.ID), generate.Response).(map[string]any)
	if !ok {
		return body
	}
	for _, k := range req {
		if v, ok := base[k]; ok {
			if _, sent := body[k]; !sent {
				body[k] = v
			}
		}
	}
	return body
}

// recordBranch is the object schema a record follows (resourceShape.Schema, decided at
// start-up): schema itself, or — where a response
// offers alternatives (Stripe's GET /v1/customers/{customer}: anyOf customer, deleted_customer)
// — the first alternative that describes an object, as descriptions list the live record first.
func recordBranch(schema *openapi3.SchemaRef) *openapi3.SchemaRef {
	if schema == nil || schema.Value == nil {
		return nil
	}
	v := schema.Value
	if len(v.Properties) > 0 || len(v.AllOf) > 0 || (len(v.AnyOf) == 0 && len(v.OneOf) == 0) {
		return schema
	}
	for _, alts := range []openapi3.SchemaRefs{v.AnyOf, v.OneOf} {
		for _, alt := range alts {
			if isObject(alt, 0) {
				return alt
			}
		}
	}
	return schema
}

// requiredOf lists the properties an object schema requires, its allOf branches' too.
func requiredOf(s *openapi3.Schema) []string {
	out := s.Required
	for _, b := range s.AllOf {
		if b != nil && b.Value != nil {
			out = append(slices.Clip(out), requiredOf(b.Value)...)
		}
	}
	return out
}

func (s *Server) baseRecord(x *exchange, sh *resourceShape, ref state.Ref) (map[string]any, bool) {
	dynamic := s.cfg.Dynamic
	if x.pref.Dynamic != nil {
		dynamic = *x.pref.Dynamic
	}
	if !dynamic && sh.Media != nil {
		for _, name := range s.examplesOf(sh.Media) {
			if s.badExamples[exampleKey{sh.Media, name}] != nil {
				continue
			}
			if m, ok := exampleValue(sh.Media, name).(map[string]any); ok {
				return deepCopy(m).(map[string]any), true
			}
		}
	}
	gen, ok := s.gens[sh.Doc].Value(sh.Schema, generate.Seed(s.cfg.Seed, "record", ref.Resource, ref.Scope, ref.ID), generate.Response).(map[string]any)
	return gen, ok
}

// writeFailed maps a store error to the answer: the documented 404 for an absent record, the
// rule's answer for a refused write, 507 for a full session.
func (s *Server) writeFailed(x *exchange, ref state.Ref, err error) *reply {
	var re *errRule
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errAbsent):
		return s.notFound(x, ref)
	case errors.As(err, &re):
		return s.ruleReply(x, re.rule)
	case errors.Is(err, state.ErrFull):
		return problemReply(newProblem(http.StatusInsufficientStorage, "this session holds the most records a session may: reset it (POST /__mock/reset)"), SourceState)
	}
	return problemReply(newProblem(http.StatusInternalServerError, err.Error()), SourceState)
}

// notFound answers the operation's documented 404 (or a problem when it documents none).
func (s *Server) notFound(x *exchange, ref state.Ref) *reply {
	if key := responseKey(x.op.Op.Responses, http.StatusNotFound); key != "" {
		rep := s.render(x, key, http.StatusNotFound, SourceExample)
		if rep.Problem == nil {
			rep.Source = SourceState + "+" + rep.Source
		}
		return rep
	}
	p := newProblem(http.StatusNotFound, fmt.Sprintf("no %s %q in this session", ref.Resource, ref.ID))
	p.Operation = x.op.ID
	return problemReply(p, SourceState)
}

// encodingKey names one encoding of a record in its memo: the response media type it was
// shaped for, and the media type it was sent as.
type encodingKey struct {
	media *openapi3.MediaType
	send  string
}

// stateReply answers a stateful operation's success with value. value is not changed. With a
// memo (a stored record read as it is), the encoded body is taken from the memo, or encoded
// and remembered there.
func (s *Server) stateReply(x *exchange, method string, value any, memo *state.Memo) *reply {
	key, status := s.successResponse(x.op.Op.Responses, method)
	if key == "" {
		// No success documented (fromState does not get here then): the description's own
		// answer, never an undocumented one.
		key, status = s.defaultOf(x.op.Op.Responses)
		return s.render(x, key, status, SourceExample)
	}
	rep := &reply{Status: status, Header: http.Header{}, Source: SourceState}
	ref := x.op.Op.Responses.Value(key)
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return rep
	}
	s.headers(x, ref.Value, status, rep.Header)
	mkey, send, ok := negotiateAmong(mediaTypes(x.op.Doc, ref.Value), x.r.Header.Get("Accept"))
	if !ok {
		return s.render(x, key, status, SourceExample) // the 406 problem
	}
	media := ref.Value.Content[mkey]
	rep.MediaType, rep.HasBody = send, true
	if memo != nil { // one stored record, read as it is
		k := encodingKey{media, send}
		if raw, ok := memo.Load(k); ok {
			rep.Raw = raw.([]byte)
			if w, ok := memo.Load(warningKey{media}); ok {
				rep.Header.Set(HeaderWarning, w.(string))
			}
			return rep
		}
		body, warning := s.documentedRecord(x, method, media.Schema, value)
		rep.Raw = encodeBody(send, body)
		memo.Store(k, rep.Raw)
		if warning != "" {
			memo.Store(warningKey{media}, warning)
			rep.Header.Set(HeaderWarning, warning)
		}
		return rep
	}
	var warning string
	if _, isList := value.([]any); isList {
		rep.Value, warning = s.shapeList(x, method, media.Schema, value.([]any), s.seed(x, seedStatus(status)))
	} else {
		rep.Value, warning = s.documentedRecord(x, method, media.Schema, value)
	}
	if warning != "" {
		rep.Header.Set(HeaderWarning, warning)
	}
	return rep
}

// warningKey names, in a record's memo, the warning its answer under a media type carries.
type warningKey struct{ media *openapi3.MediaType }

// documentedRecord is one record (value) as schema documents it, writeOnly fields left out
// (answer.go).
func (s *Server) documentedRecord(x *exchange, method string, schema *openapi3.SchemaRef, value any) (any, string) {
	v := withoutWriteOnly(schema, value)
	rec, ok := v.(map[string]any)
	if !ok {
		return v, ""
	}
	key := x.path
	if id := scalarString(rec["id"]); id != "" {
		key = id
	}
	return s.asDocumented(x, method, schema, rec, key)
}

// shapeList fits a list of stored records to the response schema: an array, or the one array
// property of a wrapping object (the rest of the wrapper generated, its count fields set). Each
// record is answered as the list's items document it (documentedRecord); warning is the first
// item's that had to give way.
func (s *Server) shapeList(x *exchange, method string, schema *openapi3.SchemaRef, list []any, seed uint64) (any, string) {
	var items *openapi3.SchemaRef
	var wrapper map[string]any
	var field string
	switch {
	case schema == nil || schema.Value == nil:
	case schema.Value.Type.Is("array"):
		items = schema.Value.Items
	default:
		names := make([]string, 0, len(schema.Value.Properties))
		for n, p := range schema.Value.Properties {
			if p != nil && p.Value != nil && p.Value.Type.Is("array") {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		w, ok := s.gens[x.op.Doc].Value(schema, seed, generate.Response).(map[string]any)
		if !ok || len(names) == 0 {
			return list, ""
		}
		wrapper, field, items = w, names[0], schema.Value.Properties[names[0]].Value.Items
	}
	out := make([]any, len(list))
	var warning string
	for i, v := range list {
		var w string
		out[i], w = s.documentedRecord(x, method, items, v)
		if warning == "" {
			warning = w
		}
	}
	if wrapper == nil {
		return out, warning
	}
	wrapper[field] = out
	for _, n := range []string{"total", "total_count", "totalCount", "count"} {
		if p := schema.Value.Properties[n]; p != nil && p.Value != nil && p.Value.Type.Is("integer") {
			wrapper[n] = int64(len(list))
		}
	}
	return wrapper, warning
}

// withoutWriteOnly returns v without the properties its schema marks writeOnly; v itself is
// not changed (a record may be the store's own).
func withoutWriteOnly(schema *openapi3.SchemaRef, v any) any {
	m, ok := v.(map[string]any)
	if !ok || schema == nil || schema.Value == nil {
		return v
	}
	var out map[string]any
	for n, p := range schema.Value.Properties {
		if _, present := m[n]; present && p != nil && p.Value != nil && p.Value.WriteOnly {
			if out == nil {
				out = maps.Clone(m)
			}
			delete(out, n)
		}
	}
	if out == nil {
		return m
	}
	return out
}

// successResponse picks the response a stateful success answers with: 201 for a create and
// 204 for a delete when documented, else the lowest 2xx.
func (s *Server) successResponse(responses *openapi3.Responses, method string) (string, int) {
	switch {
	case method == http.MethodPost && usable(responses, "201"):
		return "201", http.StatusCreated
	case method == http.MethodDelete && usable(responses, "204"):
		return "204", http.StatusNoContent
	}
	key, status := s.defaultOf(responses) // planned at start-up
	if status < 200 || status > 299 {
		return "", 0
	}
	return key, status
}

// bodyObject is the request body as a record: declared properties only (when the record
// schema declares them), readOnly ones dropped, uploaded files as URLs.
func (s *Server) bodyObject(x *exchange, sh *resourceShape) (map[string]any, bool) {
	raw, ok := x.val.Body.(map[string]any)
	if !ok {
		if x.val.Body == nil {
			return map[string]any{}, true
		}
		return nil, false
	}
	out := deepCopy(raw).(map[string]any)
	for _, f := range x.val.Files {
		out[f.Field] = s.keepFile(x, f)
	}
	if sh.Schema == nil || sh.Schema.Value == nil {
		return out, true
	}
	rs := sh.Schema.Value
	ap := rs.AdditionalProperties
	// An undeclared property is kept where the record schema explicitly allows more, or
	// declares nothing at all (a free-form object); otherwise it is not part of the resource
	// (avatar_base64 is how a client sends an avatar, not a field of the user).
	keepUndeclared := (ap.Has != nil && *ap.Has) || ap.Schema != nil || (ap.Has == nil && len(rs.Properties) == 0)
	for k := range out {
		p := rs.Properties[k]
		if (p == nil && !keepUndeclared) || (p != nil && p.Value != nil && p.Value.ReadOnly) {
			delete(out, k)
		}
	}
	return out, true
}

// filesResource holds the metadata of uploaded files, per session (the content is not kept).
const filesResource = "__files"

// keepFile records an uploaded file's metadata and returns the URL a record stores for it.
func (s *Server) keepFile(x *exchange, f body.File) string {
	id := strconv.FormatUint(generate.Seed(x.session, x.op.ID, x.path, f.Field, f.Filename, strconv.FormatInt(f.Size, 10)), 36)
	url := "http://" + x.r.Host + controlPrefix + "/state/" + filesResource + "/" + id
	meta := map[string]any{"id": id, "field": f.Field, "filename": f.Filename, "contentType": f.ContentType,
		"size": f.Size, "operation": x.op.ID, "path": x.path, "url": url}
	_, _ = s.store.Update(x.session, state.Ref{Resource: filesResource, ID: id}, func(state.Record, bool, state.View) (state.Record, error) {
		return meta, nil
	})
	return url
}

// mergePatch applies an RFC 7386 JSON merge patch to target, in place: target must be the
// caller's own copy (as Update hands it; nested objects are merged in place too). The result
// may share values with patch.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

var (
	createdRe = regexp.MustCompile(`^(created|creation|inserted)(_?(at|on|date|time|timestamp))?$`)
	updatedRe = regexp.MustCompile(`^(updated|modified|last_?modified|changed)(_?(at|on|date|time|timestamp))?$`)
)

// maintain sets what a server maintains: the key property (prev's, else key; nil key leaves
// next's as it is), creation and update times.
func (s *Server) maintain(sh *resourceShape, next, prev state.Record, key any) {
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
	now := s.now().UTC()
	for _, t := range sh.times {
		switch {
		case t.created && prev != nil && prev[t.name] != nil:
			next[t.name] = prev[t.name]
		case !t.created || next[t.name] == nil:
			next[t.name] = timeValue(t.schema, now)
		}
	}
}

// timeProp is a record property the server maintains: a creation or update time.
type timeProp struct {
	name    string
	schema  *openapi3.Schema
	created bool // set once, on creation (when the client sent none); else on every write
}

// timeProps finds the maintained times of a record schema, by name: created_at, updatedAt,
// modified, lastModified …
func timeProps(schema *openapi3.SchemaRef) []timeProp {
	if schema == nil || schema.Value == nil {
		return nil
	}
	var out []timeProp
	for name, p := range schema.Value.Properties {
		if p == nil || p.Value == nil {
			continue
		}
		lower := strings.ToLower(name)
		switch {
		case createdRe.MatchString(lower):
			out = append(out, timeProp{name, p.Value, true})
		case updatedRe.MatchString(lower):
			out = append(out, timeProp{name, p.Value, false})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func timeValue(s *openapi3.Schema, t time.Time) any {
	switch {
	case s.Type.Is("integer"):
		return t.Unix()
	case s.Format == "date":
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// typedID converts a path id to the key property's type (it may still not fit the property:
// keyValue checks).
func typedID(sh *resourceShape, id string) any {
	if sh.Schema == nil || sh.Schema.Value == nil {
		return id
	}
	p := sh.Schema.Value.Properties[sh.KeyProperty]
	if p != nil && p.Value != nil {
		switch {
		case p.Value.Type.Is("integer"):
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				return n
			}
		case p.Value.Type.Is("number"):
			if f, err := strconv.ParseFloat(id, 64); err == nil {
				return f
			}
		}
	}
	return id
}

// keyValue is id as the value of the record's key property, when it fits the record schema:
// an anonymous caller's singleton ("") has none, a caller known by a credential alone has none
// (the credential is no data), and a token is no integer id.
func (s *Server) keyValue(sh *resourceShape, id string) (any, bool) {
	if sh.KeyProperty == "" || id == "" || strings.HasPrefix(id, tokenKeyPrefix) {
		return nil, false
	}
	v := typedID(sh, id)
	if sh.Schema == nil || sh.Schema.Value == nil {
		return v, true
	}
	p := sh.Schema.Value.Properties[sh.KeyProperty]
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
	return v, s.answerFits(p, v)
}

// recordKey is the key property's value for a record written at ref: the id when it fits
// (keyValue); else what the client sent stays (nil), or the record's stored key, or the key
// of the record nobody wrote (its example, else generated), so that the record keeps its
// schema. nil leaves the key as next has it.
func (s *Server) recordKey(x *exchange, sh *resourceShape, ref state.Ref, next state.Record) any {
	if sh.KeyProperty == "" {
		return nil
	}
	if v, ok := s.keyValue(sh, ref.ID); ok {
		return v
	}
	if next[sh.KeyProperty] != nil || sh.Schema == nil {
		return nil
	}
	if rec, _, ok := s.store.Peek(x.session, ref); ok && rec[sh.KeyProperty] != nil {
		return rec[sh.KeyProperty]
	}
	if base, ok := s.baseRecord(x, sh, ref); ok {
		return base[sh.KeyProperty]
	}
	return nil
}

// newID makes the id of a created record: the next integer, or a deterministic uuid or string.
func (s *Server) newID(x *exchange, sh *resourceShape, resource, scope string, attempt int) string {
	var p *openapi3.Schema
	if sh.Schema != nil && sh.Schema.Value != nil && sh.KeyProperty != "" {
		if r := sh.Schema.Value.Properties[sh.KeyProperty]; r != nil {
			p = r.Value
		}
	}
	integer := p != nil && p.Type.Is("integer")
	n := s.ids.next(idKey{x.session, resource, scope}, func() int64 {
		// The first create in a collection starts after what is there (seeds included).
		entries := s.store.List(x.session, resource, scope)
		if !integer {
			return int64(len(entries))
		}
		var max int64
		for _, e := range entries {
			if v, err := strconv.ParseInt(e.ID, 10, 64); err == nil && v > max {
				max = v
			}
		}
		return max
	})
	if integer {
		return strconv.FormatInt(n, 10)
	}
	h := generate.Seed(s.cfg.Seed, "id", x.session, resource, scope, strconv.FormatInt(n, 10))
	h2 := generate.Seed(strconv.FormatUint(h, 16))
	if p != nil && p.Format == "uuid" {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, (uint16(h2>>48)&0x3fff)|0x8000, h2&0xffffffffffff)
	}
	return strconv.FormatUint(h, 36)
}

// idKey names a collection in a session.
type idKey struct{ session, resource, scope string }

// idSequence hands out the ids of created records: one counter per collection and session,
// started from what the collection holds, so that a create costs O(1) and concurrent creates
// never collide among themselves.
type idSequence struct {
	// mu guards last.
	mu   sync.Mutex
	last map[idKey]int64
}

// maxSequences bounds the counters kept; past it they start over from the collections.
const maxSequences = 100000

func (q *idSequence) next(k idKey, start func() int64) int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	n, ok := q.last[k]
	if !ok {
		if len(q.last) >= maxSequences || q.last == nil {
			q.last = map[idKey]int64{}
		}
		n = start()
	}
	n++
	q.last[k] = n
	return n
}

// reset forgets one session's counters ("" and all=true: every session's).
func (q *idSequence) reset(session string, all bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for k := range q.last {
		if all || k.session == session {
			delete(q.last, k)
		}
	}
}

// filterOf collects the filter of a collection request: the query parameters that name record
// properties, and any JSON-content query parameter holding an object.
func (s *Server) filterOf(x *exchange, sh *resourceShape) map[string]any {
	filter := map[string]any{}
	var props openapi3.Schemas
	if sh.Schema != nil && sh.Schema.Value != nil {
		props = sh.Schema.Value.Properties
	}
	for _, p := range x.op.Params {
		if p.In != openapi3.ParameterInQuery {
			continue
		}
		vals, ok := x.query[p.Name]
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
		if props[p.Name] != nil {
			filter[p.Name] = vals[0]
		}
	}
	return filter
}

// matches reports whether rec has every value of filter (objects compared field by field,
// scalars by their text so that "7" matches 7).
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
	return scalarString(rec) == scalarString(filter)
}

// scalarString is a scalar's text: 7, 7.0 and "7" are all "7".
func scalarString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(t, 10)
	case int:
		return strconv.Itoa(t)
	case bool:
		return strconv.FormatBool(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
