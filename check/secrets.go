package check

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/redact"
)

// secrets are what one request carries that must not be shown.
type secrets struct {
	// credentials are the values of its Authorization headers.
	credentials []string
	// writeOnly are the values of the write-only fields of its body.
	writeOnly []string
	// plain are the rest: credentials, decoded Basic credentials, cookie
	// values, and the values of fields and parameters named like secrets.
	plain []string
}

// requestSecrets finds the secrets of t's request; schema is its
// operation's request body schema, nil when unknown.
func requestSecrets(schema *openapi3.SchemaRef, t Traffic) secrets {
	var out secrets
	r := t.Request
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range r.Header.Values(name) {
			cred := credential(v)
			if cred == "" {
				continue
			}
			out.credentials = append(out.credentials, cred)
			out.plain = append(out.plain, cred)
			if scheme, _, _ := strings.Cut(strings.TrimSpace(v), " "); strings.EqualFold(scheme, "Basic") {
				if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
					_, pw, _ := strings.Cut(string(dec), ":")
					out.plain = append(out.plain, string(dec), pw)
				}
			}
		}
	}
	for _, c := range r.Cookies() {
		out.plain = append(out.plain, c.Value)
	}
	for k, vs := range r.URL.Query() {
		if redact.SecretField(k) {
			out.plain = append(out.plain, vs...)
		}
	}
	if t.RequestBodyTruncated || len(t.RequestBody) == 0 {
		return out
	}
	var v any
	if json.Unmarshal(t.RequestBody, &v) == nil {
		out.plain = append(out.plain, secretFields(v, nil)...)
		for _, s := range oas.WriteOnlyValues(schema, v) {
			// A recording holds redacted values: a bare marker is no secret.
			if s != "" && s != redact.Marker {
				out.writeOnly = append(out.writeOnly, s)
			}
		}
		return out
	}
	out.plain = append(out.plain, redact.SecretsIn(string(t.RequestBody))...)
	return out
}

// credential is an Authorization value without its scheme, however it is
// spaced; a value without a scheme is the credential whole.
func credential(v string) string {
	f := strings.Fields(v)
	switch len(f) {
	case 0:
		return ""
	case 1:
		if strings.EqualFold(f[0], "Bearer") || strings.EqualFold(f[0], "Basic") {
			return "" // a scheme without a credential
		}
		return f[0]
	}
	return strings.TrimSpace(strings.TrimSpace(v)[len(f[0]):])
}

// secretFields lists the string values of members named like secrets.
func secretFields(v any, out []string) []string {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok && redact.SecretField(k) {
				out = append(out, s)
				continue
			}
			out = secretFields(e, out)
		}
	case []any:
		for _, e := range t {
			out = secretFields(e, out)
		}
	}
	return out
}
