package mock

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// engineSpec exercises the generic engine: a collection, its items, a
// singleton with a write-only secret, a union and an example.
const engineSpec = `
openapi: 3.0.3
info: {title: engine, version: "1"}
security: [{bearer: []}]
paths:
  /v1/session/login:
    post:
      operationId: login
      security: []
      requestBody:
        required: true
        content: {application/json: {schema: {type: object, properties: {username: {type: string}, password: {type: string}}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {bearer_token: {type: string}}}}}}
  /v1/things/:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {entries: {type: array, items: {$ref: '#/components/schemas/Thing'}}, paging: {type: object, properties: {next: {type: string}}}}}}}}
    post:
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
  /v1/things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
    put:
      parameters: [{name: If-Match, in: header, schema: {type: string}}]
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
    patch:
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
    delete:
      responses:
        "200": {description: ok}
  /v1/docs/{path}:
    parameters: [{name: path, in: path, required: true, schema: {type: string}}]
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
    put:
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
  /v1/settings:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}}
    put:
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Settings'}}}
      responses:
        "200": {description: ok}
  /v1/union:
    get:
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
  /v1/example:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: object, properties: {name: {type: string}}}, example: {name: from-the-spec}}}
  /v1/version:
    get:
      security: []
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object, properties: {revision_id: {type: string}}}}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        size: {type: integer, minimum: 0}
        tags: {type: array, items: {type: string}}
    Settings:
      type: object
      properties:
        enabled: {type: boolean}
        password: {type: string, writeOnly: true}
    Cat:
      type: object
      required: [kind, meows]
      properties: {kind: {type: string, enum: [cat]}, meows: {type: boolean}}
    Dog:
      type: object
      required: [kind, barks]
      properties: {kind: {type: string, enum: [dog]}, barks: {type: integer}}
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog'}}
`

func loadSpec(t testing.TB, src string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestEngineCollection(t *testing.T) {
	t.Parallel()
	c := setup(t, WithSpec(loadSpec(t, engineSpec)))
	created := c.do("POST", "/v1/things/", map[string]any{"name": "one", "size": 3}, nil)
	if created.status != http.StatusOK {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	id, _ := created.json(t)["id"].(string)
	if id == "" || created.header.Get("Location") != "/v1/things/"+id {
		t.Fatalf("create answered id %q, Location %q", id, created.header.Get("Location"))
	}
	item := c.do("GET", "/v1/things/"+id, nil, nil)
	if got := item.json(t); got["name"] != "one" || got["size"] != float64(3) || got["id"] != id {
		t.Errorf("GET item = %s", item.body)
	}
	list := c.do("GET", "/v1/things/", nil, nil)
	entries, _ := list.json(t)["entries"].([]any)
	if len(entries) != 1 || entries[0].(map[string]any)["name"] != "one" {
		t.Errorf("list = %s", list.body)
	}

	// PATCH merges; PUT replaces; both change the ETag.
	tag := item.header.Get("ETag")
	patched := c.do("PATCH", "/v1/things/"+id, map[string]any{"size": 4}, nil)
	if got := patched.json(t); got["name"] != "one" || got["size"] != float64(4) {
		t.Errorf("PATCH = %s", patched.body)
	}
	if patched.header.Get("ETag") == tag {
		t.Error("PATCH kept the ETag")
	}
	wantError(t, c.do("PUT", "/v1/things/"+id, map[string]any{"name": "two"}, map[string]string{"If-Match": tag}), http.StatusPreconditionFailed, "")
	put := c.do("PUT", "/v1/things/"+id, map[string]any{"name": "two"}, map[string]string{"If-Match": patched.header.Get("ETag")})
	if put.status != http.StatusOK {
		t.Fatalf("PUT with current ETag: %d %s", put.status, put.body)
	}
	// PUT replaced the size, which is answered as one nobody set.
	if got := c.do("GET", "/v1/things/"+id, nil, nil).json(t); got["name"] != "two" || got["size"] != float64(0) {
		t.Errorf("GET after PUT = %v", got)
	}

	if d := c.do("DELETE", "/v1/things/"+id, nil, nil); d.status != http.StatusOK {
		t.Fatalf("DELETE: %d %s", d.status, d.body)
	}
	wantError(t, c.do("GET", "/v1/things/"+id, nil, nil), http.StatusNotFound, "rest_not_found_error")
	wantError(t, c.do("PUT", "/v1/things/"+id, map[string]any{"name": "back"}, nil), http.StatusNotFound, "rest_not_found_error")
	if list := c.do("GET", "/v1/things/", nil, nil); strings.Contains(string(list.body), `"one"`) || strings.Contains(string(list.body), `"two"`) {
		t.Errorf("a deleted item is still listed: %s", list.body)
	}
	wantError(t, c.do("DELETE", "/v1/things/"+id, nil, nil), http.StatusNotFound, "")
}

func TestEngineWriteOnlyAndUnion(t *testing.T) {
	t.Parallel()
	c := setup(t, WithSpec(loadSpec(t, engineSpec)))
	if r := c.do("PUT", "/v1/settings", map[string]any{"enabled": true, "password": "hunter2"}, nil); r.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	got := c.do("GET", "/v1/settings", nil, nil)
	if strings.Contains(string(got.body), "hunter2") || got.json(t)["enabled"] != true {
		t.Errorf("GET settings = %s", got.body)
	}
	pet := c.do("GET", "/v1/union", nil, nil).json(t)
	switch pet["kind"] {
	case "cat":
		if _, ok := pet["barks"]; ok {
			t.Errorf("cat with a dog's field: %v", pet)
		}
	case "dog":
		if _, ok := pet["meows"]; ok {
			t.Errorf("dog with a cat's field: %v", pet)
		}
	default:
		t.Errorf("union answered no arm: %v", pet)
	}
	if ex := c.do("GET", "/v1/example", nil, nil).json(t); ex["name"] != "from-the-spec" {
		t.Errorf("example lost to a generated value: %v", ex)
	}
}

func TestEngineDeterministic(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t, engineSpec)
	a := setup(t, WithSpec(doc), WithSeed(7))
	b := setup(t, WithSpec(doc), WithSeed(7))
	other := setup(t, WithSpec(doc), WithSeed(8))
	ra := string(a.do("GET", "/v1/docs/abc", nil, nil).body)
	if rb := string(b.do("GET", "/v1/docs/abc", nil, nil).body); ra != rb {
		t.Errorf("same seed, different answers: %s vs %s", ra, rb)
	}
	if ro := string(other.do("GET", "/v1/docs/abc", nil, nil).body); ra == ro {
		t.Errorf("different seeds, same answer: %s", ra)
	}
	// An item of a collection is never invented: it was created or it is
	// not there.
	wantError(t, a.do("GET", "/v1/things/abc", nil, nil), http.StatusNotFound, "rest_not_found_error")
}

func TestErrors(t *testing.T) {
	t.Parallel()
	c := setup(t, WithSpec(loadSpec(t, engineSpec)), WithMaxBodyBytes(1024))
	wantError(t, c.do("GET", "/v1/nowhere", nil, nil), http.StatusNotFound, "http_not_found_error")

	r := c.do("POST", "/v1/settings", map[string]any{}, nil)
	wantError(t, r, http.StatusMethodNotAllowed, "http_method_not_allowed_error")
	if got := r.header.Get("Allow"); got != "GET, PUT" {
		t.Errorf("Allow = %q, want GET, PUT", got)
	}
	r = c.do("PUT", "/v1/things/x", map[string]any{"size": "big"}, nil)
	v := wantError(t, r, http.StatusBadRequest, "http_bad_request_error")
	if d, _ := v["description"].(string); !strings.Contains(d, `"size"`) || !strings.Contains(d, "integer") {
		t.Errorf("400 description %q does not say which field and why", d)
	}
	wantError(t, c.do("PUT", "/v1/things/x", `{"name":`, nil), http.StatusBadRequest, "")
	wantError(t, c.do("PUT", "/v1/things/x", `{"name":"`+strings.Repeat("a", 2000)+`"}`, nil), http.StatusRequestEntityTooLarge, "")
	wantError(t, c.do("PUT", "/v1/things/x", "name=a", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), http.StatusUnsupportedMediaType, "")
	wantError(t, c.do("GET", "/v1/things/x", nil, map[string]string{"Authorization": ""}), http.StatusUnauthorized, "")
	// An operation without security answers without a token.
	if r := c.do("GET", "/v1/version", nil, map[string]string{"Authorization": ""}); r.status != http.StatusOK {
		t.Errorf("unsecured operation: %d %s", r.status, r.body)
	}
}

func TestEngineEncodedPathParameter(t *testing.T) {
	t.Parallel()
	c := setup(t, WithSpec(loadSpec(t, engineSpec)))
	// A cluster takes a file path as one URL-encoded segment.
	if p := c.do("PUT", "/v1/docs/%2Fdir%2Ffile", map[string]any{"name": "f"}, nil); p.status != http.StatusOK {
		t.Fatalf("PUT encoded id: %d %s", p.status, p.body)
	}
	if got := c.do("GET", "/v1/docs/%2Fdir%2Ffile", nil, nil).json(t); got["name"] != "f" {
		t.Errorf("GET after PUT = %v", got)
	}
	if got := c.do("GET", "/v1/docs/%2Fdir", nil, nil).json(t); got["name"] == "f" {
		t.Errorf("another path shows the write: %v", got)
	}
	wantError(t, c.do("GET", "/v1/docs/dir/file", nil, nil), http.StatusNotFound, "http_not_found_error")
}

// A list pages on past an item deleted between two pages: the next page
// starts at the first key past the cursor (qapi issue 21), for quotas, v1
// shares and users alike, and the pages together hold every item left, in
// key order, each once.
func TestPagingPastADeletedCursor(t *testing.T) {
	t.Parallel()
	c := setup(t)
	// Quotas are created in an order their ids do not follow.
	var dirs []string
	for _, name := range []string{"q1", "q2", "q3", "q4", "q5"} {
		dirs = append(dirs, c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": name, "action": "CREATE_DIRECTORY"}, nil).json(t)["id"].(string))
	}
	for _, i := range []int{4, 0, 3, 1, 2} {
		c.do("POST", "/v1/files/quotas/", map[string]any{"id": dirs[i], "limit": "1000"}, nil)
	}
	for i := range 5 {
		c.do("POST", "/v1/smb/shares/", map[string]any{"share_name": "s" + strconv.Itoa(i), "fs_path": "/"}, nil)
		c.do("POST", "/v1/users/", map[string]any{"name": "u" + strconv.Itoa(i), "primary_group": "513"}, nil)
	}
	for _, tc := range []struct {
		list, item, field string
		items             func(reply) []any
	}{
		{"/v1/files/quotas/", "/v1/files/quotas/", "id", func(r reply) []any { return r.json(t)["quotas"].([]any) }},
		{"/v1/smb/shares/", "/v1/smb/shares/", "id", arrayOf(t)},
		{"/v1/users/", "/v1/users/", "id", arrayOf(t)},
	} {
		var all []string
		for _, it := range tc.items(c.do("GET", tc.list, nil, nil)) {
			all = append(all, scalarString(it.(map[string]any)[tc.field]))
		}
		if !slices.IsSortedFunc(all, keyOrder) || len(all) < 5 {
			t.Errorf("%s lists %v, want at least 5 in key order", tc.list, all)
		}
		// The first page's last item, the cursor of the next page, goes
		// before that page is read; the pages hold it once, as first seen.
		var seen []string
		after := ""
		for pages := 0; pages < 10; pages++ {
			path := tc.list + "?limit=2"
			if after != "" {
				path += "&after=" + url.QueryEscape(after)
			}
			r := c.do("GET", path, nil, nil)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s = %d %s", path, r.status, r.body)
			}
			items := tc.items(r)
			for _, it := range items {
				seen = append(seen, scalarString(it.(map[string]any)[tc.field]))
			}
			if len(items) < 2 {
				break
			}
			after = seen[len(seen)-1]
			if pages == 0 {
				if r := c.do("DELETE", tc.item+url.PathEscape(after), nil, nil); r.status != http.StatusOK {
					t.Fatalf("DELETE %s%s = %d %s", tc.item, after, r.status, r.body)
				}
			}
		}
		if !slices.Equal(seen, all) {
			t.Errorf("%s pages hold %v, want %v", tc.list, seen, all)
		}
	}
}

// arrayOf reads an answer that is a JSON array.
func arrayOf(t *testing.T) func(reply) []any {
	return func(r reply) []any {
		t.Helper()
		var v []any
		if err := json.Unmarshal(r.body, &v); err != nil {
			t.Fatalf("answer %d is not a JSON array: %v: %s", r.status, err, r.body)
		}
		return v
	}
}
