package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/oas"
)

// saved is the state of one resource before the run wrote it.
type saved struct {
	path   string
	params map[string]string
	body   []byte
}

// save remembers the state a write will change, once per resource.
func (r *runner) save(ctx context.Context, o check.Operation, rq request) {
	filled := oas.FillPath(o.Path, rq.pathParams)
	if o.Item.Get == nil || o.Item.Put == nil {
		return
	}
	for _, sv := range r.saves {
		if oas.FillPath(sv.path, sv.params) == filled {
			return
		}
	}
	s, err := r.send(ctx, request{method: http.MethodGet, path: o.Path, pathParams: rq.pathParams, auth: authToken})
	if err != nil || s.status() != http.StatusOK {
		return
	}
	var v any
	if json.Unmarshal(s.traffic.Body, &v) != nil {
		return
	}
	body := mustJSON(project(v, oas.RequestSchema(o.Item.Put)))
	r.saves = append(r.saves, saved{path: o.Path, params: rq.pathParams, body: body})
}

// restore puts saved state back, newest first.
func (r *runner) restore(ctx context.Context) {
	for i := len(r.saves) - 1; i >= 0; i-- {
		sv := r.saves[i]
		s, err := r.send(ctx, request{method: http.MethodPut, path: sv.path, pathParams: sv.params, body: sv.body, auth: authToken})
		switch {
		case err != nil:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("PUT %s: %v", sv.path, err))
		case s.status() >= 300:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("PUT %s: status %d", sv.path, s.status()))
		default:
			r.report.Restored = append(r.report.Restored, sv.path)
		}
	}
}

// project keeps the parts of a read value that the write schema accepts.
func project(v any, ref *openapi3.SchemaRef) any {
	if ref == nil || ref.Value == nil {
		return v
	}
	s := oas.ResolveArm(ref.Value, v)
	if len(ref.Value.OneOf) > 0 && s == ref.Value {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		if len(s.Properties) == 0 {
			return t
		}
		out := map[string]any{}
		for k, e := range t {
			if p, ok := s.Properties[k]; ok && (p.Value == nil || !p.Value.ReadOnly) {
				out[k] = project(e, p)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = project(e, s.Items)
		}
		return out
	}
	return v
}
