package mock

import (
	"maps"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// A client may send null for an optional setting, and a cluster takes it
// (oas.OptionalSetting). The converter states it in api.yaml, but a
// cluster's own /openapi.json has no nullable marks, and the twin must take
// what a cluster takes whatever spec it serves: a PUT or PATCH body is
// validated without its top-level nulls on optional settings.
func withoutOptionalNulls(method string, schema *openapi3.Schema, value any) any {
	obj, ok := value.(map[string]any)
	if !ok {
		return value
	}
	var out map[string]any
	for k, v := range obj {
		if v != nil || !oas.OptionalSetting(method, schema, k) {
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
