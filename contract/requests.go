package contract

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/oas"
)

// validRequests builds requests the spec accepts: one, or one per arm when
// the body is a union, so every arm is exercised.
func (r *runner) validRequests(o check.Operation) []request {
	base := r.validRequest(o)
	schema := oas.RequestSchema(o.Op)
	if schema == nil || schema.Value == nil || len(schema.Value.OneOf) < 2 {
		return []request{base}
	}
	var out []request
	for _, v := range r.gen.Arms(schema.Value) {
		rq := base
		rq.body = mustJSON(v)
		out = append(out, rq)
	}
	return out
}

// validRequest builds a request the spec accepts.
func (r *runner) validRequest(o check.Operation) request {
	rq := request{method: o.Method, path: o.Path, pathParams: map[string]string{}, query: url.Values{}, header: http.Header{}, auth: authToken, op: &o}
	for _, p := range oas.Parameters(o.Item, o.Op) {
		v := r.paramValue(p)
		switch p.In {
		case openapi3.ParameterInPath:
			// A path parameter keeps its value through the run, so a
			// network created under an interface is read under the same.
			if kept, ok := r.pathValues[p.Name]; ok {
				v = kept
			}
			r.pathValues[p.Name] = v
			rq.pathParams[p.Name] = v
		case openapi3.ParameterInQuery:
			if p.Required {
				rq.query.Set(p.Name, v)
			}
		case openapi3.ParameterInHeader:
			if p.Required && !strings.EqualFold(p.Name, "If-Match") {
				rq.header.Set(p.Name, v)
			}
		}
	}
	if schema := oas.RequestSchema(o.Op); schema != nil {
		rq.body = mustJSON(r.gen.Value(schema))
	}
	return rq
}

// paramValue is a value for a parameter, as it travels in a URL or header.
func (r *runner) paramValue(p *openapi3.Parameter) string {
	return fmt.Sprint(r.gen.Parameter(p))
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// mutation is a request body made invalid on purpose.
type mutation struct {
	name string // what was broken, e.g. "kms_store.port: out of range"
	body []byte // raw body to send
}

// mutations derives invalid bodies from a valid one: each breaks one rule
// of the schema, so a server that keeps the contract must answer 4xx.
func mutations(ref *openapi3.SchemaRef, valid any) []mutation {
	out := []mutation{{name: "malformed JSON", body: []byte(`{"unterminated": `)}}
	if ref == nil || ref.Value == nil {
		return out
	}
	s := oas.ResolveArm(ref.Value, valid)
	obj, ok := valid.(map[string]any)
	if !ok || s == nil {
		return out
	}
	var walk func(s *openapi3.Schema, obj map[string]any, path []string)
	walk = func(s *openapi3.Schema, obj map[string]any, path []string) {
		for _, req := range s.Required {
			if _, present := obj[req]; present {
				out = append(out, mutation{name: strings.Join(append(path, req), ".") + ": required field missing", body: mustJSON(without(obj, path, req, valid))})
			}
		}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			p := s.Properties[name].Value
			if p == nil {
				continue
			}
			field := strings.Join(append(append([]string(nil), path...), name), ".")
			if _, present := obj[name]; !present {
				continue
			}
			if p.Type != nil && len(*p.Type) == 1 {
				out = append(out, mutation{name: field + ": wrong type", body: mustJSON(replaced(valid, append(path, name), wrongType((*p.Type)[0])))})
			}
			if len(p.Enum) > 0 {
				out = append(out, mutation{name: field + ": unknown enum value", body: mustJSON(replaced(valid, append(path, name), "NOT_A_MEMBER_OF_THE_ENUM"))})
			}
			if p.Max != nil {
				out = append(out, mutation{name: field + ": above maximum", body: mustJSON(replaced(valid, append(path, name), *p.Max+1))})
			}
			if p.Min != nil {
				out = append(out, mutation{name: field + ": below minimum", body: mustJSON(replaced(valid, append(path, name), *p.Min-1))})
			}
			if sub, ok := obj[name].(map[string]any); ok {
				walk(oas.ResolveArm(p, sub), sub, append(append([]string(nil), path...), name))
			}
		}
	}
	walk(s, obj, nil)
	return out
}

func wrongType(t string) any {
	switch t {
	case "string":
		return 12345
	case "array":
		return "not-an-array"
	case "object":
		return "not-an-object"
	}
	return "not-a-" + t
}

// replaced returns a deep copy of v with the value at path set to x.
func replaced(v any, path []string, x any) any {
	if len(path) == 0 {
		return x
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = e
	}
	out[path[0]] = replaced(m[path[0]], path[1:], x)
	return out
}

// without returns a copy of root with the field removed from the object at path.
func without(obj map[string]any, path []string, field string, root any) any {
	out := make(map[string]any, len(obj))
	for k, e := range obj {
		if k != field {
			out[k] = e
		}
	}
	return replaced(root, path, out)
}
