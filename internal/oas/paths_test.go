package oas

import (
	"maps"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestIntegerIDs(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/snapshots/{id}:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties: {id: {type: integer, format: int64}, name: {type: string}}
  /v1/snapshots/{id}/lock:
    post:
      responses: {"200": {description: ok}}
  /v1/shares/{id}:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}}}
  /v2/interfaces/{interface_id}:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: integer}}}
  /v2/interfaces/{interface_id}/status/{node_id}:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {node_id: {type: integer}, id: {type: string}}}
  /v1/files/{ref}/data:
    get:
      responses:
        "200":
          description: ok
          content:
            application/octet-stream:
              schema: {type: string, format: binary}
`))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]map[string]bool{
		// The item's id is an integer; a path below the item inherits it.
		"/v1/snapshots/{id}":      {"id": true},
		"/v1/snapshots/{id}/lock": {"id": true},
		// A string id stays a string.
		"/v1/shares/{id}": {"id": false},
		// A property of the parameter's own name wins over id.
		"/v2/interfaces/{interface_id}/status/{node_id}": {"interface_id": true, "node_id": true},
		// No JSON item to read the type from.
		"/v1/files/{ref}/data": {},
	} {
		if got := IntegerIDs(doc, path); !maps.Equal(got, want) {
			t.Errorf("IntegerIDs(%s) = %v, want %v", path, got, want)
		}
	}
}
