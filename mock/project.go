package mock

import (
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// maxShapeDepth bounds how deep a stored value is shaped to a schema;
// deeper parts are generated afresh, which also ends recursive schemas.
const maxShapeDepth = 12

// project shapes a stored value to a response schema: properties the schema
// does not have and write-only ones go, values of the wrong shape and
// missing required properties are generated, and of a union the arm the
// value fits is kept. A cluster answers every property its schema
// declares: one the value lacks is null where a cluster sends null
// (oas.SendsNull, whatever the document's marks say), else the value an
// item has where nobody set it. The result is checked; if it still does not fit, the
// generated value is answered instead.
func project(g *oas.Generator, v any, ref *openapi3.SchemaRef) any {
	out := shape(g, v, ref, 0)
	if ref != nil && ref.Value != nil && counted(ref.Value) && ref.Value.VisitJSON(out, openapi3.VisitAsResponse()) != nil {
		return g.Value(ref)
	}
	return out
}

// propertyOrder caches sortedProperties by schema.
var propertyOrder sync.Map // *openapi3.Schema → []string

// sortedProperties are the names of s's properties, sorted, so that what
// shape generates comes in the same order every time; a schema's are
// sorted once, since every answer of its type asks.
func sortedProperties(s *openapi3.Schema) []string {
	if v, ok := propertyOrder.Load(s); ok {
		return v.([]string)
	}
	names := slices.Sorted(maps.Keys(s.Properties))
	propertyOrder.Store(s, names)
	return names
}

// countedSchemas caches counted by schema.
var countedSchemas sync.Map // *openapi3.Schema → bool

// counted tells whether a schema bounds the number of items or properties
// anywhere, the one thing shape does not check as it goes; only then is the
// shaped value validated whole, which costs more than shaping it.
func counted(s *openapi3.Schema) bool {
	if v, ok := countedSchemas.Load(s); ok {
		return v.(bool)
	}
	found := false
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		if s == nil || seen[s] || found {
			return
		}
		seen[s] = true
		if s.MinItems > 0 || s.MaxItems != nil || s.UniqueItems || s.MinProps > 0 || s.MaxProps != nil {
			found = true
			return
		}
		for _, refs := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
			for _, r := range refs {
				walk(r.Value)
			}
		}
		for _, p := range s.Properties {
			walk(p.Value)
		}
		if s.Items != nil {
			walk(s.Items.Value)
		}
		if s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema.Value)
		}
	}
	walk(s)
	countedSchemas.Store(s, found)
	return found
}

func shape(g *oas.Generator, v any, ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil {
		return v
	}
	s := ref.Value
	if depth > maxShapeDepth {
		return g.Value(ref)
	}
	if arms := append(slices.Clone(s.OneOf), s.AnyOf...); len(arms) > 0 {
		for _, arm := range arms {
			if arm.Value == nil {
				continue
			}
			c := shape(g, v, arm, depth)
			if s.VisitJSON(c, openapi3.VisitAsResponse()) == nil {
				return c
			}
		}
		return g.Value(ref)
	}
	if len(s.AllOf) > 0 {
		if s.VisitJSON(v, openapi3.VisitAsResponse()) == nil {
			return v
		}
		return g.Value(ref)
	}
	switch val := v.(type) {
	case map[string]any:
		if !(s.Type.Is("object") || (s.Type == nil && len(s.Properties) > 0)) {
			return g.Value(ref)
		}
		if len(s.Properties) == 0 {
			if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
				return map[string]any{}
			}
			if ap := s.AdditionalProperties.Schema; ap != nil {
				out := make(map[string]any, len(val))
				for k, x := range val {
					out[k] = shape(g, x, ap, depth+1)
				}
				return out
			}
			return val
		}
		out := map[string]any{}
		filled := false
		for _, name := range sortedProperties(s) {
			p := s.Properties[name]
			if p == nil || p.Value == nil || oas.WriteOnly(p.Value) {
				continue
			}
			x, ok := val[name]
			switch {
			case (!ok || x == nil) && oas.SendsNull(s, name):
				out[name] = nil
			case ok:
				out[name] = shape(g, x, p, depth+1)
			case slices.Contains(s.Required, name):
				out[name] = g.Value(p)
			default:
				out[name], filled = fill(name, p), true
			}
		}
		if filled {
			// Of a union the pages flatten, only the selected arm is filled.
			oas.DropAbsentArms(s, out)
		}
		return out
	case []any:
		if !s.Type.Is("array") {
			return g.Value(ref)
		}
		out := make([]any, len(val))
		for i, x := range val {
			out[i] = shape(g, x, s.Items, depth+1)
		}
		return out
	default:
		if plainFit(s, v) || s.VisitJSON(v, openapi3.VisitAsResponse()) == nil {
			return v
		}
		return g.Value(ref)
	}
}

// fill is the value of an optional property nobody set: the same wherever
// the item is answered (alone or in a list), so it is generated from the
// property's name alone.
func fill(name string, ref *openapi3.SchemaRef) any {
	g := oas.NewGenerator(0, name, oas.Response)
	g.Minimal = true
	return g.Value(ref)
}

// plainFit tells, without validating, that a scalar fits a schema that only
// asks for its type: most fields are such, and validation costs more than
// the rest of an answer.
func plainFit(s *openapi3.Schema, v any) bool {
	if len(s.Enum) > 0 || s.Not != nil || s.Format != "" && s.Format != "int64" {
		return false
	}
	switch v := v.(type) {
	case string:
		return s.Type.Is("string") && s.Format == "" && s.Pattern == "" && s.MinLength == 0 && s.MaxLength == nil
	case bool:
		return s.Type.Is("boolean")
	case float64:
		// Ids, counts and sizes are integers of format int64: a whole
		// number within its range fits one without bounds.
		bounded := s.Min != nil || s.Max != nil || s.MultipleOf != nil
		return s.Type.Is("integer") && s.Format == "int64" && !bounded && v == math.Trunc(v) && math.Abs(v) <= 1<<53
	}
	return false
}

// mergePatch applies an RFC 7386 JSON merge patch to a copy of target.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return oas.DeepCopy(patch)
	}
	t, ok := target.(map[string]any)
	out := map[string]any{}
	if ok {
		for k, v := range t {
			out[k] = oas.DeepCopy(v)
		}
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = mergePatch(out[k], v)
	}
	return out
}
