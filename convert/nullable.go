package convert

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// nullableSettings states what the pages leave out about optional
// settings: a client may send null for one, and a cluster answers null for
// one that is unset. Qumulo's Terraform provider sends anonymous_user (FTP
// settings), inactivity_timeout and login_banner (web UI settings) as null,
// and clusters take them. So each top-level property of a PUT or PATCH
// request body is nullable. OpenAPI 3.0 takes no sibling beside $ref, so a
// property that refers to a component makes the component nullable; the
// converter gives every nested object a component of its own, named for its
// place, so no other use is loosened by it.
//
// A union the pages flatten into one object is no set of optional
// settings: its discriminator and the arms it selects ("Value present when
// type is X") stay as they are.
//
// It is a converter rule rather than an overlay because it holds for every
// settings endpoint of every guide revision: an overlay would list fields
// one by one and miss those of the next release.
func nullableSettings(doc *openapi3.T) {
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(path)
		for _, op := range []*openapi3.Operation{item.Put, item.Patch} {
			if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			props := mt.Schema.Value.Properties
			union := map[string]bool{}
			for name, p := range props {
				if field, ok := presentWhen(p); ok {
					union[name], union[field] = true, true
				}
			}
			for name, p := range props {
				if p.Value != nil && !union[name] {
					p.Value.Nullable = true
				}
			}
		}
	}
}

// presentWhen reads the field of "Value present when type is X" in the
// description of a union's arm.
func presentWhen(p *openapi3.SchemaRef) (field string, ok bool) {
	if p.Value == nil {
		return "", false
	}
	_, rest, ok := strings.Cut(p.Value.Description, "Value present when ")
	if !ok {
		return "", false
	}
	field, _, ok = strings.Cut(rest, " is ")
	return field, ok
}
