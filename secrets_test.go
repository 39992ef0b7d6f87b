package qapi

import (
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// secretName is a request field that carries a credential.
var secretName = regexp.MustCompile(`(^|_)(password|private_key|secret_access_key)$`)

// Every password, private key and secret key a request carries is
// write-only in api.yaml (overlays/40-write-only-secrets.yaml states the
// ones the pages leave unmarked), so an echo fails the contract and no
// recording keeps it.
func TestRequestSecretsAreWriteOnly(t *testing.T) {
	t.Parallel()
	spec, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	var walk func(ref *openapi3.SchemaRef, ptr string, depth int)
	walk = func(ref *openapi3.SchemaRef, ptr string, depth int) {
		if ref == nil || ref.Value == nil || depth > 12 {
			return
		}
		for name, p := range ref.Value.Properties {
			if secretName.MatchString(name) && p.Value != nil {
				seen++
				if !oas.WriteOnly(p.Value) {
					t.Errorf("%s/%s carries a secret and is not write-only", ptr, name)
				}
			}
			walk(p, ptr+"/"+name, depth+1)
		}
		walk(ref.Value.Items, ptr+"/items", depth+1)
		for _, arm := range ref.Value.OneOf {
			walk(arm, ptr, depth+1)
		}
	}
	for path, item := range spec.Paths.Map() {
		for method, op := range item.Operations() {
			walk(oas.RequestSchema(op), method+" "+path, 0)
		}
	}
	if seen < 10 {
		t.Fatalf("only %d secret fields in request bodies: the walk found nothing to check", seen)
	}
}
