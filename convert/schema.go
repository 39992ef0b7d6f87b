package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

const componentPrefix = "#/components/schemas/"

// schemaSite locates a schema for problems and names it when it needs a name.
type schemaSite struct {
	file    string
	line    int    // line of the schema key in the page
	pointer string // JSON pointer inside the schema text
	name    string // component name to use when the schema carries no type name
	prop    string // property the schema describes (or whose items it describes)
	root    string // the nearest schema at or above it named by the server or its body
	items   string // name of its items when shortNames named them, else ""
	// settable marks a PUT or PATCH body and its properties, whose
	// components nullableSettings may make nullable: they stay their own
	// (sameNested), so that no answer is loosened with them.
	settable bool
}

func (s schemaSite) child(ptr, name, prop string) schemaSite {
	return schemaSite{file: s.file, line: s.line, pointer: s.pointer + ptr, name: name, prop: prop, root: s.root,
		settable: s.settable && s.pointer == ""}
}

// typeName returns the server type name a schema's description holds, or "".
// A body schema's description is its type name, and so is the description of
// the items of a body that is a list. Nested descriptions often
// just repeat the property name ("entries"), which names no type, so there
// only snake_case names with an underscore count.
func (s schemaSite) typeName(raw map[string]any) string {
	d, _ := raw["description"].(string)
	if raw["type"] != "object" || raw["properties"] == nil || !typeNameRe.MatchString(d) {
		return ""
	}
	if s.pointer != "" && s.pointer != "/items" && (!strings.Contains(d, "_") || d == s.prop) {
		return ""
	}
	return d
}

// component is a named schema, the page schema it came from (in canonical
// form, without its description: equal page schemas under one name convert
// alike) and where it was first defined.
type component struct {
	schema *openapi3.Schema
	canon  string
	origin string
	name   string
	// refs are the references handed out to it, renamed with it.
	refs []*openapi3.SchemaRef
}

// ref hands out a reference to c.
func (c *component) ref() *openapi3.SchemaRef {
	r := openapi3.NewSchemaRef(componentPrefix+c.name, c.schema)
	c.refs = append(c.refs, r)
	return r
}

// schemas turns page schemas into OpenAPI schemas and collects named components.
type schemas struct {
	ps         *problems
	components map[string]*component
	// typeNames holds the Go name of every server type and shared enum, so
	// that a derived name never takes one.
	typeNames map[string]bool
	// models maps the canonical form of each server type to its names, so
	// that an unnamed copy of a type (the items of a list) is that type.
	models   map[string][]string
	modelRaw map[string]map[string]any
	// modelShapes maps the shape of each server type to its names, in
	// order; model makes it when first asked.
	modelShapes map[string][]string
	// nested maps a property name and a shape to the component of the
	// objects of that shape under that name that no server type names, so
	// that they are one type (sameNested).
	nested map[string]*component
	// enums maps an enum type name to the enums that would take it; a name
	// wanted by more than one stays unused.
	enums map[string]map[string]bool
}

func newSchemas(ps *problems) *schemas {
	return &schemas{ps: ps, components: map[string]*component{}, typeNames: map[string]bool{},
		models: map[string][]string{}, modelRaw: map[string]map[string]any{},
		nested: map[string]*component{}, enums: map[string]map[string]bool{}}
}

// canonical is the JSON of a page schema without its top-level
// description: two places that describe one type alike differ only there.
func canonical(raw map[string]any) string {
	c := make(map[string]any, len(raw))
	for k, v := range raw {
		if k != "description" {
			c[k] = v
		}
	}
	data, _ := json.Marshal(c)
	return string(data)
}

// shape is a page schema written without any description, at any depth:
// what a value of it may be, not how the page words it. Keys are sorted,
// so two schemas of one shape write alike.
func shape(raw map[string]any) string {
	var b strings.Builder
	writeShape(&b, raw)
	return b.String()
}

func writeShape(b *strings.Builder, v any) {
	switch v := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		for _, k := range sortedKeys(v) {
			if k != "description" {
				b.WriteString(strconv.Quote(k))
				b.WriteByte(':')
				writeShape(b, v[k])
				b.WriteByte(',')
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for _, x := range v {
			writeShape(b, x)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	default:
		data, _ := json.Marshal(v)
		b.Write(data)
	}
}

// model returns the server type name of an unnamed object that is a copy
// of exactly one server type, or "". The entries of a collection (the
// items of a list named entries) are also the type the collection is named
// for, in the singular, when they differ from it only in descriptions: the
// entries of api_nfs_exports_v3, worded for the list, are the
// api_nfs_export_v3 that is read, created and changed alone, rather than
// the api_nfs_export_patch_v3 of the same shape.
func (s *schemas) model(raw map[string]any, site schemaSite) string {
	if raw["type"] != "object" || raw["properties"] == nil {
		return ""
	}
	if names := s.models[canonical(raw)]; len(names) == 1 {
		return names[0]
	}
	if site.prop != "entries" || !strings.HasSuffix(site.pointer, "/items") {
		return ""
	}
	if s.modelShapes == nil {
		// Asked once every server type was seen (finishCollect), for the
		// few collections whose entries are worded apart.
		s.modelShapes = map[string][]string{}
		for _, d := range slices.Sorted(maps.Keys(s.modelRaw)) {
			sh := shape(s.modelRaw[d])
			s.modelShapes[sh] = append(s.modelShapes[sh], d)
		}
	}
	for _, name := range s.modelShapes[shape(raw)] {
		if isPluralOf(site.root, typeGoName(name)) {
			return name
		}
	}
	return ""
}

// isPluralOf tells whether the Go name plural is one, with an s ending one
// of its words: NFSExportsV3 of NFSExportV3, TenantConfigs of TenantConfig.
func isPluralOf(plural, one string) bool {
	for i := 1; i < len(plural); i++ {
		end := i+1 == len(plural) || !unicode.IsLower(rune(plural[i+1]))
		if plural[i] == 's' && end && unicode.IsLower(rune(plural[i-1])) && plural[:i]+plural[i+1:] == one {
			return true
		}
	}
	return false
}

// sharedEnum is the name of the component an enum becomes, or "": an enum
// whose constants share words is one Go type wherever it is used, unless
// another enum or a server type wants that name.
func (s *schemas) sharedEnum(name, signature string) string {
	if name == "" || len(s.enums[name]) != 1 || !s.enums[name][signature] {
		return ""
	}
	return name
}

// enumSignature identifies an enum by its values and constant names.
func enumSignature(values []any, constants []string) string {
	data, _ := json.Marshal([]any{values, constants})
	return string(data)
}

// parseSchema decodes the JSON text of a page schema.
func parseSchema(text string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count([]byte(text[:min(int(se.Offset), len(text))]), []byte("\n"))
			return nil, fmt.Errorf("schema is not JSON: %v (line %d of the schema)", se, line)
		}
		return nil, fmt.Errorf("schema is not JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("schema is not JSON: text after the schema object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema is not a JSON object but %s", jsonKind(v))
	}
	if err := tooDeep(m, "", true, 0, 0); err != nil {
		return nil, err
	}
	return m, nil
}

// maxSchemaDepth bounds how deeply a page schema nests, a level for the
// schema itself and each items or property below it: the document grows
// with the square of the depth (each level is indented once more), so 5,000
// levels of items made 50 MB of YAML. The guide nests 8 levels at most (the
// snapshot policies of the 2024-07-18 and 2024-10-16 revisions).
const maxSchemaDepth = 64

// maxJSONDepth bounds how deeply any JSON a page holds nests, objects and
// lists alike: a schema of maxSchemaDepth properties, or an example. The
// guide's schemas nest 13 at most.
const maxJSONDepth = 2*maxSchemaDepth + 8

// depthError is a page's JSON nested too deeply, at pointer.
type depthError struct {
	pointer, msg string
}

func (e *depthError) Error() string { return e.msg }

// tooDeep finds the first place, in key order, where v nests too deeply: a
// schema (when schema says v is one) past maxSchemaDepth, or any value past
// maxJSONDepth. levels and nest are the depths of v's parent.
func tooDeep(v any, ptr string, schema bool, levels, nest int) error {
	if schema {
		levels++
		if levels > maxSchemaDepth {
			return &depthError{ptr, fmt.Sprintf("schema nests more than %d levels deep (items and properties)", maxSchemaDepth)}
		}
	}
	switch t := v.(type) {
	case map[string]any, []any:
		nest++
		if nest > maxJSONDepth {
			return &depthError{ptr, fmt.Sprintf("JSON nests more than %d levels deep", maxJSONDepth)}
		}
		if l, ok := t.([]any); ok {
			for i, e := range l {
				if err := tooDeep(e, ptr+"/"+strconv.Itoa(i), false, levels, nest); err != nil {
					return err
				}
			}
			return nil
		}
		m := t.(map[string]any)
		for _, k := range sortedKeys(m) {
			at := ptr + "/" + escapePointer(k)
			props, isProps := m[k].(map[string]any)
			switch {
			case schema && k == "properties" && isProps:
				if nest+1 > maxJSONDepth {
					return &depthError{at, fmt.Sprintf("JSON nests more than %d levels deep", maxJSONDepth)}
				}
				for _, name := range sortedKeys(props) {
					if err := tooDeep(props[name], at+"/"+escapePointer(name), true, levels, nest+1); err != nil {
						return err
					}
				}
			case schema && k == "items":
				if err := tooDeep(m[k], at, true, levels, nest); err != nil {
					return err
				}
			default:
				if err := tooDeep(m[k], at, false, levels, nest); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// collectTypeNames records the server types and the enums of a raw schema
// before any is converted, so names do not depend on the order of pages.
func (s *schemas) collectTypeNames(raw map[string]any, site schemaSite) {
	if d := site.typeName(raw); d != "" {
		s.typeNames[typeGoName(d)] = true
		c := canonical(raw)
		if _, seen := s.modelRaw[d]; !seen {
			s.modelRaw[d] = raw
			if !slices.Contains(s.models[c], d) {
				s.models[c] = append(s.models[c], d)
			}
		}
	}
	if values, ok := raw["enum"].([]any); ok {
		desc, _ := raw["description"].(string)
		if constants := enumConstants(desc, values); constants != nil {
			if e := nameEnum(constants, site.prop); e.name != "" {
				if s.enums[e.name] == nil {
					s.enums[e.name] = map[string]bool{}
				}
				s.enums[e.name][enumSignature(values, constants)] = true
			}
		}
	}
	if props, ok := raw["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			if pm, ok := props[name].(map[string]any); ok {
				s.collectTypeNames(pm, site.child("/properties/"+escapePointer(name), "", name))
			}
		}
	}
	if items, ok := raw["items"].(map[string]any); ok {
		s.collectTypeNames(items, site.child("/items", "", site.prop))
	}
}

// finishCollect settles which enums become shared types once every schema
// was seen: an enum name a server type already has stays unused.
func (s *schemas) finishCollect() {
	for name := range s.enums {
		if s.typeNames[name] {
			delete(s.enums, name)
		}
	}
	for name, sigs := range s.enums {
		if len(sigs) == 1 {
			s.typeNames[name] = true
		}
	}
}

var knownKeywords = map[string]bool{"type": true, "description": true, "properties": true, "enum": true, "items": true, "format": true}

// convert turns one raw schema into an OpenAPI schema; objects with properties
// become components so that generated Go has no anonymous struct types.
func (s *schemas) convert(raw map[string]any, site schemaSite) *openapi3.SchemaRef {
	out := &openapi3.Schema{}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !knownKeywords[k] {
			s.ps.warnf(site.file, site.line, site.pointer+"/"+escapePointer(k), "schema keyword %q is not understood and was dropped", k)
		}
	}
	typeName := site.typeName(raw)
	if typeName == "" {
		if m := s.model(raw, site); m != "" {
			// A copy of a server type, such as the entries of a list, is
			// that type.
			typeName, raw = m, s.modelRaw[m]
		}
	}
	if d, ok := raw["description"].(string); ok {
		out.Description = cleanDescription(d)
	}
	if typeName != "" {
		// Named by the server: nested names derive from this one, not from
		// the place the schema happens to be used.
		site.name = typeGoName(typeName)
	}
	if typeName != "" || site.pointer == "" {
		site.root = site.name
	}
	if f, ok := raw["format"].(string); ok {
		out.Format = f
	}
	typ, _ := raw["type"].(string)
	if t, ok := raw["type"]; ok && typ == "" {
		s.ps.errorf(site.file, site.line, site.pointer+"/type", "type must be a string, not %s", jsonKind(t))
	}
	switch typ {
	case "":
	case "number":
		// Every integer is documented as a number (numbers.go); a fraction
		// gets double, as float32 would not hold every value a page's
		// float format allows.
		numType, format := numberType(site.prop, out.Description)
		if out.Format != "" && out.Format != format {
			s.ps.warnf(site.file, site.line, site.pointer+"/format", "number format %q replaced by %s %s", out.Format, numType, format)
		}
		out.Type, out.Format = &openapi3.Types{numType}, format
	case "string", "boolean", "integer", "array", "object":
		out.Type = &openapi3.Types{typ}
		if typ == "string" && out.Format == "" && isDateTime(out.Description) {
			out.Format = "date-time"
		}
	default:
		s.ps.errorf(site.file, site.line, site.pointer+"/type", "unknown type %q", typ)
	}
	if e, ok := raw["enum"]; ok {
		values, ok := e.([]any)
		if !ok {
			s.ps.errorf(site.file, site.line, site.pointer+"/enum", "enum must be a list, not %s", jsonKind(e))
		} else {
			out.Enum = values
			if constants := enumConstants(out.Description, values); constants != nil {
				e := nameEnum(constants, site.prop)
				if name := s.sharedEnum(e.name, enumSignature(values, constants)); name != "" {
					out.Extensions = map[string]any{"x-enum-varnames": e.constants}
					return s.enum(name, out, constants, site)
				}
				if e.inPlace != nil {
					out.Extensions = map[string]any{"x-enum-varnames": e.inPlace}
				}
			}
		}
	}
	if it, ok := raw["items"]; ok {
		items, ok := it.(map[string]any)
		if !ok {
			s.ps.errorf(site.file, site.line, site.pointer+"/items", "items must be an object, not %s", jsonKind(it))
		} else {
			name := site.items
			if name == "" {
				name = itemName(site)
			}
			out.Items = s.convert(items, site.child("/items", name, site.prop))
		}
	} else if typ == "array" {
		out.Items = &openapi3.SchemaRef{Value: &openapi3.Schema{}}
	}
	if p, ok := raw["properties"]; ok {
		props, ok := p.(map[string]any)
		if !ok {
			s.ps.errorf(site.file, site.line, site.pointer+"/properties", "properties must be an object, not %s", jsonKind(p))
			return &openapi3.SchemaRef{Value: out}
		}
		out.Properties = openapi3.Schemas{}
		short := nestedNames(site, props)
		// Sorted, so nested names that need a number get the same one
		// in every run.
		for _, name := range sortedKeys(props) {
			pv := props[name]
			pm, ok := pv.(map[string]any)
			if !ok {
				s.ps.errorf(site.file, site.line, site.pointer+"/properties/"+escapePointer(name), "property must be a schema object, not %s", jsonKind(pv))
				continue
			}
			child := site.child("/properties/"+escapePointer(name), site.name+GoName(name), name)
			if n, ok := short[name]; ok {
				if n[0] != "" {
					child.name = n[0]
				}
				child.items = n[1]
			}
			out.Properties[name] = s.convert(pm, child)
		}
		if typ == "object" {
			return s.register(out, raw, typeName, site)
		}
	}
	return &openapi3.SchemaRef{Value: out}
}

// itemName names the items of a list: Permission for those of
// SMBSharePermissions, or Item appended where the list's name has no
// singular (…DataItem).
func itemName(site schemaSite) string {
	if prop := GoName(site.prop); prop != "" && strings.HasSuffix(site.name, prop) {
		if ws, ok := singularLast(words(site.prop)); ok {
			return strings.TrimSuffix(site.name, prop) + goName(ws)
		}
	}
	return site.name + "Item"
}

// nestedNames names the objects among the properties of an object, and
// the objects among the items of those that are lists, when one of those
// names would reach maxGoName characters: it maps each such property to the
// names shortNames gives it and its items (or ""). It returns nil when every
// name fits, as most do.
func nestedNames(site schemaSite, props map[string]any) map[string][2]string {
	names := sortedKeys(props)
	var adds [][]string
	long := false
	for _, name := range names {
		pm, _ := props[name].(map[string]any)
		full := site.name + GoName(name)
		if hasProperties(pm) {
			long = long || len(full) >= maxGoName
			adds = append(adds, words(name))
		}
		if items, _ := pm["items"].(map[string]any); hasProperties(items) {
			long = long || len(itemName(schemaSite{name: full, prop: name})) >= maxGoName
			ws, ok := singularLast(words(name))
			if !ok {
				ws = append(ws, "item")
			}
			adds = append(adds, ws)
		}
	}
	if !long {
		return nil
	}
	short := shortNames(site.name, site.root, adds)
	out := map[string][2]string{}
	for _, name := range names {
		pm, _ := props[name].(map[string]any)
		var n [2]string
		if hasProperties(pm) {
			n[0], short = short[0], short[1:]
		}
		if items, _ := pm["items"].(map[string]any); hasProperties(items) {
			n[1], short = short[0], short[1:]
		}
		if n != ([2]string{}) {
			out[name] = n
		}
	}
	return out
}

// hasProperties tells whether a page schema has properties, which makes it
// a named object.
func hasProperties(raw map[string]any) bool {
	_, ok := raw["properties"]
	return ok
}

// shortNames names the schemas nested in parent, given the words each adds
// (its property's, or its list's in the singular), when one name would
// reach maxGoName characters; all of them are named alike, so siblings
// stay alike. root is the nearest schema at or above parent named by the
// server or its body. Each step applies while the longest name is still
// too long:
//  1. the words that repeat a word of the parent (compared in the
//     singular) are dropped, unless that drops them all;
//  2. the parent gives way to root, skipping the properties in between;
//  3. the words Request, Response and Result of the parent are dropped;
//  4. the last words of the parent are dropped, keeping its first.
func shortNames(parent, root string, adds [][]string) []string {
	pw := nameParts(parent)
	seen := map[string]bool{}
	for _, w := range pw {
		seen[singular(strings.ToLower(w))] = true
	}
	tails := make([]string, len(adds))
	longest := 0
	for i, ws := range adds {
		var kept []string
		for _, w := range ws {
			if !seen[singular(w)] {
				kept = append(kept, w)
			}
		}
		if len(kept) == 0 {
			kept = ws
		}
		tails[i] = goName(kept)
		longest = max(longest, len(tails[i]))
	}
	fits := func() bool { return len(strings.Join(pw, ""))+longest < maxGoName }
	if !fits() && root != "" {
		pw = nameParts(root)
	}
	if !fits() {
		var rest []string
		for _, w := range pw {
			if w != "Request" && w != "Response" && w != "Result" {
				rest = append(rest, w)
			}
		}
		if len(rest) > 0 {
			pw = rest
		}
	}
	for !fits() && len(pw) > 1 {
		pw = pw[:len(pw)-1]
	}
	prefix := strings.Join(pw, "")
	for i := range tails {
		tails[i] = prefix + tails[i]
	}
	return tails
}

// enum registers a shared enum type and refers to it. Its description
// lists the values as the first place that uses it describes them; each
// place describes its own field.
func (s *schemas) enum(name string, sc *openapi3.Schema, constants []string, site schemaSite) *openapi3.SchemaRef {
	if c, ok := s.components[name]; ok {
		return c.ref()
	}
	texts := enumTexts(sc.Description)
	lines := make([]string, len(sc.Enum))
	for i, v := range sc.Enum {
		text := texts[fmt.Sprint(v)]
		if text == "" {
			text = constants[i]
		}
		lines[i] = fmt.Sprintf(" * `%v` - %s", v, text)
	}
	sc.Description = "One of:\n" + strings.Join(lines, ",\n")
	origin := fmt.Sprintf("%s:%d %s", site.file, site.line, site.pointer)
	return s.add(name, sc, "", origin).ref()
}

// register names an object schema: by its server type name when it has one,
// else by the name its place implies.
func (s *schemas) register(sc *openapi3.Schema, raw map[string]any, typeName string, site schemaSite) *openapi3.SchemaRef {
	origin := fmt.Sprintf("%s:%d", site.file, site.line)
	if site.pointer != "" {
		origin += " " + site.pointer
	}
	canon := canonical(raw)
	name := site.name
	if typeName != "" {
		c, ok := s.components[name]
		if !ok {
			return s.add(name, sc, canon, origin).ref()
		}
		if c.canon == canon {
			return c.ref()
		}
		s.ps.warnf(site.file, site.line, site.pointer, "type %s (Go name %s) is described differently here and at %s; this one is named by number", typeName, name, c.origin)
	}
	nestedKey := ""
	if typeName == "" && site.pointer != "" && !site.settable {
		nestedKey = site.prop + "\x00" + shape(raw)
		if c := s.sameNested(site, nestedKey); c != nil {
			return c.ref()
		}
	}
	for i := 2; ; i++ {
		c, taken := s.components[name]
		if taken && c.canon == canon {
			return c.ref()
		}
		if !taken && (!s.typeNames[name] || typeName != "") {
			break
		}
		name = fmt.Sprintf("%s%d", site.name, i)
	}
	c := s.add(name, sc, canon, origin)
	if nestedKey != "" {
		s.nested[nestedKey] = c
	}
	return c.ref()
}

func (s *schemas) add(name string, sc *openapi3.Schema, canon, origin string) *component {
	c := &component{schema: sc, canon: canon, origin: origin, name: name}
	s.components[name] = c
	return c
}

// sameNested is the component of an object no server type names, nested
// under a property of the same name and of the same shape as this one
// elsewhere, or nil: the restrictions of an NFS export are one type whether
// an export is read, created or changed. key is the property name and the
// shape. The pair keeps the shorter of their names (the one sorting first
// if equally long), renamed where it was handed out.
func (s *schemas) sameNested(site schemaSite, key string) *component {
	c := s.nested[key]
	if c == nil {
		return nil
	}
	name := site.name
	if len(name) > len(c.name) || len(name) == len(c.name) && name >= c.name {
		return c
	}
	if _, taken := s.components[name]; taken || s.typeNames[name] {
		return c
	}
	delete(s.components, c.name)
	c.name = name
	s.components[name] = c
	for _, r := range c.refs {
		r.Ref = componentPrefix + name
	}
	return c
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
