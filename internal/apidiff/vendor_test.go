package apidiff

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	qapi "github.com/qapitools/qapi"
)

// snake spells a Go name as a server does: SMBShare is smb_share.
func snake(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(r[i-1]) || (i+1 < len(r) && unicode.IsLower(r[i+1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// vendorStyle rewrites a document as a cluster's own spec writes the same
// API: integers, no nullable marks, no security, its own operation and type
// names, other descriptions and tags, int64 formats, paging with prev.
func vendorStyle(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			switch k {
			case "nullable", "security", "securitySchemes", "example", "examples":
				continue
			case "description", "summary":
				if s, ok := val.(string); ok {
					out[k] = "As the cluster says: " + s
					continue
				}
			case "operationId":
				out[k] = snake(val.(string))
				continue
			case "tags":
				if list, ok := val.([]any); ok && len(list) > 0 {
					if _, ok := list[0].(string); ok {
						out[k] = []any{"cluster"}
						continue
					}
				}
			case "$ref":
				s := val.(string)
				i := strings.LastIndex(s, "/")
				out[k] = s[:i+1] + "api_" + snake(s[i+1:])
				continue
			}
			out[k] = vendorStyle(val)
		}
		if out["type"] == "number" {
			out["type"] = "integer"
		}
		if out["type"] == "integer" {
			out["format"] = "int64"
		}
		if p, ok := out["properties"].(map[string]any); ok && p["next"] != nil && len(p) == 1 {
			p["prev"] = map[string]any{"type": "string"}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = vendorStyle(x[i])
		}
		return out
	}
	return v
}

// The whole contract against itself as a cluster writes it: hundreds of
// raw breaking changes (nullability, parameter types; integers no longer,
// since the converter types them as clusters do), none after the cluster
// rules.
func TestWholeContractAsAClusterWritesIt(t *testing.T) {
	t.Parallel()
	var v map[string]any
	if err := yaml.Unmarshal(qapi.APIYAML, &v); err != nil {
		t.Fatal(err)
	}
	v = vendorStyle(v).(map[string]any)
	schemas := v["components"].(map[string]any)["schemas"].(map[string]any)
	for _, name := range slices.Collect(maps.Keys(schemas)) {
		schemas["api_"+snake(name)] = schemas[name]
		delete(schemas, name)
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string][2]int{}
	var total [2]int
	for i, raw := range []bool{true, false} {
		ours, err := openapi3.NewLoader().LoadFromData(qapi.APIYAML)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Compare(Side{Name: "api.yaml", Doc: ours}, Side{Name: "cluster", Doc: theirs}, Options{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Changes {
			k := c.Class() + " " + c.Kind
			n := counts[k]
			n[i]++
			counts[k] = n
		}
		total[i] = r.Breaking()
		if !raw && len(r.Changes)+len(r.Added)+len(r.Removed) > 0 {
			for _, c := range r.Changes[:min(len(r.Changes), 10)] {
				t.Errorf("left after normalisation: %s %s %s: %s", c.Kind, c.Method, c.Path, c.Text)
			}
		}
	}
	if total[0] < 500 {
		t.Errorf("raw: %d breaking changes; the rewrite no longer imitates a cluster's spec", total[0])
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		t.Logf("%-70s raw %5d  normalised %d", k, counts[k][0], counts[k][1])
	}
	t.Logf("breaking: raw %d, normalised %d", total[0], total[1])
}
