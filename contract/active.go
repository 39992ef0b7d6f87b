package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
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
		s, ok := r.exchange(ctx, res, o, rq)
		if !ok {
			continue
		}
		if s.status() < 400 || s.status() >= 500 {
			res.Fail(check.NegativeDataRejection, fmt.Sprintf("%s with %s answered %d, want 4xx", describe(rq), m.name, s.status()), s.ex)
			continue
		}
		res.Pass(check.NegativeDataRejection)
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
		s, ok := r.exchange(ctx, res, o, rq)
		if !ok {
			continue
		}
		if s.status() != http.StatusUnauthorized && s.status() != http.StatusForbidden {
			what := "without a token"
			if mode == authWrong {
				what = "with a wrong token"
			}
			res.Fail(check.IgnoredAuth, fmt.Sprintf("%s %s answered %d, want 401", describe(rq), what, s.status()), s.ex)
			continue
		}
		res.Pass(check.IgnoredAuth)
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
		read, ok := r.exchange(ctx, res, get, request{method: http.MethodGet, path: o.Path, pathParams: rq.pathParams, auth: authToken, op: &get})
		if !ok {
			return
		}
		if read.status() >= 300 {
			res.Fail(check.StatefulRoundTrip, fmt.Sprintf("%s answered %d after a successful %s", describe(read.req), read.status(), describe(rq)), read.ex)
			return
		}
		var sentV, got any
		_ = json.Unmarshal(rq.body, &sentV)
		if err := json.Unmarshal(read.traffic.Body, &got); err != nil {
			res.Fail(check.StatefulRoundTrip, "the read after the write is not JSON", read.ex)
			return
		}
		if diff := visible(sentV, got, schema, ""); diff != "" {
			res.Fail(check.StatefulRoundTrip, fmt.Sprintf("%s does not show the %s: %s", describe(read.req), describe(rq), diff), read.ex)
			return
		}
		res.Pass(check.StatefulRoundTrip)
	case http.MethodPost:
		r.useAfterFree(ctx, o, created, res)
	case http.MethodDelete:
		r.goneAfterDelete(ctx, o, rq, created, res)
	default:
		res.Skip(check.StatefulRoundTrip, "not a write")
	}
}

// visible reports the first field of the sent value that the read does not
// show; fields the read's schema does not carry, or that are write-only,
// are not compared.
func visible(sentV, got any, ref *openapi3.SchemaRef, ptr string) string {
	var s *openapi3.Schema
	if ref != nil && ref.Value != nil {
		s = oas.ResolveArm(ref.Value, got)
	}
	sm, ok1 := sentV.(map[string]any)
	gm, ok2 := got.(map[string]any)
	if ok1 && ok2 {
		for _, k := range slices.Sorted(maps.Keys(sm)) {
			var p *openapi3.SchemaRef
			if s != nil {
				var declared bool
				p, declared = s.Properties[k]
				if !declared && len(s.Properties) > 0 {
					continue
				}
				if p != nil && p.Value != nil && oas.WriteOnly(p.Value) {
					continue
				}
			}
			gv, present := gm[k]
			if !present {
				return fmt.Sprintf("%s/%s is missing", ptr, k)
			}
			if d := visible(sm[k], gv, p, ptr+"/"+k); d != "" {
				return d
			}
		}
		return ""
	}
	sa, ok1 := sentV.([]any)
	ga, ok2 := got.([]any)
	if ok1 && ok2 {
		if len(sa) != len(ga) {
			return fmt.Sprintf("%s has %d items, not the %d sent", ptr, len(ga), len(sa))
		}
		var items *openapi3.SchemaRef
		if s != nil {
			items = s.Items
		}
		for i := range sa {
			if d := visible(sa[i], ga[i], items, fmt.Sprintf("%s/%d", ptr, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if sf, ok := sentV.(float64); ok {
		if gf, ok := got.(float64); ok && sf == gf {
			return ""
		}
	}
	if !reflect.DeepEqual(sentV, got) {
		return fmt.Sprintf("%s differs", ptr)
	}
	return ""
}

// useAfterFree follows a POST on a collection: the created item reads back,
// deletes, and then answers 404.
func (r *runner) useAfterFree(ctx context.Context, o check.Operation, created *sent, res *report.Tally) {
	itemPath, param, ok := oas.ItemOf(r.cfg.Spec, o.Path)
	item := r.cfg.Spec.Paths.Value(itemPath)
	if !ok || item.Get == nil || item.Delete == nil {
		res.Skip(check.StatefulRoundTrip, "no item path with GET and DELETE under this collection")
		return
	}
	id := createdID(created.traffic.Body, param)
	if id == "" {
		res.Skip(check.StatefulRoundTrip, "the create answer carries no id")
		return
	}
	get := check.Operation{ID: item.Get.OperationID, Method: http.MethodGet, Path: itemPath, Item: item, Op: item.Get}
	del := check.Operation{ID: item.Delete.OperationID, Method: http.MethodDelete, Path: itemPath, Item: item, Op: item.Delete}
	params := map[string]string{param: id}
	steps := []struct {
		o    check.Operation
		want func(int) bool
		what string
	}{
		{get, func(c int) bool { return c < 300 }, "the created item reads back"},
		{del, func(c int) bool { return c < 300 }, "the created item deletes"},
		{get, func(c int) bool { return c == http.StatusNotFound }, "use_after_free: the deleted item answers 404"},
	}
	for _, st := range steps {
		s, ok := r.exchange(ctx, res, st.o, request{method: st.o.Method, path: itemPath, pathParams: params, auth: authToken, op: &st.o})
		if !ok {
			return
		}
		if !st.want(s.status()) {
			res.Fail(check.StatefulRoundTrip, fmt.Sprintf("%s: %s answered %d", st.what, describe(s.req), s.status()), s.ex)
			return
		}
	}
	res.Pass(check.StatefulRoundTrip)
}

// goneAfterDelete checks that a deleted item answers 404 on its GET.
func (r *runner) goneAfterDelete(ctx context.Context, o check.Operation, rq request, deleted *sent, res *report.Tally) {
	get, ok := readOf(o)
	switch {
	case !ok || !strings.HasSuffix(strings.TrimSuffix(o.Path, "/"), "}"):
		res.Skip(check.StatefulRoundTrip, "not an item with a GET on the same path")
		return
	case deleted.status() == http.StatusAccepted:
		res.Skip(check.StatefulRoundTrip, "the delete was accepted and may still run")
		return
	}
	s, ok := r.exchange(ctx, res, get, request{method: http.MethodGet, path: o.Path, pathParams: rq.pathParams, auth: authToken, op: &get})
	if !ok {
		return
	}
	if s.status() != http.StatusNotFound {
		res.Fail(check.StatefulRoundTrip, fmt.Sprintf("use_after_free: %s answered %d after a successful %s, want 404", describe(s.req), s.status(), describe(rq)), s.ex)
		return
	}
	res.Pass(check.StatefulRoundTrip)
}

// createdID is the key of a created item in its create answer: its id, or
// the field named like the item path's parameter.
func createdID(body []byte, param string) string {
	var obj map[string]any
	_ = json.Unmarshal(body, &obj)
	for _, name := range []string{"id", param} {
		switch v := obj[name].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

// etag sends the write with a stale If-Match and expects 412.
func (r *runner) etag(ctx context.Context, o check.Operation, valid request, res *report.Tally) {
	if !oas.TakesIfMatch(o.Item, o.Op) {
		res.Skip(check.EtagRespected, "the operation takes no If-Match")
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
	s, ok := r.exchange(ctx, res, o, rq)
	if !ok {
		return
	}
	if s.status() != http.StatusPreconditionFailed {
		res.Fail(check.EtagRespected, fmt.Sprintf("%s with a stale If-Match (current ETag %s) answered %d, want 412", describe(rq), current, s.status()), s.ex)
		return
	}
	res.Pass(check.EtagRespected)
}
