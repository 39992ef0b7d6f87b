package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/oas"
)

// An operation on an item of a collection needs the item: a generated id
// names nothing on a cluster, which answers 404. The runner creates one
// through the collection's POST, as a client would, and uses the id the
// create answered; with Restore, it deletes what it created at the end.

// itemParams sets the path parameters of o that name items of a
// collection the spec can create. Items are shared between operations,
// except that a DELETE gets one of its own.
func (r *runner) itemParams(ctx context.Context, o check.Operation, params map[string]string) {
	for _, it := range pathItems(r.cfg.Spec, o.Path) {
		if it.collPath == "" {
			continue
		}
		name, collPath, itemParam := it.param, it.collPath, it.itemParam
		key := oas.FillPath(collPath, params)
		id, have := r.items[key]
		if !have || o.Method == http.MethodDelete {
			if id = r.create(ctx, collPath, itemParam, params); id == "" {
				return
			}
			if o.Method != http.MethodDelete {
				r.items[key] = id
			}
		}
		params[name] = id
	}
}

// create POSTs a valid new item to a collection and answers its id, or ""
// when the create failed or named no id.
func (r *runner) create(ctx context.Context, collPath, param string, parents map[string]string) string {
	item := r.cfg.Spec.Paths.Value(collPath)
	o := check.Operation{ID: item.Post.OperationID, Method: http.MethodPost, Path: collPath, Item: item, Op: item.Post}
	rq := r.validRequest(o)
	for k, v := range parents {
		rq.pathParams[k] = v
	}
	s, err := r.send(ctx, rq)
	var named map[string]any
	if err == nil && refusedAsTaken(s) {
		if next, again, ok := r.renamed(o, rq, func(rq request) *sent { s, _ := r.send(ctx, rq); return s }); ok {
			s, named = again, changed(rq.body, next.body)
		}
	}
	if err != nil || s.status() >= 300 {
		return ""
	}
	id := createdID(s, param)
	if id != "" && named != nil {
		itemPath, _, _ := oas.ItemOf(r.cfg.Spec, collPath)
		params := maps.Clone(parents)
		params[param] = id
		r.named[oas.FillPath(itemPath, params)] = named
	}
	return id
}

// refusedAsTaken tells whether a create was refused the way a taken name
// or path is (400 or 409).
func refusedAsTaken(s *sent) bool {
	return s.status() == http.StatusBadRequest || s.status() == http.StatusConflict
}

// renamed retries a create refused as taken (a fresh cluster exports /
// already) with one of its name-like fields changed at a time, as a user
// picks another name: each top-level string the schema leaves free (no
// enum, format or pattern) gets a value of the run's own, a path under the
// one sent when it is a path. It answers the first try that succeeds; try
// answers nil when no answer came.
func (r *runner) renamed(o check.Operation, rq request, try func(request) *sent) (request, *sent, bool) {
	var body map[string]any
	schema := oas.RequestSchema(o.Op)
	if json.Unmarshal(rq.body, &body) != nil || schema == nil || schema.Value == nil {
		return request{}, nil, false
	}
	for _, k := range slices.Sorted(maps.Keys(body)) {
		v, isString := body[k].(string)
		p := schema.Value.Properties[k]
		if !isString || p == nil || p.Value == nil || len(p.Value.Enum) > 0 || p.Value.Format != "" || p.Value.Pattern != "" {
			continue
		}
		r.renames++
		fresh := fmt.Sprintf("%s-qapi-%d", v, r.renames)
		if strings.HasPrefix(v, "/") {
			fresh = path.Join(v, fmt.Sprintf("qapi-%d", r.renames))
		}
		next := rq
		next.body = mustJSON(mergeField(body, k, fresh))
		s := try(next)
		if s == nil {
			break
		}
		if s.status() < 300 {
			return next, s, true
		}
	}
	return request{}, nil, false
}

// changed is what the top-level fields of the JSON object b set otherwise
// than a did.
func changed(a, b []byte) map[string]any {
	var was, is map[string]any
	_ = json.Unmarshal(a, &was)
	_ = json.Unmarshal(b, &is)
	out := map[string]any{}
	for k, v := range is {
		if !reflect.DeepEqual(was[k], v) {
			out[k] = v
		}
	}
	return out
}

// mergeField is a copy of obj with field k set to v.
func mergeField(obj map[string]any, k string, v any) map[string]any {
	out := maps.Clone(obj)
	out[k] = v
	return out
}

// sameID makes a write to an item carry the item's own id where its body
// has one, and the names the run gave it (see renamed), as a client that
// read the item and changed it does.
func sameID(body []byte, path string, items map[string]string, named map[string]any) []byte {
	last := path[strings.LastIndexByte(strings.TrimSuffix(path, "/"), '/')+1:]
	name, ok := strings.CutPrefix(strings.TrimSuffix(last, "/"), "{")
	id, have := items[strings.TrimSuffix(name, "}")]
	var obj map[string]any
	if !ok || !have || json.Unmarshal(body, &obj) != nil {
		return body
	}
	for k, v := range named {
		if _, present := obj[k]; present {
			obj[k] = v
		}
	}
	for _, field := range []string{"id", strings.TrimSuffix(name, "}")} {
		switch obj[field].(type) {
		case string:
			obj[field] = id
		case float64:
			var n float64
			if _, err := fmt.Sscan(id, &n); err == nil {
				obj[field] = n
			}
		}
	}
	return mustJSON(obj)
}
