package oas

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// WriteOnly tells whether a value goes to the server only: writeOnly, or a
// password, which a cluster never sends back even where a response schema
// lists the field.
func WriteOnly(s *openapi3.Schema) bool { return s.WriteOnly || s.Format == "password" }

// WriteOnlyValues lists the string values of v that sit in write-only
// fields of ref. A value v also carries in a readable field is no secret
// (a login whose password is its user name), so it is not listed.
func WriteOnlyValues(ref *openapi3.SchemaRef, v any) []string {
	var secret, open []string
	walkStrings(ref, v, func(s string, writeOnly bool) {
		if writeOnly {
			secret = append(secret, s)
		} else {
			open = append(open, s)
		}
	})
	return slices.DeleteFunc(secret, func(s string) bool { return slices.Contains(open, s) })
}

// walkStrings calls f with each string value of v and whether its field of
// ref is write-only.
func walkStrings(ref *openapi3.SchemaRef, v any, f func(s string, writeOnly bool)) {
	if ref == nil || ref.Value == nil {
		return
	}
	s := ResolveArm(ref.Value, v)
	switch t := v.(type) {
	case string:
		f(t, WriteOnly(s))
	case map[string]any:
		for _, name := range slices.Sorted(maps.Keys(t)) {
			if p, ok := s.Properties[name]; ok {
				walkStrings(p, t[name], f)
			}
		}
	case []any:
		for _, e := range t {
			walkStrings(s.Items, e, f)
		}
	}
}

// ResolveArm returns the arm of a oneOf union that v belongs to: the one its
// discriminator names, else the first that accepts it; s itself when s is
// not a union or no arm fits.
func ResolveArm(s *openapi3.Schema, v any) *openapi3.Schema {
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

// discriminatorValue is the mapping key that names arm in s's
// discriminator, if any.
func discriminatorValue(s *openapi3.Schema, arm *openapi3.SchemaRef) (string, bool) {
	d := s.Discriminator
	if d == nil || d.PropertyName == "" {
		return "", false
	}
	for _, key := range slices.Sorted(maps.Keys(d.Mapping)) {
		if d.Mapping[key].Ref == arm.Ref {
			return key, true
		}
	}
	return "", false
}

// DropAbsentArms removes from obj the properties of the arms of a union the
// pages flatten into one object ("Value present when type is X") that obj's
// discriminator does not select, so the value stays coherent.
func DropAbsentArms(s *openapi3.Schema, obj map[string]any) {
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[name]
		if p.Value == nil {
			continue
		}
		field, constant, ok := presentWhen(p.Value.Description)
		if !ok {
			continue
		}
		disc, ok := s.Properties[field]
		if !ok || disc.Value == nil {
			continue
		}
		if !sameConstant(constantOf(disc.Value, obj[field]), constant) {
			delete(obj, name)
		}
	}
}

// presentWhen reads "Value present when type is ENCRYPTION_TYPE_KMS" from a
// property description: the field and the constant that select the arm.
func presentWhen(description string) (field, constant string, ok bool) {
	const lead = "Value present when "
	i := strings.Index(description, lead)
	if i < 0 {
		return "", "", false
	}
	rest := description[i+len(lead):]
	field, rest, ok = strings.Cut(rest, " is ")
	if !ok || !isWord(field) {
		return "", "", false
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return !isWordRune(r) })
	if end < 0 {
		end = len(rest)
	}
	constant = rest[:end]
	return field, constant, constant != ""
}

func isWordRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func isWord(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return !isWordRune(r) }) < 0
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
