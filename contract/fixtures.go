package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/oas"
)

// An operation on an item of a collection needs the item: a generated id
// names nothing on a cluster, which answers 404. The runner creates one
// through the collection's POST, as a client would, and uses the id the
// create answered; with Restore, it deletes what it created at the end.

// created is an item the run created for operations to act on.
type created struct {
	path   string
	params map[string]string
}

// itemParams sets the path parameters of o that name items of a
// collection the spec can create, and tells whether o's own resource is
// such an item. Items are shared between operations, except that a DELETE
// gets one of its own.
func (r *runner) itemParams(ctx context.Context, o check.Operation, params map[string]string) (created bool) {
	segs := strings.Split(strings.TrimSuffix(o.Path, "/"), "/")
	for i, seg := range segs {
		created = false
		name, ok := strings.CutPrefix(seg, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		itemPath := strings.Join(segs[:i+1], "/")
		collPath := strings.Join(segs[:i], "/") + "/"
		coll := r.cfg.Spec.Paths.Value(collPath)
		if coll == nil {
			collPath = strings.TrimSuffix(collPath, "/")
			coll = r.cfg.Spec.Paths.Value(collPath)
		}
		if coll == nil || coll.Post == nil {
			continue
		}
		// The collection's items, whatever their parameter is called here
		// ({newer_id} names a snapshot as {id} does).
		item, itemParam, ok := oas.ItemOf(r.cfg.Spec, collPath)
		if !ok || strings.TrimSuffix(item, "/") != strings.TrimSuffix(itemPath, seg)+"{"+itemParam+"}" {
			continue
		}
		key := oas.FillPath(collPath, params)
		id, have := r.items[key]
		if !have || o.Method == http.MethodDelete {
			if id = r.create(ctx, collPath, itemParam, params); id == "" {
				return false
			}
			if o.Method != http.MethodDelete {
				r.items[key] = id
			}
		}
		params[name] = id
		created = true
	}
	return created
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
	if err != nil || s.status() >= 300 {
		return ""
	}
	id := createdID(s.traffic.Body, param)
	if id == "" {
		// Some creates answer the new id alone, or only in Location.
		var v any
		if json.Unmarshal(s.traffic.Body, &v) == nil {
			id = scalar(v)
		}
	}
	if loc := s.traffic.Header.Get("Location"); id == "" && loc != "" {
		id = loc[strings.LastIndexByte(strings.TrimSuffix(loc, "/"), '/')+1:]
	}
	if id != "" {
		itemPath, _, _ := oas.ItemOf(r.cfg.Spec, collPath)
		params := maps.Clone(parents)
		params[param] = id
		r.created = append(r.created, created{path: itemPath, params: params})
	}
	return id
}

func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return fmt.Sprint(t)
	}
	return ""
}

// removeCreated deletes the items the run created, newest first; one that
// is gone already (a DELETE under test removed it) is no error.
func (r *runner) removeCreated(ctx context.Context) {
	for i := len(r.created) - 1; i >= 0; i-- {
		c := r.created[i]
		item := r.cfg.Spec.Paths.Value(c.path)
		if item == nil || item.Delete == nil {
			continue
		}
		del := r.validRequest(check.Operation{Method: http.MethodDelete, Path: c.path, Item: item, Op: item.Delete})
		del.pathParams = c.params
		s, err := r.send(ctx, del)
		switch {
		case err != nil:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("DELETE %s: %v", oas.FillPath(c.path, c.params), err))
		case s.status() >= 300 && s.status() != http.StatusNotFound:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("DELETE %s: status %d", oas.FillPath(c.path, c.params), s.status()))
		}
	}
}

// sameID makes a write to an item carry the item's own id where its body
// has one, as a client that read the item and changed it does.
func sameID(body []byte, path string, items map[string]string) []byte {
	last := path[strings.LastIndexByte(strings.TrimSuffix(path, "/"), '/')+1:]
	name, ok := strings.CutPrefix(strings.TrimSuffix(last, "/"), "{")
	id, have := items[strings.TrimSuffix(name, "}")]
	var obj map[string]any
	if !ok || !have || json.Unmarshal(body, &obj) != nil {
		return body
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
