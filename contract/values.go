package contract

import (
	"encoding/pem"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// generator makes values that a schema accepts, reproducibly from a seed.
type generator struct {
	rnd *rand.Rand
}

func newGenerator(seed uint64) *generator {
	return &generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// value returns a value valid for ref. Examples in the spec win over
// generated values; writeOnly properties are included only for requests.
func (g *generator) value(ref *openapi3.SchemaRef, request bool, depth int) any {
	if ref == nil || ref.Value == nil {
		return "value"
	}
	s := ref.Value
	if s.Example != nil {
		return s.Example
	}
	if len(s.Enum) > 0 {
		return s.Enum[g.rnd.IntN(len(s.Enum))]
	}
	if len(s.OneOf) > 0 {
		return g.arm(s, s.OneOf, request, depth)
	}
	if len(s.AnyOf) > 0 {
		return g.arm(s, s.AnyOf, request, depth)
	}
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := g.value(part, request, depth).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		return merged
	}
	switch {
	case s.Type.Is("object") || (s.Type == nil && len(s.Properties) > 0):
		return g.object(s, request, depth)
	case s.Type.Is("array"):
		if depth > 6 {
			return []any{}
		}
		n := 1
		if s.MinItems > 1 {
			n = int(s.MinItems)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = g.value(s.Items, request, depth+1)
		}
		return out
	case s.Type.Is("integer"):
		return g.integer(s)
	case s.Type.Is("number"):
		return float64(g.integer(s))
	case s.Type.Is("boolean"):
		return g.rnd.IntN(2) == 1
	case s.Type.Is("string"):
		return g.str(s)
	}
	return "value"
}

// arms returns one value per arm of a union, in arm order.
func (g *generator) arms(s *openapi3.Schema, request bool) []any {
	out := make([]any, len(s.OneOf))
	for i := range s.OneOf {
		out[i] = g.armValue(s, s.OneOf, i, request, 0)
	}
	return out
}

// arm picks one arm of a union; with a discriminator the arm carries the
// mapping key that names it, so the value is coherent.
func (g *generator) arm(s *openapi3.Schema, arms openapi3.SchemaRefs, request bool, depth int) any {
	return g.armValue(s, arms, g.rnd.IntN(len(arms)), request, depth)
}

func (g *generator) armValue(s *openapi3.Schema, arms openapi3.SchemaRefs, i int, request bool, depth int) any {
	v := g.value(arms[i], request, depth+1)
	if d := s.Discriminator; d != nil {
		if m, ok := v.(map[string]any); ok {
			for key, target := range d.Mapping {
				if target.Ref == arms[i].Ref {
					m[d.PropertyName] = key
				}
			}
		}
	}
	return v
}

func (g *generator) object(s *openapi3.Schema, request bool, depth int) map[string]any {
	out := map[string]any{}
	if depth > 6 {
		return out
	}
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		if p.Value != nil && ((p.Value.WriteOnly && !request) || (p.Value.ReadOnly && request)) {
			continue
		}
		out[name] = g.value(p, request, depth+1)
	}
	dropAbsentArms(s, out)
	return out
}

// armRe matches how the pages describe the arms of a flattened union:
// "Value present when type is ENCRYPTION_TYPE_KMS."
var armRe = regexp.MustCompile(`Value present when (\w+) is (\w+)`)

// dropAbsentArms removes the properties of union arms that the value's
// discriminator does not select, so a union the pages flatten into one
// object still gets a coherent value.
func dropAbsentArms(s *openapi3.Schema, out map[string]any) {
	for name, p := range s.Properties {
		if p.Value == nil {
			continue
		}
		m := armRe.FindStringSubmatch(p.Value.Description)
		if m == nil {
			continue
		}
		disc, ok := s.Properties[m[1]]
		if !ok || disc.Value == nil {
			continue
		}
		if !sameConstant(constantOf(disc.Value, out[m[1]]), m[2]) {
			delete(out, name)
		}
	}
}

// sameConstant compares ENCRYPTION_TYPE_KMS with EncryptionTypeKms.
func sameConstant(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	return a != "" && norm(a) == norm(b)
}

// constantOf names an enum value by the x-enum-varnames the converter
// derives from the "`VALUE` - CONSTANT" lines of the description.
func constantOf(s *openapi3.Schema, v any) string {
	var names []string
	switch t := s.Extensions["x-enum-varnames"].(type) {
	case []string: // a document converted in memory
		names = t
	case []any: // a document loaded from YAML or JSON
		for _, n := range t {
			name, _ := n.(string)
			names = append(names, name)
		}
	}
	for i, e := range s.Enum {
		if e == v && i < len(names) {
			return names[i]
		}
	}
	return ""
}

func (g *generator) integer(s *openapi3.Schema) int64 {
	lo, hi := int64(1), int64(1000)
	if s.Min != nil {
		lo = int64(math.Ceil(*s.Min))
	}
	if s.Max != nil {
		hi = int64(math.Floor(*s.Max))
	}
	if hi < lo {
		hi = lo
	}
	return lo + g.rnd.Int64N(hi-lo+1)
}

// pemText returns a PEM block of random bytes: servers that check the form
// of certificates and keys accept it, and each value is unique so a leak
// of it is unambiguous.
func (g *generator) pemText(kind string) string {
	raw := make([]byte, 48)
	for i := range raw {
		raw[i] = byte(g.rnd.UintN(256))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: raw}))
}

func (g *generator) str(s *openapi3.Schema) string {
	// Fields documented as certificates or keys get PEM text first, whatever
	// their format, since a cluster checks that form.
	d := strings.ToLower(s.Description)
	switch {
	case strings.Contains(d, "private key"):
		return g.pemText("PRIVATE KEY")
	case strings.Contains(d, "certificate"):
		return g.pemText("CERTIFICATE")
	}
	switch s.Format {
	case "date-time":
		return "2024-10-16T12:00:00Z"
	case "date":
		return "2024-10-16"
	case "password":
		return fmt.Sprintf("secret-%08x", g.rnd.Uint32())
	case "uuid":
		return fmt.Sprintf("%08x-0000-4000-8000-%012x", g.rnd.Uint32(), g.rnd.Uint64()&0xffffffffffff)
	}
	v := fmt.Sprintf("value-%04x", g.rnd.Uint32()&0xffff)
	if s.MinLength > uint64(len(v)) {
		v += strings.Repeat("x", int(s.MinLength)-len(v))
	}
	if s.MaxLength != nil && uint64(len(v)) > *s.MaxLength {
		v = v[:*s.MaxLength]
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
	s := resolveArm(ref.Value, valid)
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
		for _, name := range sortedKeys(s.Properties) {
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
				walk(resolveArm(p, sub), sub, append(append([]string(nil), path...), name))
			}
		}
	}
	walk(s, obj, nil)
	return out
}

// resolveArm returns the union arm a value belongs to, or s itself.
func resolveArm(s *openapi3.Schema, v any) *openapi3.Schema {
	if s == nil || len(s.OneOf) == 0 {
		return s
	}
	m, _ := v.(map[string]any)
	if d := s.Discriminator; d != nil && m != nil {
		if key, ok := m[d.PropertyName].(string); ok {
			if target, ok := d.Mapping[key]; ok {
				for _, arm := range s.OneOf {
					if arm.Ref == target.Ref {
						return arm.Value
					}
				}
			}
		}
	}
	for _, arm := range s.OneOf {
		if arm.Value != nil && arm.Value.VisitJSON(v) == nil {
			return arm.Value
		}
	}
	return s
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
