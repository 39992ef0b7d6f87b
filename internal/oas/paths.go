package oas

import (
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ItemOf finds the path template of the items of a collection: the
// template one parameter segment deeper ({collection}/{param}; a trailing
// slash on the collection adds nothing), and the name of that parameter.
// Where several fit, one with a GET comes first, then the first by name.
func ItemOf(doc *openapi3.T, collection string) (item, param string, ok bool) {
	prefix := strings.TrimRight(collection, "/") + "/{"
	better := func(p string) bool {
		if !ok {
			return true
		}
		hasGet, bestHasGet := doc.Paths.Value(p).Get != nil, doc.Paths.Value(item).Get != nil
		if hasGet != bestHasGet {
			return hasGet
		}
		return p < item
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		rest, found := strings.CutPrefix(strings.TrimSuffix(p, "/"), prefix)
		name, closed := strings.CutSuffix(rest, "}")
		if !found || !closed || strings.ContainsAny(name, "/{}") {
			continue
		}
		if better(p) {
			item, param, ok = p, name, true
		}
	}
	return item, param, ok
}

// FillPath puts escaped parameter values into a path template.
func FillPath(template string, params map[string]string) string {
	var b strings.Builder
	rest := template
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(rest)
			return b.String()
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(params[rest[open+1:open+end]]))
		rest = rest[open+end+1:]
	}
}

// IntegerIDs names the path parameters of path that are integer ids: the
// path up to the parameter is an item whose GET answers an integer
// property of the parameter's name or named id. The pages write every path
// parameter as text, while clusters send these ids as integers (the
// converter's number rule), so a client takes such a parameter as the
// integer it reads (snapshots, snapshot policies, nodes, tenants, portals,
// network interfaces). A parameter that maps to false names an item whose
// id is not an integer; one that is absent, no item with a JSON answer.
func IntegerIDs(doc *openapi3.T, path string) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < len(path); i++ {
		if path[i] != '{' {
			continue
		}
		end := strings.IndexByte(path[i:], '}')
		if end < 0 {
			break
		}
		name, prefix := path[i+1:i+end], path[:i+end+1]
		item := doc.Paths.Value(prefix)
		if item == nil || item.Get == nil {
			continue
		}
		if _, media, schema := Success(item.Get); media != nil && schema.Value != nil {
			for _, prop := range []string{name, "id"} {
				if p := schema.Value.Properties[prop]; p != nil && p.Value != nil {
					out[name] = p.Value.Type.Is(openapi3.TypeInteger)
					break
				}
			}
		}
	}
	return out
}
