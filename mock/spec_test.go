package mock

import (
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The twin serves the document it serves at /openapi.json, as a cluster
// does, without a token; other methods there are not allowed.
func TestServesItsDocument(t *testing.T) {
	t.Parallel()
	doc := &openapi3.T{OpenAPI: "3.0.3", Info: &openapi3.Info{Title: "t", Version: "1"}, Paths: openapi3.NewPaths()}
	doc.Paths.Set("/v1/only/thing", &openapi3.PathItem{Get: &openapi3.Operation{OperationID: "GetOnlyThing", Responses: openapi3.NewResponses(openapi3.WithStatus(200, &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("OK")}))}})
	c := setup(t, WithSpec(doc))
	c.token = ""
	r := c.do(http.MethodGet, "/openapi.json", nil, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %s", r.status, r.body)
	}
	got, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if got.Paths.Len() != 1 || got.Paths.Value("/v1/only/thing") == nil {
		t.Errorf("served another document: %s", r.body)
	}
	if r := c.do(http.MethodPost, "/openapi.json", nil, nil); r.status == http.StatusOK {
		t.Errorf("POST /openapi.json: %d", r.status)
	}
}
