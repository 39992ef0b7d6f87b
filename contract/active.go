package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/report"
)

// The checks that need requests of their own: invalid bodies, missing and
// wrong tokens, reading writes back, following created items through delete,
// and stale ETags.

// negative sends invalid bodies and expects 4xx.
func (r *runner) negative(ctx context.Context, o check.Operation, valid request, res *report.Tally) {
	schema := oas.RequestSchema(o.Op)
	if schema == nil || valid.body == nil {
		res.Skip(check.NegativeDataRejection, "the operation takes no JSON body")
		return
	}
	var v any
	_ = json.Unmarshal(valid.body, &v)
	for _, m := range mutations(schema, v) {
		rq := valid
		rq.body = m.body
		if s, ok := r.exchange(ctx, res, o, rq); ok {
			res.Record(check.Rejected(o, m.name, s.traffic), s.ex)
		}
	}
}

// auth sends the valid request without a token and with a wrong one.
func (r *runner) auth(ctx context.Context, o check.Operation, valid request, res *report.Tally) {
	if !oas.Secured(r.cfg.Spec, o.Op) {
		res.Skip(check.IgnoredAuth, "the operation requires no security")
		return
	}
	for _, mode := range []string{authNone, authWrong} {
		rq := valid
		rq.auth = mode
		how := "without a token"
		if mode == authWrong {
			how = "with a wrong token"
		}
		if s, ok := r.exchange(ctx, res, o, rq); ok {
			res.Record(check.RefusedAuth(o, how, s.traffic), s.ex)
		}
	}
}

// readOf finds the GET on the same path.
func readOf(o check.Operation) (check.Operation, bool) {
	if o.Item.Get == nil {
		return check.Operation{}, false
	}
	return check.Operation{ID: o.Item.Get.OperationID, Method: http.MethodGet, Path: o.Path, Item: o.Item, Op: o.Item.Get}, true
}

// roundTrip checks that a successful write shows in the next read.
func (r *runner) roundTrip(ctx context.Context, o check.Operation, rq request, created *sent, res *report.Tally) {
	switch o.Method {
	case http.MethodPut, http.MethodPatch:
		get, ok := readOf(o)
		if !ok || rq.body == nil {
			res.Skip(check.StatefulRoundTrip, "no GET on the same path to read the write back")
			return
		}
		_, _, schema := oas.Success(get.Op)
		if schema == nil {
			res.Skip(check.StatefulRoundTrip, "the GET on the same path documents no JSON body")
			return
		}
		if read, ok := r.exchange(ctx, res, get, request{method: http.MethodGet, path: o.Path, pathParams: rq.pathParams, auth: authToken, op: &get}); ok {
			res.Record(check.ShowsWrite(o, rq.body, get, read.traffic), read.ex)
		}
	case http.MethodPost:
		r.useAfterFree(ctx, o, created, res)
	case http.MethodDelete:
		r.goneAfterDelete(ctx, o, rq, created, res)
	default:
		res.Skip(check.StatefulRoundTrip, "not a write")
	}
}

// useAfterFree follows a POST on a collection: the created item reads back,
// deletes, and then answers 404; an item without a GET of its own is
// looked for in the collection's listing instead.
func (r *runner) useAfterFree(ctx context.Context, o check.Operation, created *sent, res *report.Tally) {
	itemPath, param, ok := oas.ItemOf(r.cfg.Spec, o.Path)
	item := r.cfg.Spec.Paths.Value(itemPath)
	list, listed := r.listingOf(itemPath)
	if !ok || item.Delete == nil || (item.Get == nil && !listed) {
		res.Skip(check.StatefulRoundTrip, "no item path with GET (or a listing) and DELETE under this collection")
		return
	}
	id := createdID(created, param)
	if id == "" {
		res.Skip(check.StatefulRoundTrip, "the create answer carries no id")
		return
	}
	params := map[string]string{}
	maps.Copy(params, created.req.pathParams)
	params[param] = id
	del := check.Operation{ID: item.Delete.OperationID, Method: http.MethodDelete, Path: itemPath, Item: item, Op: item.Delete}
	if item.Get == nil {
		if !r.listedAs(ctx, res, list, params, param, true, "the created item is listed") {
			return
		}
		s, ok := r.exchange(ctx, res, del, r.requestFor(del, params))
		if !ok {
			return
		}
		if s.status() >= 300 {
			res.Fail(check.StatefulRoundTrip, fmt.Sprintf("the created item deletes: %s answered %d", describe(s.req), s.status()), s.ex)
			return
		}
		if r.listedAs(ctx, res, list, params, param, false, "use_after_free: the deleted item is not listed") {
			res.Pass(check.StatefulRoundTrip)
		}
		return
	}
	get := check.Operation{ID: item.Get.OperationID, Method: http.MethodGet, Path: itemPath, Item: item, Op: item.Get}
	for _, st := range []struct {
		o    check.Operation
		what string
	}{{get, "the created item reads back"}, {del, "the created item deletes"}} {
		s, ok := r.exchange(ctx, res, st.o, r.requestFor(st.o, params))
		if !ok {
			return
		}
		if s.status() >= 300 {
			res.Fail(check.StatefulRoundTrip, fmt.Sprintf("%s: %s answered %d", st.what, describe(s.req), s.status()), s.ex)
			return
		}
	}
	if s, ok := r.exchange(ctx, res, get, r.requestFor(get, params)); ok {
		res.Record(check.Gone(get, del.Method+" "+del.Path, s.traffic), s.ex)
	}
}

// goneAfterDelete checks that a deleted item answers 404 on its GET, or,
// without one, that the collection no longer lists it.
func (r *runner) goneAfterDelete(ctx context.Context, o check.Operation, rq request, deleted *sent, res *report.Tally) {
	get, ok := readOf(o)
	isItem := strings.HasSuffix(strings.TrimSuffix(o.Path, "/"), "}")
	list, listed := r.listingOf(o.Path)
	switch {
	case !isItem || (!ok && !listed):
		res.Skip(check.StatefulRoundTrip, "not an item with a GET on the same path or a listing")
		return
	case deleted.status() == http.StatusAccepted:
		res.Skip(check.StatefulRoundTrip, "the delete was accepted and may still run")
		return
	case !ok:
		_, param, _ := oas.ItemOf(r.cfg.Spec, list.Path)
		if r.listedAs(ctx, res, list, rq.pathParams, param, false, "use_after_free: the deleted item is not listed after a successful "+describe(rq)) {
			res.Pass(check.StatefulRoundTrip)
		}
		return
	}
	if s, ok := r.exchange(ctx, res, get, request{method: http.MethodGet, path: o.Path, pathParams: rq.pathParams, auth: authToken, op: &get}); ok {
		res.Record(check.Gone(get, describe(rq), s.traffic), s.ex)
	}
}

// requestFor is a valid request for o (required query parameters
// included) on the resource params name.
func (r *runner) requestFor(o check.Operation, params map[string]string) request {
	rq := r.validRequest(o)
	rq.pathParams = params
	return rq
}

// listingOf is the GET of the collection whose items itemPath names.
func (r *runner) listingOf(itemPath string) (check.Operation, bool) {
	trimmed := strings.TrimSuffix(itemPath, "/")
	coll := trimmed[:strings.LastIndexByte(trimmed, '/')+1]
	for _, p := range []string{coll, strings.TrimSuffix(coll, "/")} {
		it := r.cfg.Spec.Paths.Value(p)
		if it == nil || it.Get == nil {
			continue
		}
		if ip, _, ok := oas.ItemOf(r.cfg.Spec, p); ok && ip == itemPath {
			return check.Operation{ID: it.Get.OperationID, Method: http.MethodGet, Path: p, Item: it, Op: it.Get}, true
		}
	}
	return check.Operation{}, false
}

// listedAs checks that the first page of a collection's listing shows the
// item named by params[param] (want) or does not; it records a failure and
// answers false otherwise. A page that does not show the item while more
// follow tells nothing: the check is skipped.
func (r *runner) listedAs(ctx context.Context, res *report.Tally, list check.Operation, params map[string]string, param string, want bool, what string) bool {
	s, ok := r.exchange(ctx, res, list, r.requestFor(list, params))
	if !ok {
		return false
	}
	if s.status() >= 300 {
		res.Fail(check.StatefulRoundTrip, fmt.Sprintf("%s: %s answered %d", what, describe(s.req), s.status()), s.ex)
		return false
	}
	var v any
	_ = json.Unmarshal(s.traffic.Body, &v)
	entries, more := entriesOf(v, list.Op)
	found := false
	for _, e := range entries {
		if obj, ok := e.(map[string]any); ok && itemKey(obj, param) == params[param] {
			found = true
		}
	}
	switch {
	case found == want:
		return true
	case !found && more:
		res.Skip(check.StatefulRoundTrip, "the item is not on the first page of "+describe(s.req))
	default:
		res.Fail(check.StatefulRoundTrip, fmt.Sprintf("%s: %s", what, describe(s.req)), s.ex)
	}
	return false
}

// entriesOf is a listing's entries: the answer itself when it is a list,
// else the field its schema names (oas.ListField); more tells whether
// paging.next says another page follows.
func entriesOf(v any, list *openapi3.Operation) (entries []any, more bool) {
	if entries, ok := v.([]any); ok {
		return entries, false
	}
	obj, _ := v.(map[string]any)
	paging, _ := obj["paging"].(map[string]any)
	more = paging["next"] != nil && paging["next"] != ""
	if _, _, ref := oas.Success(list); ref != nil {
		if name, ok := oas.ListField(ref.Value); ok {
			entries, _ = obj[name].([]any)
		}
	}
	return entries, more
}

// itemKey is the key of an item in an object that describes it: its id,
// the field named like the item path's parameter or like its last word
// (name for {role_name}), or the one string field named *_id
// (access_key_id).
func itemKey(obj map[string]any, param string) string {
	var ids []string
	for k, f := range obj {
		if str, ok := f.(string); ok && str != "" && strings.HasSuffix(k, "_id") {
			ids = append(ids, str)
		}
	}
	candidates := []any{obj["id"], obj[param], obj[param[strings.LastIndexByte(param, '_')+1:]]}
	if len(ids) == 1 {
		candidates = append(candidates, ids[0])
	}
	for _, c := range candidates {
		if id := scalar(c); id != "" {
			return id
		}
	}
	return ""
}

// createdID is the key of a created item in its create answer (see
// itemKey), the answer itself when it is the id alone, or the last segment
// of Location.
func createdID(s *sent, param string) string {
	var v any
	_ = json.Unmarshal(s.traffic.Body, &v)
	if obj, ok := v.(map[string]any); ok {
		if id := itemKey(obj, param); id != "" {
			return usableID(id)
		}
	}
	if id := scalar(v); id != "" {
		return usableID(id)
	}
	if loc, err := url.Parse(s.traffic.Header.Get("Location")); err == nil {
		seg := path.Base(strings.TrimSuffix(loc.EscapedPath(), "/"))
		if id, err := url.PathUnescape(seg); err == nil {
			return usableID(id)
		}
	}
	return ""
}

// usableID refuses an id that, put in a path, would name another resource
// than the item: a hostile server answering ".." would otherwise have the
// clean-up delete the collection's parent.
func usableID(id string) string {
	if id == "." || id == ".." || id == "/" {
		return ""
	}
	return id
}

// scalar renders an id that is a string or a number.
func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// etag sends the write with a stale If-Match and expects 412.
func (r *runner) etag(ctx context.Context, o check.Operation, valid request, res *report.Tally) {
	if !oas.TakesIfMatch(o.Item, o.Op) {
		res.Skip(check.EtagRespected, "the operation takes no If-Match")
		return
	}
	if valid.body == nil && o.Op.RequestBody != nil && o.Op.RequestBody.Value != nil && o.Op.RequestBody.Value.Required {
		// A write refused for want of its body says nothing of If-Match.
		res.Skip(check.EtagRespected, "the operation's body is not JSON, and the run sends none")
		return
	}
	current := ""
	if get, ok := readOf(o); ok {
		if s, err := r.send(ctx, request{method: http.MethodGet, path: o.Path, pathParams: valid.pathParams, auth: authToken, op: &get}); err == nil {
			current = s.traffic.Header.Get("ETag")
		}
	}
	if current == "" {
		res.Skip(check.EtagRespected, "the resource's GET answers no ETag")
		return
	}
	rq := valid
	rq.header = valid.header.Clone()
	rq.header.Set("If-Match", `"qapi-stale-etag"`)
	if s, ok := r.exchange(ctx, res, o, rq); ok {
		res.Record(check.RefusedStale(o, current, s.traffic), s.ex)
	}
}
