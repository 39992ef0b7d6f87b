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
