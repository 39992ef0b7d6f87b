package mock

import (
	"maps"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// A client may send null for an optional setting, and a cluster takes it:
// Qumulo's Terraform provider sends anonymous_user (FTP settings),
// inactivity_timeout and login_banner (web UI settings) as null. The
// converter states it in api.yaml (convert/nullable.go), but a cluster's
// own /openapi.json has no nullable marks, and the twin must take what a
// cluster takes whatever spec it serves: a PUT or PATCH body is validated
// without its top-level nulls on properties the schema does not require.
func withoutOptionalNulls(method string, schema *openapi3.Schema, value any) any {
	obj, ok := value.(map[string]any)
	if !ok || (method != http.MethodPut && method != http.MethodPatch) {
		return value
	}
	var out map[string]any
	for k, v := range obj {
		if v != nil || slices.Contains(schema.Required, k) {
			continue
		}
		if out == nil {
			out = maps.Clone(obj)
		}
		delete(out, k)
	}
	if out == nil {
		return value
	}
	return out
}
