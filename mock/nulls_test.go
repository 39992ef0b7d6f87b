package mock

import (
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	qapi "github.com/qapitools/qapi"
)

// withoutNullable is the embedded spec with every nullable mark taken
// off, as a cluster's own /openapi.json has none.
func withoutNullable(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(qapi.APIYAML)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*openapi3.Schema]bool{}
	var clear func(ref *openapi3.SchemaRef)
	clear = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		seen[ref.Value] = true
		ref.Value.Nullable = false
		for _, p := range ref.Value.Properties {
			clear(p)
		}
		clear(ref.Value.Items)
	}
	for _, s := range doc.Components.Schemas {
		clear(s)
	}
	return doc
}

// Served a spec without nullable marks, the twin still takes a null for an
// optional setting, as a cluster does, and still refuses a wrong type.
func TestNullSettingsWhateverSpec(t *testing.T) {
	t.Parallel()
	c := setup(t, WithSpec(withoutNullable(t)))
	if r := c.do("PATCH", "/v1/web-ui/settings", map[string]any{"login_banner": nil}, nil); r.status != http.StatusOK {
		t.Errorf("PATCH with a null setting: %d %s", r.status, r.body)
	}
	if r := c.do("PUT", "/v0/ftp/settings", map[string]any{"enabled": true, "anonymous_user": nil}, nil); r.status != http.StatusOK {
		t.Errorf("PUT with a null setting: %d %s", r.status, r.body)
	}
	wantError(t, c.do("PATCH", "/v1/web-ui/settings", map[string]any{"login_banner": 5}, nil), http.StatusBadRequest, "http_bad_request_error")
}
