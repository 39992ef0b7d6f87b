package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
	"pgregory.net/rapid"
)

// rawSchema draws a page schema of the shapes the corpora use.
func rawSchema(t *rapid.T, depth int, label string) map[string]any {
	kinds := []string{"string", "number", "boolean", "enum"}
	if depth < 3 {
		kinds = append(kinds, "object", "array")
	}
	switch rapid.SampledFrom(kinds).Draw(t, label+".kind") {
	case "number":
		return map[string]any{"type": "number", "description": "A count."}
	case "boolean":
		return map[string]any{"type": "boolean", "description": "A flag."}
	case "enum":
		return map[string]any{"type": "string", "enum": []any{"A", "B"}, "description": "d:\n * `A` - KIND_A,\n * `B` - KIND_B"}
	case "array":
		return map[string]any{"type": "array", "items": rawSchema(t, depth+1, label+".items"), "description": "A list."}
	case "object":
		props := map[string]any{}
		for _, n := range rapid.SliceOfNDistinct(rapid.StringMatching(`[a-z]{1,6}(_[a-z]{1,4})?`), 1, 4, rapid.ID[string]).Draw(t, label+".props") {
			props[n] = rawSchema(t, depth+1, label+"."+n)
		}
		desc := rapid.SampledFrom([]string{"Some text.", "thing_info", "entries"}).Draw(t, label+".desc")
		return map[string]any{"type": "object", "description": desc, "properties": props}
	}
	return map[string]any{"type": "string", "description": "Text."}
}

func pageWith(schema map[string]any) []byte {
	text, _ := json.MarshalIndent(schema, "", "  ")
	fm := map[string]any{
		"category":      "/Things",
		"rest_endpoint": "/v1/things/{id}",
		"methods": map[string]any{"get": map[string]any{
			"summary":       "Get a thing.",
			"parameters":    []any{},
			"response_body": map[string]any{"schema": string(text)},
			"responses":     []any{map[string]any{"code": "200", "description": "Return value on success"}},
		}},
	}
	out, _ := yaml.Marshal(fm)
	return append(append([]byte("---\n"), out...), "---\n"...)
}

// Whatever object shapes a page uses, the document names every object with
// properties as a component (no anonymous structs in Go), never leaves a
// number without format double, and converts the same way twice.
func TestConvertedSchemasProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		schema := rawSchema(t, 0, "body")
		fsys := fstest.MapFS{"things/thing.md": {Data: pageWith(schema)}}
		first, err := Build([]Source{{Name: "pages", FS: fsys}}, nil, Options{})
		if err != nil {
			t.Fatalf("convert: %v", err)
		}
		second, err := Build([]Source{{Name: "pages", FS: fsys}}, nil, Options{})
		if err != nil {
			t.Fatalf("convert again: %v", err)
		}
		if !bytes.Equal(first.YAML, second.YAML) {
			t.Fatal("two conversions of the same page differ")
		}
		op := first.Doc.Paths.Value("/v1/things/{id}").Get
		checkSchema(t, op.Responses.Value("200").Value.Content["application/json"].Schema, "response", false)
		for name, s := range first.Doc.Components.Schemas {
			checkSchema(t, s, name, true)
		}
	})
}

// checkSchema walks an inline schema; component says ref is a component's
// own definition rather than a use of one.
func checkSchema(t *rapid.T, ref *openapi3.SchemaRef, where string, component bool) {
	if ref == nil || (ref.Ref != "" && !component) {
		return
	}
	s := ref.Value
	if len(s.Properties) > 0 && !component {
		t.Fatalf("%s: object with properties is not a component", where)
	}
	if s.Type.Is("number") && s.Format != "double" {
		t.Fatalf("%s: number has format %q", where, s.Format)
	}
	for n, p := range s.Properties {
		checkSchema(t, p, fmt.Sprintf("%s/%s", where, n), false)
	}
	checkSchema(t, s.Items, where+"/items", false)
}
