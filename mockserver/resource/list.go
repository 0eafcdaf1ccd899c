package resource

import (
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mockserver/mockserver/mockserver/spec"
	"github.com/mockserver/mockserver/mockserver/state"
)

// Lists: which records a list request sees (its filter), and which page of them (its paging
// parameters, the list's maxItems).

// derivedList is how many records a collection nobody wrote lists: as many as a page shows,
// at most this.
const derivedList = 3

// list answers one page of the collection's records that match the request's filter. Before
// the session writes the collection, an open resource lists records derived as its item reads
// derive them, so that a list and an item agree.
func (e *Engine) list(r Request, b *Binding, sh *Shape, scope string) Outcome {
	if !b.lists {
		return Outcome{} // the collection's path answers something else (a settings object): its examples do
	}
	entries := e.env.Store.List(r.Session, b.Resource, scope)
	filter := e.filterOf(r, sh)
	pg := b.paging
	ref := state.Ref{Resource: b.Resource, Scope: scope}
	if len(entries) == 0 && !sh.Closed && sh.Schema != nil && !e.env.Store.Written(r.Session, b.Resource, scope) {
		return Outcome{Result: Listed, Ref: ref, Derived: true, pend: pending{e: e, r: r, b: b, sh: sh, list: true, filter: filter, pg: pg}}
	}
	var recs []state.Record
	for _, en := range entries {
		if matches(en.Record, filter) {
			recs = append(recs, en.Record)
		}
	}
	page := pg.cut(r.Query, recs, sh.KeyProperty)
	if len(page.Records) < pg.min && !sh.Closed && sh.Schema != nil {
		page.Records = e.padded(r, sh, scope, page.Records, pg.min)
	}
	return Outcome{Result: Listed, Ref: ref, Page: page}
}

// derivedPage is the page of a collection nobody wrote: records derived as their item reads
// derive them, as many as a page shows (at most derivedList, at least minItems).
func (e *Engine) derivedPage(r Request, sh *Shape, scope string, filter map[string]any, pg paging) Page {
	var recs []state.Record
	n := derivedList
	if pg.limitDefault > 0 && pg.limitDefault < n {
		n = pg.limitDefault
	}
	n = max(n, pg.min)
	if pg.max > 0 {
		n = min(n, pg.max)
	}
	for i := 1; i <= n; i++ {
		id := e.idFor(sh, "derived", "", sh.Name, scope, int64(i))
		if rec, ok := e.derive(r, &Binding{Kind: Item}, sh, state.Ref{Resource: sh.Name, Scope: scope, ID: id}); ok && matches(rec, filter) {
			recs = append(recs, rec)
		}
	}
	page := pg.cut(r.Query, recs, sh.KeyProperty)
	if len(page.Records) < pg.min {
		page.Records = e.padded(r, sh, scope, page.Records, pg.min)
	}
	return page
}

// padded fills a page to the list's minItems with derived records of ids it does not hold:
// a list that documents at least n items answers n.
func (e *Engine) padded(r Request, sh *Shape, scope string, recs []state.Record, n int) []state.Record {
	held := map[string]bool{}
	for _, rec := range recs {
		held[ScalarString(rec[sh.KeyProperty])] = true
	}
	out := append([]state.Record(nil), recs...)
	for i := int64(1); len(out) < n && i <= int64(n)+64; i++ {
		id := e.idFor(sh, "derived", "", sh.Name, scope, i)
		if held[id] {
			continue
		}
		if rec, ok := e.derive(r, &Binding{Kind: Item}, sh, state.Ref{Resource: sh.Name, Scope: scope, ID: id}); ok {
			out = append(out, rec)
		}
	}
	return out
}

// paging is what an operation's parameters say about pages: the names of its page-size,
// page-number, offset and cursor parameters, and the bounds its list documents.
type paging struct {
	limit, page, offset, after, before string
	limitDefault                       int
	zeroPage                           bool // page numbers start at 0
	min, max                           int  // the list's minItems, maxItems (0: none)
}

// pagingNames map a query parameter's name (lower case, without "$") to its role.
var pagingNames = map[string]string{
	"limit": "limit", "per_page": "limit", "perpage": "limit", "page_size": "limit", "pagesize": "limit",
	"pagelen": "limit", "size": "limit", "max_results": "limit", "maxresults": "limit", "top": "limit",
	"count": "limit", "first": "limit", "pagelimit": "limit",
	"page": "page", "page_number": "page", "pagenumber": "page", "pageno": "page",
	"offset": "offset", "skip": "offset", "start": "offset", "startindex": "offset",
	"starting_after": "after", "after": "after", "cursor": "after", "page_token": "after", "pagetoken": "after",
	"next_token": "after", "continuation_token": "after", "marker": "after", "starting_after_id": "after",
	"ending_before": "before", "before": "before",
}

// pagingOf reads an operation's paging parameters and its list's bounds.
func pagingOf(op *spec.Operation) paging {
	var pg paging
	for _, p := range op.Params {
		if p.In != openapi3.ParameterInQuery {
			continue
		}
		role := pagingNames[strings.ToLower(strings.TrimPrefix(p.Name, "$"))]
		var sch *openapi3.Schema
		if p.Schema != nil {
			sch = p.Schema.Value
		}
		numeric := sch != nil && (sch.Type.Includes("integer") || sch.Type.Includes("number"))
		switch role {
		case "limit":
			if !numeric && sch != nil && !sch.Type.IsEmpty() {
				continue
			}
			pg.limit = p.Name
			if sch != nil {
				if d, ok := asInt(sch.Default); ok {
					pg.limitDefault = d
				}
			}
		case "page":
			pg.page = p.Name
			pg.zeroPage = sch != nil && sch.Min != nil && *sch.Min == 0
		case "offset":
			pg.offset = p.Name
		case "after":
			pg.after = p.Name
		case "before":
			pg.before = p.Name
		}
	}
	if list := listSchema(SuccessSchema(op)); list != nil {
		pg.min = int(list.MinItems)
		if list.MaxItems != nil && *list.MaxItems < math.MaxInt32 {
			pg.max = int(*list.MaxItems)
		}
	}
	return pg
}

// listSchema is the array schema of a list response (itself, or its envelope's list field).
func listSchema(schema *openapi3.SchemaRef) *openapi3.Schema {
	if schema == nil || schema.Value == nil {
		return nil
	}
	if schema.Value.Type.Includes("array") {
		return schema.Value
	}
	name, _ := ListField(schema)
	if name == "" {
		return nil
	}
	if p := PropertySchema(schema.Value, name); p != nil {
		return p.Value
	}
	return nil
}

func asInt(v any) (int, bool) {
	switch t := v.(type) {
	case float64:
		return int(t), true
	case int:
		return t, true
	case int64:
		return int(t), true
	case string:
		n, err := strconv.Atoi(t)
		return n, err == nil
	}
	return 0, false
}

// cut cuts recs to the page the query asks for: its offset or page number or cursor (the
// key of the record to start after or end before), its size (the default the parameter
// documents when not sent), never more than the list's maxItems.
func (pg paging) cut(q url.Values, recs []state.Record, key string) Page {
	total := len(recs)
	limit := pg.limitDefault
	if n, ok := queryInt(q, pg.limit); ok && n > 0 {
		limit = n
	}
	if pg.max > 0 && (limit == 0 || limit > pg.max) {
		limit = pg.max
	}
	start, end := 0, total
	if n, ok := queryInt(q, pg.offset); ok && n > 0 {
		start = n
	}
	if n, ok := queryInt(q, pg.page); ok && limit > 0 {
		if !pg.zeroPage {
			n--
		}
		start = max(n, 0) * limit
	}
	if id := q.Get(pg.after); pg.after != "" && id != "" && key != "" {
		for i, rec := range recs {
			if ScalarString(rec[key]) == id {
				start = i + 1
				break
			}
		}
	}
	if id := q.Get(pg.before); pg.before != "" && id != "" && key != "" {
		for i, rec := range recs {
			if ScalarString(rec[key]) == id {
				end = i
				if limit > 0 {
					start = max(end-limit, 0)
				} else {
					start = 0
				}
				break
			}
		}
	}
	start = min(start, total)
	if limit > 0 && start+limit < end {
		end = start + limit
	}
	end = max(end, start)
	return Page{Records: recs[start:end], Total: total, Offset: start, Limit: limit, HasMore: end < total}
}

func queryInt(q url.Values, name string) (int, bool) {
	if name == "" {
		return 0, false
	}
	n, err := strconv.Atoi(q.Get(name))
	return n, err == nil
}

// listResponse reports whether an operation answers a list: an array, or an envelope of one.
func listResponse(op *spec.Operation) bool {
	s := SuccessSchema(op)
	if s == nil || s.Value == nil {
		return false
	}
	if s.Value.Type.Includes("array") {
		return true
	}
	name, _ := ListFieldLoose(s)
	return name != ""
}
