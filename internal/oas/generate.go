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
	// Minimal makes the values a fresh item has where a client set
	// nothing: null where a cluster answers null (SendsNull), else a
	// default the schema states, else the first enum value, false, zero
	// (or the least number allowed), "0" for a decimal string, and empty
	// strings and lists.
	Minimal bool
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
	if g.Minimal {
		if v, ok := g.minimal(s); ok {
			return v
		}
	} else if s.Example != nil && s.VisitJSON(s.Example, g.dir.VisitOptions()...) == nil {
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
		if depth >= maxDepth || g.Minimal {
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

// minimal is the least value of a scalar schema; ok is false for the
// others, which are built of minimal parts.
func (g *Generator) minimal(s *openapi3.Schema) (any, bool) {
	if s.Default != nil && s.VisitJSON(s.Default, g.dir.VisitOptions()...) == nil {
		return DeepCopy(s.Default), true
	}
	switch {
	case len(s.Enum) > 0:
		return DeepCopy(s.Enum[0]), true
	case s.Type.Is("boolean"):
		return false, true
	case s.Type.Is("integer") || s.Type.Is("number"):
		v := 0.0
		if s.Min != nil && *s.Min > 0 {
			v = g.number(&openapi3.Schema{Min: s.Min, ExclusiveMin: s.ExclusiveMin, Max: s.Min})
		}
		if s.Type.Is("integer") {
			return int64(v), true
		}
		return v, true
	case s.Type.Is("string") && s.Format == "" && s.MinLength == 0 && s.Pattern == "":
		return "", true
	}
	return nil, false
}

// Parameter generates a value for a parameter, of the form its name asks
// for: a {ref} of a request names the root directory, a {uid} is decimal.
func (g *Generator) Parameter(p *openapi3.Parameter) any {
	if p.Schema == nil || p.Schema.Value == nil {
		return "value"
	}
	if v, ok := g.namedString(strings.ReplaceAll(strings.ToLower(p.Name), "-", "_"), p.Schema.Value); ok {
		return v
	}
	return g.Value(p.Schema)
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
	start := 0
	if !g.Minimal {
		start = g.rng.IntN(len(arms))
	}
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
		if g.Minimal && g.dir == Response && SendsNull(s, name) {
			out[name] = nil // unset, as a cluster answers it
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

// named makes a value that looks like what a cluster answers for a string
// property of that name, or a list of such strings: Qumulo sends sizes, ids
// and uids as decimal strings, times in RFC 3339 and modes in octal, and a
// client parses them (strconv.Atoi of "delta-3890" fails).
func (g *Generator) named(name string, s *openapi3.Schema) (any, bool) {
	if s.Type.Is("array") && s.Items != nil && s.Items.Value != nil && s.MinItems == 0 {
		// A list of addresses, hosts, paths or SIDs is named in the plural.
		singular := strings.TrimSuffix(name, "s")
		switch formOf(singular, "") {
		case addressForm, hostForm, pathForm, sidForm:
			if v, ok := g.namedString(singular, s.Items.Value); ok && (s.MaxItems == nil || *s.MaxItems >= 1) {
				return []any{v}, true
			}
		}
		return nil, false
	}
	v, ok := g.namedString(name, s)
	return v, ok
}

// A form is how a cluster writes one kind of string value.
type form int

const (
	noForm form = iota
	decimalForm
	timeForm
	pathForm
	addressForm
	hostForm
	modeForm
	sidForm
	productVersionForm
	versionForm
	macForm
)

// formOf tells the form of a string property from its name, then from its
// description (the pages say "in bytes", "RFC 3339", "(octal)").
func formOf(name, description string) form {
	has := func(suffixes ...string) bool {
		for _, x := range suffixes {
			if name == strings.TrimPrefix(x, "_") || strings.HasSuffix(name, x) {
				return true
			}
		}
		return false
	}
	d := strings.ToLower(description)
	switch {
	case name == "revision_id":
		return productVersionForm
	case has("_version"):
		return versionForm
	case has("_sid"):
		return sidForm
	case has("_mac", "_mac_address"):
		return macForm
	case has("_time", "timestamp") || strings.Contains(d, "rfc 3339"):
		return timeForm
	case has("_mode") || strings.Contains(d, "(octal"):
		return modeForm
	case has("_path") || name == "ref" || strings.HasPrefix(d, "the path") || strings.HasPrefix(d, "path of") || strings.HasSuffix(d, " path"):
		return pathForm
	case has("hostname", "_host"):
		return hostForm
	case has("_address", "_ip", "_gateway", "_netmask", "_dns_server", "_range"):
		return addressForm
	case has("_id", "_uid", "_gid", "_number", "_size", "size", "_blocks", "blocks", "_count", "_bytes", "_capacity",
		"_limit", "_files", "_directories", "_revision", "nanoseconds", "_seconds"),
		strings.Contains(d, "in bytes"), strings.HasPrefix(d, "number of"), strings.HasPrefix(d, "count of"):
		return decimalForm
	}
	return noForm
}

// ProductVersion is the release a generated revision_id names, one that
// published the newest guide qapi knows.
const ProductVersion = "7.2.3"

func (g *Generator) namedString(name string, s *openapi3.Schema) (string, bool) {
	if !s.Type.Is("string") || len(s.Enum) > 0 || s.Format != "" || s.Example != nil || s.Pattern != "" {
		return "", false
	}
	ip := func() string { return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(256), g.rng.IntN(256), 1+g.rng.IntN(254)) }
	f := formOf(name, s.Description)
	if g.Minimal {
		if f == decimalForm {
			return "0", true
		}
		return "", false
	}
	var v string
	switch f {
	case decimalForm:
		if strings.Contains(name, "size") || strings.Contains(name, "bytes") || strings.Contains(name, "capacity") || strings.Contains(name, "limit") {
			v = strconv.FormatInt(4096*(1+g.rng.Int64N(1<<20)), 10)
		} else {
			v = strconv.Itoa(1 + g.rng.IntN(10000))
		}
	case timeForm:
		v = epoch.Add(time.Duration(g.rng.IntN(365*24)) * time.Hour).Format(time.RFC3339)
	case pathForm:
		// A request names the root, which every cluster has; an answer a
		// directory under it.
		v = "/"
		if g.dir == Response {
			v = "/" + words[g.rng.IntN(len(words))] + "/" + words[g.rng.IntN(len(words))] + "/"
		}
	case addressForm:
		v = ip()
	case hostForm:
		v = fmt.Sprintf("qumulo-%d.example.com", 1+g.rng.IntN(8))
	case modeForm:
		v = []string{"0755", "0644", "0700", "0777"}[g.rng.IntN(4)]
	case sidForm:
		v = fmt.Sprintf("S-1-5-21-%d-%d-%d-%d", 1e9+g.rng.IntN(1e9), 1e9+g.rng.IntN(1e9), 1e9+g.rng.IntN(1e9), 1000+g.rng.IntN(9000))
	case productVersionForm:
		v = "Qumulo Core " + ProductVersion
	case versionForm:
		v = ProductVersion
	case macForm:
		v = fmt.Sprintf("02:00:5e:%02x:%02x:%02x", g.rng.IntN(256), g.rng.IntN(256), g.rng.IntN(256))
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
