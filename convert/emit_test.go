package convert

import (
	"encoding/json"
	"reflect"
	"testing"

	"gopkg.in/yaml.v3"
	"pgregory.net/rapid"
)

// trickyStrings are strings a YAML reader would take for something else, or
// that need escaping or block style.
var trickyStrings = []string{
	"", " ", "true", "False", "no", "on", "null", "~", "y", "1", "0.5", "-1", "+1", ".5", "1e3", "0x1F",
	"2024-10-16", "- item", "? key", "key: value", "a #comment", "trailing:", "trailing ", "#hash", "&anchor",
	"*alias", "!tag", "%directive", "@at", "`tick", "'single'", "\"double\"", "{flow}", "[list]", "a, b",
	"multi\nline", "multi\nline\n", " leading\nspace", "tab\there", "crlf\r\nline", "\x01control", "é unicode ü",
	"line\n\nblank", "ends\n\n", "#/components/schemas/X", "https://host:8000/x", "|", ">", "=",
}

func jsonValue(t *rapid.T, depth int) any {
	kinds := []string{"string", "tricky", "bool", "int", "null"}
	if depth < 4 {
		kinds = append(kinds, "map", "list")
	}
	switch rapid.SampledFrom(kinds).Draw(t, "kind") {
	case "tricky":
		return rapid.SampledFrom(trickyStrings).Draw(t, "tricky")
	case "bool":
		return rapid.Bool().Draw(t, "bool")
	case "int":
		return json.Number(rapid.SampledFrom([]string{"0", "1", "-5", "65535", "5696"}).Draw(t, "int"))
	case "null":
		return nil
	case "map":
		m := map[string]any{}
		for _, k := range rapid.SliceOfN(rapid.OneOf(rapid.String(), rapid.SampledFrom(trickyStrings)), 0, 4).Draw(t, "keys") {
			m[k] = jsonValue(t, depth+1)
		}
		return m
	case "list":
		n := rapid.IntRange(0, 3).Draw(t, "n")
		l := make([]any, n)
		for i := range l {
			l[i] = jsonValue(t, depth+1)
		}
		return l
	}
	return rapid.String().Draw(t, "string")
}

// plain turns json.Number into the int a YAML reader yields, for comparison.
func plain(v any) any {
	switch t := v.(type) {
	case json.Number:
		i, _ := t.Int64()
		return int(i)
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			out[k] = plain(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// Whatever a document holds, the YAML emitted reads back as the same values.
func TestEmitYAMLReadsBack(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		doc := map[string]any{"openapi": "3.0.3", "x": jsonValue(t, 0), "paths": jsonValue(t, 0)}
		out := emitYAML(doc)
		var back map[string]any
		if err := yaml.Unmarshal(out, &back); err != nil {
			t.Fatalf("emitted YAML does not parse: %v\n%s", err, out)
		}
		if want := plain(doc); !reflect.DeepEqual(back, want) {
			t.Fatalf("read back %#v\nwant %#v\nYAML:\n%s", back, want, out)
		}
	})
}
