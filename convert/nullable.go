package convert

import (
	"maps"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// nullableSettings states what the pages leave out about optional
// settings: a client may send null for one, and a cluster answers null for
// one that is unset (oas.OptionalSetting says which properties are such).
// OpenAPI 3.0 takes no sibling beside $ref, so a property that refers to a
// component makes the component nullable; the converter gives every nested
// object a component of its own, named for its place, so no other use is
// loosened by it.
//
// It is a converter rule rather than an overlay because it holds for every
// settings endpoint of every guide revision: an overlay would list fields
// one by one and miss those of the next release.
func nullableSettings(doc *openapi3.T) {
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(path)
		for method, op := range map[string]*openapi3.Operation{http.MethodPut: item.Put, http.MethodPatch: item.Patch} {
			if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			body := mt.Schema.Value
			for name, p := range body.Properties {
				if p.Value != nil && oas.OptionalSetting(method, body, name) {
					p.Value.Nullable = true
				}
			}
		}
	}
}

// nullableAnswers marks nullable every property a cluster answers as null
// when it has no value, by the rule the twin follows whatever document it
// serves (oas.SendsNull): the contract then takes the null a cluster sends,
// and nothing else is loosened.
func nullableAnswers(doc *openapi3.T) {
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		if s == nil {
			continue
		}
		for prop, p := range s.Properties {
			if p.Value != nil && oas.SendsNull(s, prop) {
				p.Value.Nullable = true
			}
		}
	}
}
