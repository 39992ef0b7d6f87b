package convert

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"
)

// Objects under properties of one name that differ only in their
// descriptions are one type, named by the shorter name; objects under
// other property names, and those directly under a PUT body's properties,
// stay their own.
func TestNestedObjectsOfOneShapeAreOneType(t *testing.T) {
	t.Parallel()
	object := func(description string, props map[string]any) map[string]any {
		return map[string]any{"type": "object", "description": description, "properties": props}
	}
	text := func(description string) map[string]any {
		return map[string]any{"type": "string", "description": description}
	}
	list := func(items map[string]any) map[string]any { return map[string]any{"type": "array", "items": items} }
	schema := func(s map[string]any) map[string]any {
		data, _ := json.MarshalIndent(s, "", "  ")
		return map[string]any{"schema": string(data)}
	}
	ok := []any{map[string]any{"code": "200", "description": "Return value on success"}}
	fm := map[string]any{
		"category":      "/Things",
		"rest_endpoint": "/v1/things/{id}",
		"methods": map[string]any{
			"get": map[string]any{"summary": "Get a thing.", "parameters": []any{}, "responses": ok,
				"response_body": schema(object("A thing.", map[string]any{
					"restrictions": list(object("A restriction.", map[string]any{"host": text("Host allowed.")})),
					"window":       object("When.", map[string]any{"start": text("Start.")}),
					"span":         object("How long.", map[string]any{"start": text("Start.")}),
				}))},
			"post": map[string]any{"summary": "Copy a thing.", "parameters": []any{}, "responses": ok,
				"request_body": schema(object("The copy.", map[string]any{
					"restrictions": list(object("Its restrictions.", map[string]any{"host": text("The host.")})),
				}))},
			"put": map[string]any{"summary": "Set a thing.", "parameters": []any{}, "responses": ok,
				"request_body": schema(object("The thing.", map[string]any{
					"window": object("When.", map[string]any{"start": text("Start.")}),
				}))},
		},
	}
	out, err := yaml.Marshal(fm)
	if err != nil {
		t.Fatal(err)
	}
	page := append(append([]byte("---\n"), out...), "---\n"...)
	built, err := Build([]Source{{Name: "pages", FS: fstest.MapFS{"things/thing.md": {Data: page}}}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	item := built.Doc.Paths.Value("/v1/things/{id}")
	answer := item.Get.Responses.Value("200").Value.Content["application/json"].Schema.Value
	copied := item.Post.RequestBody.Value.Content["application/json"].Schema.Value
	set := item.Put.RequestBody.Value.Content["application/json"].Schema.Value
	read, sent := answer.Properties["restrictions"].Value.Items.Ref, copied.Properties["restrictions"].Value.Items.Ref
	if read != sent {
		t.Errorf("restrictions read are %s, sent %s: want one type", read, sent)
	}
	if len(read) > len(sent) {
		t.Errorf("the restrictions are named %s, not by the shorter name", read)
	}
	if w, s := answer.Properties["window"].Ref, answer.Properties["span"].Ref; w == s {
		t.Errorf("window and span are both %s: objects under other property names are other types", w)
	}
	if r, w := answer.Properties["window"].Ref, set.Properties["window"].Ref; r == w {
		t.Errorf("the window read and the window a PUT sets are both %s: a PUT body's property stays its own", r)
	}
	for _, ref := range []string{read, answer.Properties["window"].Ref, answer.Properties["span"].Ref, set.Properties["window"].Ref} {
		if built.Doc.Components.Schemas[ref[len(componentPrefix):]] == nil {
			t.Errorf("%s refers to no component", ref)
		}
	}
}

// The entries of a collection that differ from the type the collection is
// named for (in the singular) only in descriptions are that type, not
// another of the same shape (its PATCH body).
func TestEntriesAreTheCollectionsType(t *testing.T) {
	t.Parallel()
	thing := func(description, name string) string {
		return `{"description": "` + description + `", "type": "object", "properties": {"name": {"type": "string", "description": "` + name + `"}}}`
	}
	ok := []any{map[string]any{"code": "200", "description": "Return value on success"}}
	page := func(endpoint string, methods map[string]any) []byte {
		out, err := yaml.Marshal(map[string]any{"category": "/Things", "rest_endpoint": endpoint, "methods": methods})
		if err != nil {
			t.Fatal(err)
		}
		return append(append([]byte("---\n"), out...), "---\n"...)
	}
	fsys := fstest.MapFS{
		"things/things.md": {Data: page("/v1/things/", map[string]any{
			"get": map[string]any{"summary": "List things.", "parameters": []any{}, "responses": ok, "response_body": map[string]any{"schema": `{"description": "api_things", "type": "object", "properties": {"entries": {"type": "array", "items": ` + thing("List of things", "Name of a thing in the list") + `}}}`}},
		})},
		"things/thing.md": {Data: page("/v1/things/{id}", map[string]any{
			"get":   map[string]any{"summary": "Get a thing.", "parameters": []any{}, "responses": ok, "response_body": map[string]any{"schema": thing("api_thing", "Name")}},
			"patch": map[string]any{"summary": "Change a thing.", "parameters": []any{}, "responses": ok, "request_body": map[string]any{"schema": thing("api_thing_patch", "New name")}},
		})},
	}
	built, err := Build([]Source{{Name: "pages", FS: fsys}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	list := built.Doc.Components.Schemas["Things"]
	if list == nil {
		t.Fatalf("no component Things among %v", slices.Sorted(maps.Keys(built.Doc.Components.Schemas)))
	}
	if got := list.Value.Properties["entries"].Value.Items.Ref; got != componentPrefix+"Thing" {
		t.Errorf("the entries of Things are %s, want Thing", got)
	}
}
