package mock

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// What a stored value holds is answered when it fits its schema, and
// generated afresh when it does not, for integers of format int64 (which
// plainFit passes without validating) as for the rest.
func TestProjectKeepsWhatFits(t *testing.T) {
	t.Parallel()
	integer := func(mod func(*openapi3.Schema)) *openapi3.SchemaRef {
		s := openapi3.NewInt64Schema()
		if mod != nil {
			mod(s)
		}
		return openapi3.NewSchemaRef("", s)
	}
	max := 10.0
	for _, c := range []struct {
		name   string
		schema *openapi3.SchemaRef
		value  any
		kept   bool
	}{
		{"whole number", integer(nil), 42.0, true},
		{"negative whole number", integer(nil), -7.0, true},
		{"fraction", integer(nil), 2.5, false},
		{"beyond 2^53", integer(nil), 1e300, false},
		{"within a bound", integer(func(s *openapi3.Schema) { s.Max = &max }), 3.0, true},
		{"beyond a bound", integer(func(s *openapi3.Schema) { s.Max = &max }), 11.0, false},
		{"string for an integer", integer(nil), "42", false},
		{"number for a string", openapi3.NewSchemaRef("", openapi3.NewStringSchema()), 42.0, false},
		{"plain string", openapi3.NewSchemaRef("", openapi3.NewStringSchema()), "projects", true},
		{"date-time that is none", openapi3.NewSchemaRef("", openapi3.NewDateTimeSchema()), "yesterday", false},
	} {
		g := oas.NewGenerator(1, c.name, oas.Response)
		got := project(g, c.value, c.schema)
		if kept := got == c.value; kept != c.kept {
			t.Errorf("%s: project(%v) = %v; kept %t, want %t", c.name, c.value, got, kept, c.kept)
		}
		if err := c.schema.Value.VisitJSON(got, openapi3.VisitAsResponse()); err != nil {
			t.Errorf("%s: project(%v) = %v, which does not fit: %v", c.name, c.value, got, err)
		}
	}
}
