package oas

import (
	"context"
	"net"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

const testSpec = `
openapi: 3.0.3
info: {title: oas test, version: "1"}
security: [{bearer: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Local:
      type: object
      required: [type]
      properties:
        type: {type: string, enum: [Local]}
    KMS:
      type: object
      required: [type, key]
      properties:
        type: {type: string, enum: [KMS]}
        key: {type: string, format: password}
        id: {type: string, readOnly: true}
    Store:
      oneOf: [{$ref: '#/components/schemas/Local'}, {$ref: '#/components/schemas/KMS'}]
      discriminator:
        propertyName: type
        mapping: {Local: '#/components/schemas/Local', KMS: '#/components/schemas/KMS'}
    Flat:
      type: object
      properties:
        type:
          type: string
          enum: [A, B]
          x-enum-varnames: [TypeA, TypeB]
        a_part: {type: string, description: "Value present when type is TYPE_A."}
        b_part: {type: string, description: "Value present when type is TYPE_B."}
paths:
  /v1/version:
    get:
      security: [{}, {bearer: []}]
      responses: {"200": {description: ok}}
  /v1/shares/:
    get: {responses: {"200": {description: ok}}}
    post:
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Store'}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Store'}}}}}
  /v1/shares/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: ok}}}
    delete: {responses: {"200": {description: ok}}}
  /v1/shares/{a_other}/x:
    parameters: [{name: a_other, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: ok}}}
  /v1/files/{ref}/info:
    parameters: [{name: ref, in: path, required: true, schema: {type: string}}]
    get: {responses: {"204": {description: ok}, "202": {description: ok}}}
`

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(testSpec))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return doc
}

// An empty requirement among an operation's makes a token optional.
func TestSecured(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	if Secured(doc, doc.Paths.Value("/v1/version").Get) {
		t.Error("an operation with an empty requirement is secured")
	}
	if !Secured(doc, doc.Paths.Value("/v1/shares/").Get) {
		t.Error("an operation under the document's requirement is not secured")
	}
}

func TestItemOf(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	item, param, ok := ItemOf(doc, "/v1/shares/")
	if !ok || item != "/v1/shares/{id}" || param != "id" {
		t.Errorf("ItemOf = %q %q %v", item, param, ok)
	}
	if _, _, ok := ItemOf(doc, "/v1/version"); ok {
		t.Error("a path with nothing under it has items")
	}
}

// A file path travels as one escaped segment, and routes back decoded.
func TestRouterEscapedSegment(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	rt, err := NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := FillPath("/v1/files/{ref}/info", map[string]string{"ref": "/dir/file name"})
	if path != "/v1/files/%2Fdir%2Ffile%20name/info" {
		t.Fatalf("FillPath = %q", path)
	}
	route, params, err := rt.FindRoute(httptest.NewRequest("GET", path, nil))
	if err != nil || route.Path != "/v1/files/{ref}/info" || params["ref"] != "/dir/file name" {
		t.Fatalf("FindRoute = %v %v %v", route, params, err)
	}
	if got := rt.Allowed(httptest.NewRequest("PUT", "/v1/shares/7", nil)); !reflect.DeepEqual(got, []string{"GET", "DELETE"}) {
		t.Errorf("Allowed = %v", got)
	}
}

func TestSuccess(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	if status, media, _ := Success(doc.Paths.Value("/v1/files/{ref}/info").Get); status != 202 || media != nil {
		t.Errorf("Success = %d %v, want the lowest 2xx without a body", status, media)
	}
	if status, _, schema := Success(doc.Paths.Value("/v1/shares/").Post); status != 200 || schema == nil || schema.Value == nil {
		t.Errorf("Success = %d %v", status, schema)
	}
}

// Generated values: the same seed and key give the same value; a response
// leaves out write-only fields, a request read-only ones; every arm of a
// union carries the discriminator value that names it.
func TestGenerator(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	store := doc.Components.Schemas["Store"]
	a := NewGenerator(7, "/v1/shares/1", Response).Value(store)
	b := NewGenerator(7, "/v1/shares/1", Response).Value(store)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed and key differ: %v %v", a, b)
	}
	if err := store.Value.VisitJSON(a, openapi3.VisitAsResponse()); err != nil {
		t.Errorf("generated value is invalid: %v", err)
	}
	arms := NewGenerator(1, "", Request).Arms(store.Value)
	if len(arms) != 2 || arms[0].(map[string]any)["type"] != "Local" || arms[1].(map[string]any)["type"] != "KMS" {
		t.Fatalf("Arms = %v", arms)
	}
	kms := arms[1].(map[string]any)
	if _, ok := kms["id"]; ok {
		t.Errorf("a request carries the read-only id: %v", kms)
	}
	if got := WriteOnlyValues(store, kms); len(got) != 1 || got[0] != kms["key"] {
		t.Errorf("WriteOnlyValues = %v, want the key", got)
	}
	resp := NewGenerator(1, "", Response).Value(doc.Components.Schemas["KMS"]).(map[string]any)
	if _, ok := resp["key"]; ok {
		t.Errorf("a response carries the password: %v", resp)
	}
	if ResolveArm(store.Value, kms) != doc.Components.Schemas["KMS"].Value {
		t.Error("ResolveArm does not follow the discriminator")
	}
}

// A union the pages flatten keeps only the arm its discriminator selects.
func TestDropAbsentArms(t *testing.T) {
	t.Parallel()
	flat := loadSpec(t).Components.Schemas["Flat"].Value
	obj := map[string]any{"type": "B", "a_part": "x", "b_part": "y"}
	DropAbsentArms(flat, obj)
	if !reflect.DeepEqual(obj, map[string]any{"type": "B", "b_part": "y"}) {
		t.Errorf("DropAbsentArms = %v", obj)
	}
}

// Values of the forms a cluster answers: a client parses uids with
// strconv.Atoi and times with time.Parse, and reads a product version.
func TestGeneratedForms(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`
openapi: 3.0.3
info: {title: forms, version: "1"}
paths: {}
components:
  schemas:
    User:
      type: object
      properties:
        uid: {type: string}
        id: {type: string}
        size: {type: string, description: File size in bytes}
        change_time: {type: string}
        created: {type: string, description: "Creation time, RFC 3339 format"}
        mode: {type: string, description: POSIX-style file mode (octal)}
        revision_id: {type: string}
        fs_path: {type: string}
        sid: {type: string}
        address_ranges: {type: array, items: {type: string}}
        enabled: {type: boolean}
        kind: {type: string, enum: [A, B]}
        note: {type: string}
`))
	if err != nil {
		t.Fatal(err)
	}
	user := doc.Components.Schemas["User"]
	for seed := range uint64(20) {
		v := NewGenerator(seed, "/v1/users/1", Response).Value(user).(map[string]any)
		for _, k := range []string{"uid", "id", "size"} {
			if _, err := strconv.Atoi(v[k].(string)); err != nil {
				t.Errorf("%s = %q is not a decimal string", k, v[k])
			}
		}
		for _, k := range []string{"change_time", "created"} {
			if _, err := time.Parse(time.RFC3339, v[k].(string)); err != nil {
				t.Errorf("%s = %q is not an RFC 3339 time", k, v[k])
			}
		}
		if _, err := strconv.ParseUint(v["mode"].(string), 8, 32); err != nil {
			t.Errorf("mode = %q is not octal", v["mode"])
		}
		if v["revision_id"] != "Qumulo Core "+ProductVersion {
			t.Errorf("revision_id = %q", v["revision_id"])
		}
		if p := v["fs_path"].(string); !strings.HasPrefix(p, "/") {
			t.Errorf("fs_path = %q is not absolute", p)
		}
		if s := v["sid"].(string); !strings.HasPrefix(s, "S-1-5-21-") {
			t.Errorf("sid = %q", s)
		}
		if r := v["address_ranges"].([]any); len(r) != 1 || net.ParseIP(r[0].(string)) == nil {
			t.Errorf("address_ranges = %v", r)
		}
	}
	// A request names the root, which every cluster has.
	if p := NewGenerator(1, "", Request).Value(user).(map[string]any)["fs_path"]; p != "/" {
		t.Errorf("request fs_path = %v, want /", p)
	}
	// A fresh item has the least values, not invented ones.
	g := NewGenerator(1, "", Response)
	g.Minimal = true
	want := map[string]any{"uid": "0", "id": "0", "size": "0", "note": "", "enabled": false, "kind": "A", "address_ranges": []any{}}
	got := g.Value(user).(map[string]any)
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("minimal %s = %#v, want %#v", k, got[k], w)
		}
	}
}

// A password that is also the user name is sent in the clear, so a later
// answer that shows the name leaks nothing.
func TestWriteOnlyValuesSentInTheClear(t *testing.T) {
	t.Parallel()
	login := &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"username": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		"password": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "password"}},
	}}}
	if got := WriteOnlyValues(login, map[string]any{"username": "admin", "password": "admin"}); len(got) != 0 {
		t.Errorf("WriteOnlyValues = %v, want none", got)
	}
	if got := WriteOnlyValues(login, map[string]any{"username": "admin", "password": "s3cret"}); len(got) != 1 || got[0] != "s3cret" {
		t.Errorf("WriteOnlyValues = %v, want the password", got)
	}
}
