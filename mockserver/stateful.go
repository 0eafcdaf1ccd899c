package mockserver

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/body"
	"github.com/mockserver/mockserver/mockserver/generate"
	"github.com/mockserver/mockserver/mockserver/resource"
	"github.com/mockserver/mockserver/mockserver/spec"
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

// newEngine is the resource engine over the server's plan and runtime state.
func (s *Server) newEngine(ids *resource.Sequences) *resource.Engine {
	return resource.NewEngine(s.model, resource.Env{
		Store: s.store,
		Seed:  s.cfg.Seed,
		Now:   s.now,
		Generate: func(d *spec.Document, schema *openapi3.SchemaRef, seed uint64) any {
			return s.gens[d].Value(schema, seed, generate.Response)
		},
		Hash:    func(parts ...string) uint64 { return generate.Seed(append([]string{s.cfg.Seed}, parts...)...) },
		Fits:    s.answerFits,
		Example: s.recordExample,
	}, ids)
}

// fromState answers a valid request from the store when its operation reads or writes a
// resource; nil means the state has nothing to say (the next source answers).
func (s *Server) fromState(x *exchange) *reply {
	if b := s.model.Bindings[x.op]; b == nil || b.Kind == resource.None {
		return nil
	}
	if _, status := s.defaultOf(x.op.Op.Responses); status < 200 || status > 299 {
		return nil // no success is documented: the description's own answer stands (Prism's too)
	}
	x.session = sessionOf(x.r)
	o := s.engine.Apply(resource.Request{
		Op: x.op, Method: x.r.Method, Session: x.session, Path: x.params, Query: x.query,
		Body: s.requestRecord(x), Caller: callerKey(x), Dynamic: s.dynamic(x),
		Identity: identityFields(x),
	})
	return s.renderOutcome(x, o)
}

// requestRecord is the request body as the state takes it: uploaded files as the URLs of their
// kept metadata.
func (s *Server) requestRecord(x *exchange) any {
	if len(x.val.Files) == 0 {
		return x.val.Body
	}
	m, ok := x.val.Body.(map[string]any)
	if !ok {
		return x.val.Body
	}
	m = maps.Clone(m)
	for _, f := range x.val.Files {
		m[f.Field] = s.keepFile(x, f)
	}
	return m
}

// recordExample is the description's example of a shape's record (a private copy), or nil:
// its media type's first example that is an object matching its schema.
func (s *Server) recordExample(sh *resource.Shape) map[string]any {
	if sh.Media == nil {
		return nil
	}
	for _, name := range s.examplesOf(sh.Media) {
		if s.badExamples[exampleKey{sh.Media, name}] != nil {
			continue
		}
		if m, ok := exampleValue(sh.Media, name).(map[string]any); ok {
			return state.Copy(m).(map[string]any)
		}
	}
	return nil
}

// renderOutcome answers what the request did to the state.
func (s *Server) renderOutcome(x *exchange, o resource.Outcome) *reply {
	switch o.Result {
	case resource.Pass:
		return nil
	case resource.Found, resource.Written, resource.Deleted, resource.Listed:
		return s.stateReply(x, o)
	case resource.Created:
		rep := s.stateReply(x, o)
		if rep.Status == http.StatusCreated || rep.Header.Get("Location") != "" {
			rep.Header.Set("Location", resource.ItemPath(x.r.URL.Path, url.PathEscape(o.Ref.ID)))
		}
		return rep
	case resource.NotFound:
		return s.notFound(x, o.Ref)
	case resource.Conflict:
		rep := s.render(x, spec.CodeKey(x.op.Op.Responses, http.StatusConflict), http.StatusConflict, x.pref.Example, SourceExample)
		rep.Source = SourceState + "+" + rep.Source
		return rep
	case resource.Refused:
		var rf *resource.Refusal
		if errors.As(o.Err, &rf) {
			if r := s.ruleOf(rf.Rule); r != nil {
				return s.ruleReply(x, r)
			}
		}
	case resource.Full:
		rep := problemReply(newProblem(http.StatusInsufficientStorage, o.Err.Error()+fullAdvice(o.Err, x.session)), SourceState)
		rep.Header.Set(HeaderWarning, "507 is not documented by this operation: the mock's state is full")
		return rep
	}
	rep := problemReply(newProblem(http.StatusInternalServerError, fmt.Sprint(o.Err)), SourceState)
	rep.Header.Set(HeaderWarning, "the mock's state failed this write; the status is the mock's, not the description's")
	return rep
}

// fullAdvice says what frees room for a write the state refused as full: resetting the session
// that holds what the bound counts (the writer is session).
func fullAdvice(err error, session string) string {
	var fe *state.FullError
	if !errors.As(err, &fe) {
		return ""
	}
	this := "POST /__mock/reset?session=" + url.QueryEscape(session)
	switch {
	case fe.Bound == state.SessionRecords || fe.Bound == state.SessionBytes:
		return ": reset this session (" + this + ")"
	case session != "" && fe.Default > fe.Session:
		return ": the default session holds most of it: reset it (POST /__mock/reset?session=), or everything (POST /__mock/reset)"
	}
	return ": reset this session (" + this + "), or everything (POST /__mock/reset)"
}

// identityFields are the caller's identity as fixtures map its credential; nil when they do not
// know it.
func identityFields(x *exchange) map[string]any {
	if x.identity == nil {
		return nil
	}
	return x.identity.fields
}

// callerKey names a singleton's record: the caller's identity id, else a hash of the credential.
func callerKey(x *exchange) string {
	if x.identity == nil {
		return ""
	}
	if id, ok := x.identity.fields["id"]; ok {
		return resource.ScalarString(id)
	}
	if x.identity.token == "" {
		return ""
	}
	// A credential never becomes a record's key, nor (KeyValue) response data: its hash does.
	sum := sha256.Sum256([]byte(x.identity.token))
	return resource.TokenKeyPrefix + hex.EncodeToString(sum[:8])
}

// notFound answers the operation's documented 404; where it documents none, a problem that
// says so in X-Mock-Warning.
func (s *Server) notFound(x *exchange, ref state.Ref) *reply {
	if key := responseKey(x.op.Op.Responses, http.StatusNotFound); key != "" {
		rep := s.render(x, key, http.StatusNotFound, x.pref.Example, SourceExample)
		if rep.Problem == nil {
			rep.Source = SourceState + "+" + rep.Source
		}
		return rep
	}
	p := newProblem(http.StatusNotFound, fmt.Sprintf("no %s %q in this session", ref.Resource, ref.ID))
	p.Operation = x.op.ID
	rep := problemReply(p, SourceState)
	rep.Header.Set(HeaderWarning, "404 is not documented by "+x.op.ID+": the record does not exist in this session")
	return rep
}

// encodingKey names one encoding of a record in its memo: the response media type it was
// shaped for, and the media type it was sent as.
type encodingKey struct {
	media *openapi3.MediaType
	send  string
}

// stateReply answers a stateful operation's success with what it did. The outcome's record is
// not changed. With a memo (a stored record read as it is), the encoded body is taken from the
// memo, or encoded and remembered there.
func (s *Server) stateReply(x *exchange, o resource.Outcome) *reply {
	key, status := s.successResponse(x.op.Op.Responses, x.r.Method)
	if key == "" {
		// No success documented (fromState does not get here then): the description's own
		// answer, never an undocumented one.
		key, status = s.defaultOf(x.op.Op.Responses)
		return s.render(x, key, status, x.pref.Example, SourceExample)
	}
	rep := &reply{Status: status, Header: http.Header{}, Source: SourceState}
	ref := x.op.Op.Responses.Value(key)
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return rep
	}
	s.headers(x, ref.Value, status, rep.Header)
	mkey, send, ok := negotiateAmong(x.op.Doc.MediaTypes(ref.Value), x.r.Header.Get("Accept"))
	if !ok {
		return s.render(x, key, status, x.pref.Example, SourceExample) // the 406 problem
	}
	media := ref.Value.Content[mkey]
	rep.MediaType, rep.HasBody = send, true
	if o.Memo != nil { // one stored record, read as it is
		k := encodingKey{media, send}
		if v, ok := o.Memo.Load(k); ok {
			enc := v.(encoded)
			rep.Raw = enc.raw
			if enc.warning != "" {
				rep.Header.Set(HeaderWarning, enc.warning)
			}
			return rep
		}
		body, warning := s.documentedRecord(x, media.Schema, o.Record)
		rep.Raw = encodeBody(send, body)
		o.Memo.Store(k, encoded{rep.Raw, warning})
		if warning != "" {
			rep.Header.Set(HeaderWarning, warning)
		}
		return rep
	}
	seed := s.seed(x, seedStatus(status))
	var derivedKey generatedKey
	if o.Derived {
		// Records nobody wrote are the same for every session that did not write them: their
		// answer is remembered (bounded in bytes) rather than generated and checked again.
		derivedKey = generatedKey{schema: media.Schema, seed: seed, json: true,
			detail: "derived " + send + " " + strconv.FormatBool(s.dynamic(x)) + " " + o.Ref.ID + " " + x.r.Host + x.r.URL.RequestURI()} // a singleton's id is its caller
		if raw, ok := s.generatedBodies.get(derivedKey); ok {
			rep.Raw = raw
			return rep
		}
		if o = o.Resolve(); o.Result == resource.NotFound {
			return s.notFound(x, o.Ref)
		}
	}
	var warning string
	if o.Result == resource.Listed {
		rep.Value, warning = s.shapeList(x, media.Schema, o.Page, seed)
	} else {
		rep.Value, warning = s.documentedRecord(x, media.Schema, o.Record)
	}
	if warning != "" {
		rep.Header.Set(HeaderWarning, warning)
	} else if o.Derived {
		rep.Raw = encodeBody(send, rep.Value)
		rep.Value = nil
		s.generatedBodies.put(derivedKey, rep.Raw)
	}
	return rep
}

// encoded is a record's answer under an encodingKey, as its memo remembers it: the bytes and
// the warning they carry (one entry: a memo holds one thing).
type encoded struct {
	raw     []byte
	warning string
}

// documentedRecord is one record as schema documents it, writeOnly fields left out
// (answer.go).
func (s *Server) documentedRecord(x *exchange, schema *openapi3.SchemaRef, value state.Record) (any, string) {
	v := withoutWriteOnly(schema, value)
	rec, ok := v.(map[string]any)
	if !ok {
		return v, ""
	}
	key := x.path
	if id := resource.ScalarString(rec["id"]); id != "" {
		key = id
	}
	return s.asDocumented(x, x.r.Method, schema, rec, key)
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
	case method == http.MethodPost && spec.Usable(responses, "201"):
		return "201", http.StatusCreated
	case method == http.MethodDelete && spec.Usable(responses, "204"):
		return "204", http.StatusNoContent
	}
	key, status := s.defaultOf(responses) // planned at start-up
	if status < 200 || status > 299 {
		return "", 0
	}
	return key, status
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
