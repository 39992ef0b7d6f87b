package oas

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Direction says which side of the wire a value is for: a response leaves
// out write-only properties, a request read-only ones.
type Direction int

// Directions.
const (
	Response Direction = iota
	Request
)

// VisitOptions validates a value for the direction.
func (d Direction) VisitOptions() []openapi3.SchemaValidationOption {
	if d == Request {
		return []openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}
	}
	return []openapi3.SchemaValidationOption{openapi3.VisitAsResponse()}
}

// Travels tells whether a property goes in this direction.
func (d Direction) Travels(s *openapi3.Schema) bool {
	if d == Response {
		return !WriteOnly(s)
	}
	return !s.ReadOnly
}

// maxDepth bounds generation: past it only required properties are filled
// and lists are empty, which also ends recursive schemas.
const maxDepth = 6

// Generator makes values a schema accepts, deterministically from a seed
// and a key (such as a resource's path, so the same resource always gets the
// same value). It is not safe for concurrent use.
type Generator struct {
	rng *rand.Rand
	dir Direction
	// Names maps property names to the values a string property of that
	// name must have, such as the path parameters a resource echoes back.
	Names map[string]string
}

// NewGenerator returns a generator for values travelling in dir.
func NewGenerator(seed uint64, key string, dir Direction) *Generator {
	h := fnv.New64a()
	h.Write([]byte(key))
	return &Generator{rng: rand.New(rand.NewPCG(seed, h.Sum64())), dir: dir}
}

// epoch anchors generated times so they are the same on every run.
var epoch = time.Date(2024, 7, 18, 0, 0, 0, 0, time.UTC)

var words = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}

// Value generates a value valid for ref; a valid example in the schema wins.
func (g *Generator) Value(ref *openapi3.SchemaRef) any { return g.value(ref, 0) }

func (g *Generator) value(ref *openapi3.SchemaRef, depth int) any {
	if ref == nil || ref.Value == nil {
		return map[string]any{}
	}
	s := ref.Value
	if s.Example != nil && s.VisitJSON(s.Example, g.dir.VisitOptions()...) == nil {
		return DeepCopy(s.Example)
	}
	if len(s.Enum) > 0 {
		return DeepCopy(s.Enum[g.rng.IntN(len(s.Enum))])
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
				maps.Copy(out, m)
			}
		}
		if len(s.Properties) > 0 {
			maps.Copy(out, g.object(s, depth))
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
		return int64(g.number(s))
	case s.Type.Is("number"):
		return g.number(s)
	case s.Type.Is("boolean"):
		return g.rng.IntN(2) == 1
	}
	return g.str(s)
}

// Arms returns one value per arm of a union, in arm order, each carrying
// the discriminator value that names its arm.
func (g *Generator) Arms(s *openapi3.Schema) []any {
	arms := s.OneOf
	if len(arms) == 0 {
		arms = s.AnyOf
	}
	out := make([]any, len(arms))
	for i, arm := range arms {
		out[i] = g.arm(s, arm, 0)
	}
	return out
}

func (g *Generator) arm(s *openapi3.Schema, arm *openapi3.SchemaRef, depth int) any {
	v := g.value(arm, depth+1)
	if key, ok := discriminatorValue(s, arm); ok {
		if obj, isObj := v.(map[string]any); isObj {
			obj[s.Discriminator.PropertyName] = key
		}
	}
	return v
}

// union answers one coherent arm: starting from one picked at random, the
// first arm whose value the whole union accepts.
func (g *Generator) union(s *openapi3.Schema, arms openapi3.SchemaRefs, depth int) any {
	start := g.rng.IntN(len(arms))
	var first any
	for i := range arms {
		v := g.arm(s, arms[(start+i)%len(arms)], depth)
		if i == 0 {
			first = v
		}
		if s.VisitJSON(v, g.dir.VisitOptions()...) == nil {
			return v
		}
	}
	return first
}

func (g *Generator) object(s *openapi3.Schema, depth int) map[string]any {
	out := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[name]
		if p == nil || p.Value == nil || !g.dir.Travels(p.Value) {
			continue
		}
		if depth >= maxDepth && !slices.Contains(s.Required, name) {
			continue
		}
		if v, ok := g.Names[name]; ok && (p.Value.Type.Is("string") || p.Value.Type == nil) && len(p.Value.Enum) == 0 {
			out[name] = v
			continue
		}
		if v, ok := g.named(name, p.Value); ok {
			out[name] = v
			continue
		}
		out[name] = g.value(p, depth+1)
	}
	DropAbsentArms(s, out)
	return out
}

// named makes a string that looks like what a cluster answers for a
// property of that name: Qumulo sends sizes and ids as decimal strings and
// times in RFC 3339, so "alpha-42" would be a poor stand-in.
func (g *Generator) named(name string, s *openapi3.Schema) (string, bool) {
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

func (g *Generator) number(s *openapi3.Schema) float64 {
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
	return v
}

// pemText returns a PEM block of random bytes: servers that check the form
// of certificates and keys accept it, and each value is unique so a leak of
// it is unambiguous.
func (g *Generator) pemText(kind string) string {
	raw := make([]byte, 48)
	for i := range raw {
		raw[i] = byte(g.rng.UintN(256))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: raw}))
}

func (g *Generator) str(s *openapi3.Schema) string {
	var v string
	// Fields documented as certificates or keys get PEM text whatever their
	// format, since a cluster checks that form.
	d := strings.ToLower(s.Description)
	switch {
	case strings.Contains(d, "private key"):
		v = g.pemText("PRIVATE KEY")
	case strings.Contains(d, "certificate"):
		v = g.pemText("CERTIFICATE")
	case s.Format == "date-time":
		v = epoch.Add(time.Duration(g.rng.IntN(365*24)) * time.Hour).Format(time.RFC3339)
	case s.Format == "date":
		v = epoch.AddDate(0, 0, g.rng.IntN(365)).Format(time.DateOnly)
	case s.Format == "uuid":
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(g.rng.IntN(256))
		}
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
		v = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	case s.Format == "ipv4":
		v = fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254))
	case s.Format == "byte":
		v = base64.StdEncoding.EncodeToString([]byte(words[g.rng.IntN(len(words))]))
	case s.Format == "password":
		// Unique, so that a leak of one is unambiguous.
		v = fmt.Sprintf("secret-%08x", g.rng.Uint32())
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

// DeepCopy copies the maps and slices of a decoded JSON value so that the
// copy can be changed.
func DeepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = DeepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = DeepCopy(e)
		}
		return out
	}
	return v
}
