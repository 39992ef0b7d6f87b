package convert

import (
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// derivedNames are the names oapi-codegen gives, in one package, to what it
// generates for an operation X: parameters, bodies, responses and the
// functions that build and parse requests.
var derivedNames = []string{"%sParams", "%sJSONBody", "%sJSONRequestBody", "%sResponse", "%sRequestObject", "%sResponseObject", "New%sRequest", "New%sRequestWithBody", "Parse%sResponse"}

// checkNames reports the Go names generated code would declare twice: two
// operations with one operationId, or a schema named like something
// oapi-codegen derives from an operation. It runs after the overlays,
// which can fix either: give one operation another operationId, or the
// schema an x-go-name.
func checkNames(doc *openapi3.T) error {
	var ps problems
	type op struct{ where, source string }
	ops := map[string][]op{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, o := range doc.Paths.Value(path).Operations() {
			src, _ := o.Extensions["x-qapi-source"].(string)
			ops[o.OperationID] = append(ops[o.OperationID], op{method + " " + path, src})
		}
	}
	ids := make([]string, 0, len(ops))
	for id := range ops {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	derived := map[string]string{}
	for _, id := range ids {
		list := ops[id]
		sort.Slice(list, func(i, j int) bool { return list[i].where < list[j].where })
		for _, o := range list[1:] {
			ps.errorf(o.source, 0, "", "operationId %s of %s is also the operationId of %s: give one of them another operationId in an overlay (target $.paths['%s'].%s, update operationId)",
				id, o.where, list[0].where, strings.SplitN(o.where, " ", 2)[1], strings.ToLower(strings.SplitN(o.where, " ", 2)[0]))
		}
		for _, f := range derivedNames {
			derived[fmt.Sprintf(f, id)] = list[0].where
		}
	}
	if doc.Components != nil {
		names := make([]string, 0, len(doc.Components.Schemas))
		for name := range doc.Components.Schemas {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			goName := name
			if s := doc.Components.Schemas[name].Value; s != nil {
				if n, ok := s.Extensions["x-go-name"].(string); ok {
					goName = n
				}
			}
			if where, ok := derived[goName]; ok {
				ps.errorf("#/components/schemas/"+escapePointer(name), 0, "", "Go name %s is also what oapi-codegen names for %s: set x-go-name on the schema, or another operationId, in an overlay", goName, where)
			}
		}
	}
	if len(ps) > 0 {
		return &Error{Problems: ps.sorted()}
	}
	return nil
}
