package mock

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth bounds generation: past it only required properties are filled,
// which also ends recursive schemas.
const maxDepth = 6

// direction says which side of the wire a value is for: a response leaves
// out write-only properties, a request read-only ones.
type direction int

const (
	forResponse direction = iota
	forRequest
)

// generator makes a deterministic value for a schema from a seed and a key
// (the resource path), so the same resource answers the same value.
type generator struct {
	rng *rand.Rand
	dir direction
	// names maps property names to values that must be used for them,
	// such as path parameters echoed back in the resource.
	names map[string]string
}

func newGenerator(seed int64, key string, dir direction) *generator {
	h := fnv.New64a()
	h.Write([]byte(key))
	return &generator{rng: rand.New(rand.NewPCG(uint64(seed), h.Sum64())), dir: dir}
}

// epoch anchors generated times so they are the same on every run.
var epoch = time.Date(2024, 7, 18, 0, 0, 0, 0, time.UTC)

var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}

// value generates a value valid for s; an example in the schema wins.
func (g *generator) value(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil {
		return map[string]any{}
	}
	s := ref.Value
	if s.Example != nil && s.VisitJSON(s.Example, visitOpts(g.dir)...) == nil {
		return deepCopy(s.Example)
	}
	if len(s.Enum) > 0 {
		return deepCopy(s.Enum[g.rng.IntN(len(s.Enum))])
	}
	if len(s.OneOf) > 0 {
		return g.union(s, s.OneOf, depth)
	}
	if len(s.AnyOf) > 0 {
		return g.union(s, s.AnyOf, depth)
	}
	if len(s.AllOf) > 0 {
		out := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := g.value(part, depth).(map[string]any); ok {
				for k, v := range m {
					out[k] = v
				}
			}
		}
		if len(s.Properties) > 0 {
			for k, v := range g.object(s, depth) {
				out[k] = v
			}
		}
		return out
	}
	switch {
	case s.Type.Is("object") || (s.Type == nil && len(s.Properties) > 0):
		return g.object(s, depth)
	case s.Type.Is("array"):
		n := 1
		if depth >= maxDepth {
			n = 0
		}
		n = max(n, int(s.MinItems))
		if s.MaxItems != nil {
			n = min(n, int(*s.MaxItems))
		}
		out := make([]any, 0, n)
		for range n {
			out = append(out, g.value(s.Items, depth+1))
		}
		return out
	case s.Type.Is("integer"):
		return g.number(s, true)
	case s.Type.Is("number"):
		return g.number(s, false)
	case s.Type.Is("boolean"):
		return g.rng.IntN(2) == 1
	case s.Type.Is("string"):
		return g.str(s)
	}
	return g.str(s)
}

// union answers one coherent arm: the first arm (by discriminator mapping
// order when there is one) whose generated value the whole union accepts.
func (g *generator) union(s *openapi3.Schema, arms openapi3.SchemaRefs, depth int) any {
	var first any
	for i, arm := range arms {
		v := g.value(arm, depth)
		if s.Discriminator != nil && s.Discriminator.PropertyName != "" {
			if obj, ok := v.(map[string]any); ok {
				for _, name := range sortedKeys(s.Discriminator.Mapping) {
					if s.Discriminator.Mapping[name].Ref == arm.Ref {
						obj[s.Discriminator.PropertyName] = name
						break
					}
				}
			}
		}
		if i == 0 {
			first = v
		}
		if s.VisitJSON(v, visitOpts(g.dir)...) == nil {
			return v
		}
	}
	return first
}

func (g *generator) object(s *openapi3.Schema, depth int) map[string]any {
	out := map[string]any{}
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		if p == nil || p.Value == nil || g.skip(p.Value) {
			continue
		}
		if depth >= maxDepth && !slices.Contains(s.Required, name) {
			continue
		}
		if v, ok := g.names[name]; ok && (p.Value.Type.Is("string") || p.Value.Type == nil) && len(p.Value.Enum) == 0 {
			out[name] = v
			continue
		}
		if v, ok := g.named(name, p.Value); ok {
			out[name] = v
			continue
		}
		out[name] = g.value(p, depth+1)
	}
	return out
}

// named makes a string that looks like what a cluster answers for a
// property of that name: Qumulo sends sizes and ids as decimal strings and
// times in RFC 3339, so "alpha-42" would be a poor stand-in.
func (g *generator) named(name string, s *openapi3.Schema) (string, bool) {
	if !s.Type.Is("string") || len(s.Enum) > 0 || s.Format != "" || s.Example != nil || s.Pattern != "" {
		return "", false
	}
	var v string
	switch {
	case strings.HasSuffix(name, "_bytes") || strings.HasSuffix(name, "_count") || strings.HasSuffix(name, "size") || strings.HasSuffix(name, "_blocks"):
		v = strconv.FormatInt(4096*(1+g.rng.Int64N(1<<20)), 10)
	case strings.HasSuffix(name, "_time") || strings.HasSuffix(name, "timestamp"):
		v = epoch.Add(time.Duration(g.rng.IntN(365*24)) * time.Hour).Format(time.RFC3339)
	case name == "path" || strings.HasSuffix(name, "_path"):
		v = "/" + words[g.rng.IntN(len(words))] + "/" + words[g.rng.IntN(len(words))]
	case name == "id" || strings.HasSuffix(name, "_id"):
		v = strconv.Itoa(1 + g.rng.IntN(10000))
	case name == "hostname" || strings.HasSuffix(name, "_ip") || strings.HasSuffix(name, "address"):
		v = fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	default:
		return "", false
	}
	if n := int(s.MinLength); len(v) < n || (s.MaxLength != nil && uint64(len(v)) > *s.MaxLength) {
		return "", false
	}
	return v, true
}

// skip tells whether a property does not travel in this direction.
func (g *generator) skip(s *openapi3.Schema) bool {
	if g.dir == forResponse {
		return writeOnly(s)
	}
	return s.ReadOnly
}

func (g *generator) number(s *openapi3.Schema, integer bool) any {
	lo, hi := 0.0, 1000.0
	if s.Min != nil {
		lo = *s.Min
		if s.ExclusiveMin.IsTrue() {
			lo++
		}
		if s.Max == nil {
			hi = lo + 1000
		}
	}
	if s.Max != nil {
		hi = *s.Max
		if s.ExclusiveMax.IsTrue() {
			hi--
		}
		if s.Min == nil {
			lo = math.Min(0, hi-1000)
		}
	}
	lo, hi = math.Ceil(lo), math.Floor(hi)
	if hi < lo {
		hi = lo
	}
	v := lo + float64(g.rng.Int64N(int64(hi-lo)+1))
	if s.MultipleOf != nil && *s.MultipleOf > 0 {
		v = math.Ceil(v / *s.MultipleOf) * *s.MultipleOf
	}
	if integer {
		return int64(v)
	}
	return v
}

func (g *generator) str(s *openapi3.Schema) string {
	var v string
	switch s.Format {
	case "date-time":
		v = epoch.Add(time.Duration(g.rng.IntN(365*24)) * time.Hour).Format(time.RFC3339)
	case "date":
		v = epoch.AddDate(0, 0, g.rng.IntN(365)).Format(time.DateOnly)
	case "uuid":
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(g.rng.IntN(256))
		}
		v = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	case "ipv4":
		v = fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	case "byte":
		v = base64.StdEncoding.EncodeToString([]byte(words[g.rng.IntN(len(words))]))
	case "password":
		v = "secret-" + words[g.rng.IntN(len(words))]
	default:
		v = fmt.Sprintf("%s-%d", words[g.rng.IntN(len(words))], g.rng.IntN(10000))
	}
	if n := int(s.MinLength); len(v) < n {
		v += strings.Repeat("x", n-len(v))
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

func visitOpts(dir direction) []openapi3.SchemaValidationOption {
	if dir == forRequest {
		return []openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}
	}
	return []openapi3.SchemaValidationOption{openapi3.VisitAsResponse()}
}

// project shapes a stored value to a response schema: properties the schema
// does not have and write-only ones go, values of the wrong shape and
// missing required properties are generated, and of a union the arm the
// value fits is kept. The result is checked; if it still does not fit, the
// generated value is answered instead.
func (g *generator) project(v any, ref *openapi3.SchemaRef) any {
	out := g.shape(v, ref, 0)
	if ref != nil && ref.Value != nil && ref.Value.VisitJSON(out, openapi3.VisitAsResponse()) != nil {
		return g.value(ref, 0)
	}
	return out
}

func (g *generator) shape(v any, ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil {
		return v
	}
	s := ref.Value
	if depth > 2*maxDepth {
		return g.value(ref, depth)
	}
	if arms := append(slices.Clone(s.OneOf), s.AnyOf...); len(arms) > 0 {
		for _, arm := range arms {
			if arm.Value == nil {
				continue
			}
			c := g.shape(v, arm, depth)
			if s.VisitJSON(c, openapi3.VisitAsResponse()) == nil {
				return c
			}
		}
		return g.value(ref, depth)
	}
	if len(s.AllOf) > 0 {
		if s.VisitJSON(v, openapi3.VisitAsResponse()) == nil {
			return v
		}
		return g.value(ref, depth)
	}
	switch val := v.(type) {
	case map[string]any:
		if !(s.Type.Is("object") || (s.Type == nil && len(s.Properties) > 0)) {
			return g.value(ref, depth)
		}
		if len(s.Properties) == 0 {
			if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
				return map[string]any{}
			}
			if ap := s.AdditionalProperties.Schema; ap != nil {
				out := make(map[string]any, len(val))
				for k, x := range val {
					out[k] = g.shape(x, ap, depth+1)
				}
				return out
			}
			return val
		}
		out := map[string]any{}
		for _, name := range sortedKeys(s.Properties) {
			p := s.Properties[name]
			if p == nil || p.Value == nil || writeOnly(p.Value) {
				continue
			}
			if x, ok := val[name]; ok {
				out[name] = g.shape(x, p, depth+1)
			} else if slices.Contains(s.Required, name) {
				out[name] = g.value(p, depth+1)
			}
		}
		return out
	case []any:
		if !s.Type.Is("array") {
			return g.value(ref, depth)
		}
		out := make([]any, len(val))
		for i, x := range val {
			out[i] = g.shape(x, s.Items, depth+1)
		}
		return out
	default:
		if s.VisitJSON(v, openapi3.VisitAsResponse()) == nil {
			return v
		}
		return g.value(ref, depth)
	}
}

// deepCopy copies maps and slices of a decoded JSON value so a caller can
// change the copy.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// mergePatch applies an RFC 7386 JSON merge patch to a copy of target.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return deepCopy(patch)
	}
	t, ok := target.(map[string]any)
	out := map[string]any{}
	if ok {
		for k, v := range t {
			out[k] = deepCopy(v)
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

// writeOnly tells whether a value goes to the server only: writeOnly, or a
// password, which a cluster never sends back even where a response schema
// lists the field.
func writeOnly(s *openapi3.Schema) bool {
	return s.WriteOnly || s.Format == "password"
}
