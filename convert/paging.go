package convert

import (
	"maps"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// PagingSchemaName is the component of the paging object of a list.
const PagingSchemaName = "Paging"

// pagedLists states what the pages leave out about lists: a GET that takes
// after or limit answers, beside its entries, paging with next, the path
// and query of the next page, and prev, of the one before. At the end next
// is null, or "" on some releases (Qumulo's own clients stop on either).
// Clients follow next until then.
func pagedLists(doc *openapi3.T) {
	paging := &openapi3.SchemaRef{Ref: "#/components/schemas/" + PagingSchemaName, Value: &openapi3.Schema{
		Type:        &openapi3.Types{openapi3.TypeObject},
		Description: "Where the next page of a list is.",
		Properties: openapi3.Schemas{
			"next": {Value: &openapi3.Schema{
				Type:        &openapi3.Types{openapi3.TypeString},
				Nullable:    true,
				Description: "The path and query of the next page; null or empty on the last page.",
			}},
			"prev": {Value: &openapi3.Schema{
				Type:        &openapi3.Types{openapi3.TypeString},
				Nullable:    true,
				Description: "The path and query of the page before; null or empty on the first page.",
			}},
		},
	}}
	used := false
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		op := doc.Paths.Value(path).Get
		if op == nil || !takesPaging(op) {
			continue
		}
		resp := op.Responses.Status(200)
		if resp == nil || resp.Value == nil {
			continue
		}
		mt := resp.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		s := mt.Schema.Value
		if !s.Type.Is(openapi3.TypeObject) || s.Properties["paging"] != nil {
			continue
		}
		s.Properties["paging"] = paging
		used = true
	}
	if used {
		doc.Components.Schemas[PagingSchemaName] = &openapi3.SchemaRef{Value: paging.Value}
	}
}

func takesPaging(op *openapi3.Operation) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && (p.Value.Name == "after" || p.Value.Name == "limit") {
			return true
		}
	}
	return false
}
