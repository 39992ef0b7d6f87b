package check

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/redact"
)

// leakedSecret finds a value sent as write-only in a response: as a whole
// JSON string or header value, or inside one when the secret is long enough
// not to occur by chance (a password "admin" inside "admin_password" is no
// leak; a private key inside a message is). field is where it was found.
func leakedSecret(secrets []string, header http.Header, body []byte) (field string, found bool) {
	type located struct{ at, val string }
	var values []located
	var v any
	if json.Unmarshal(body, &v) == nil {
		var walk func(v any, ptr string)
		walk = func(v any, ptr string) {
			switch t := v.(type) {
			case string:
				values = append(values, located{ptr, t})
			case map[string]any:
				for _, k := range slices.Sorted(maps.Keys(t)) {
					walk(t[k], ptr+"/"+k)
				}
			case []any:
				for i, e := range t {
					walk(e, fmt.Sprintf("%s/%d", ptr, i))
				}
			}
		}
		walk(v, "")
	} else {
		values = append(values, located{"body", string(body)})
	}
	names := make([]string, 0, len(header))
	for k := range header {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		for _, hv := range header[k] {
			values = append(values, located{"header:" + k, hv})
		}
	}
	for _, secret := range secrets {
		for _, val := range values {
			if val.val == secret || (len(secret) >= redact.MinEmbedded && strings.Contains(val.val, secret)) {
				if val.at == "" {
					val.at = "/"
				}
				return val.at, true
			}
		}
	}
	return "", false
}

// undeclared lists JSON pointers of object properties the schema does not
// declare, where the schema does not allow extra properties explicitly.
func undeclared(ref *openapi3.SchemaRef, v any, ptr string) []string {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := oas.ResolveArm(ref.Value, v)
	var out []string
	switch t := v.(type) {
	case map[string]any:
		explicit := s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil
		if len(s.Properties) == 0 {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			p, ok := s.Properties[k]
			if !ok {
				if !explicit {
					out = append(out, ptr+"/"+k)
				}
				continue
			}
			out = append(out, undeclared(p, t[k], ptr+"/"+k)...)
		}
	case []any:
		for i, e := range t {
			out = append(out, undeclared(s.Items, e, fmt.Sprintf("%s/%d", ptr, i))...)
		}
	}
	return out
}
