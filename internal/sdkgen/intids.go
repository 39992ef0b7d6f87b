package sdkgen

import (
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// pathParamRe matches one {parameter} of a path template.
var pathParamRe = regexp.MustCompile(`\{([^/{}]+)\}`)

// integerIDs names the path parameters of path that are integer ids: the
// path up to the parameter is an item whose GET answers, in its 200 JSON
// body, an integer property of the parameter's name or named id. The pages
// write every path parameter as text, while clusters send these ids as
// integers (convert's number rule types them int64), so the SDK takes such
// a parameter as the int64 it returns and writes it in decimal: one Go type
// for one id (snapshots, snapshot policies, nodes, tenants, portals,
// network interfaces).
func integerIDs(doc *openapi3.T, path string) map[string]bool {
	out := map[string]bool{}
	for _, m := range pathParamRe.FindAllStringSubmatchIndex(path, -1) {
		name := path[m[2]:m[3]]
		item := doc.Paths.Value(path[:m[1]])
		if item == nil || item.Get == nil {
			continue
		}
		body := jsonBody(item.Get.Responses.Status(200))
		if body == nil {
			continue
		}
		for _, prop := range []string{name, "id"} {
			if p := body.Properties[prop]; p != nil && p.Value != nil {
				out[name] = p.Value.Type.Is(openapi3.TypeInteger)
				break
			}
		}
	}
	return out
}

// jsonBody is the schema of a response's JSON body, or nil.
func jsonBody(resp *openapi3.ResponseRef) *openapi3.Schema {
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// sameParam tells whether a Go argument gen's builder takes is the path
// parameter name (interfaceId for interface_id).
func sameParam(arg, name string) bool {
	return strings.EqualFold(arg, strings.ReplaceAll(name, "_", ""))
}
