package apidiff

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func loadFile(t *testing.T, name string) Side {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Side{Name: name, Doc: doc}
}

func opKeys(ops []Operation) []string {
	var keys []string
	for _, o := range ops {
		keys = append(keys, o.Method+" "+o.Path)
	}
	return keys
}

// A cluster's spec writes integers, no nullable marks, no security, paging
// with prev, its own type and operation names: none of that is change.
// What remains is the API change between them, and only it.
func TestNormalisationLeavesOnlyAPIChange(t *testing.T) {
	t.Parallel()
	raw, err := Compare(loadFile(t, "docs-like.yaml"), loadFile(t, "vendor-like.json"), Options{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(loadFile(t, "docs-like.yaml"), loadFile(t, "vendor-like.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := opKeys(r.Added), []string{"GET /openapi.json", "GET /v1/nfs/exports/"}; !slices.Equal(got, want) {
		t.Errorf("added %v, want %v", got, want)
	}
	if got, want := opKeys(r.Removed), []string{"DELETE /v1/smb/shares/{id}"}; !slices.Equal(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	// The real changes, each with the Go name it touches.
	want := map[string]string{
		"request-property-removed":             "gen.SMBShare.LegacyFlag disappears",
		"response-optional-property-removed":   "gen.SMBShare.LegacyFlag disappears",
		"request-property-type-changed":        "gen.SMBShare.Options changes type",
		"response-property-type-changed":       "gen.SMBShare.Options changes type",
		"request-property-enum-value-removed":  "gen.SMBShare.Access takes other values",
		"response-property-enum-value-removed": "gen.SMBShare.Access takes other values",
		"api-path-removed-without-deprecation": "c.SMB.DeleteShare disappears",
		"endpoint-added":                       "",
		"new-optional-request-property":        "gen.SMBShareOptions.Oplocks appears",
		"response-optional-property-added":     "gen.SMBShareOptions.Oplocks appears",
	}
	seen := map[string]bool{}
	for _, c := range r.Changes {
		sdk, ok := want[c.Kind]
		if !ok {
			t.Errorf("a change that is representation only: %s %s %s: %s", c.Kind, c.Method, c.Path, c.Text)
			continue
		}
		seen[c.Kind] = true
		if sdk != "" && c.SDK != sdk {
			t.Errorf("%s %s %s: Go impact %q, want %q", c.Kind, c.Method, c.Path, c.SDK, sdk)
		}
		for _, noise := range []string{"max_connections", "paging", "limit", "description", "security"} {
			if strings.Contains(c.Text, noise) {
				t.Errorf("%s: %s", c.Kind, c.Text)
			}
		}
	}
	for kind := range want {
		if !seen[kind] {
			t.Errorf("no %s change", kind)
		}
	}
	if r.Breaking() == 0 || raw.Breaking() <= r.Breaking() {
		t.Errorf("breaking: raw %d, normalised %d; want the normalised fewer and not 0", raw.Breaking(), r.Breaking())
	}
	for _, kind := range []string{"response-property-type-changed", "became-not-nullable", "api-security", "api-operation-id"} {
		n := 0
		for _, c := range raw.Changes {
			if strings.Contains(c.Kind, kind) && !strings.Contains(c.Text, "options") {
				n++
			}
		}
		if n == 0 {
			t.Errorf("the raw diff has no %s beside the real one: the fixture no longer imitates a cluster's spec", kind)
		}
	}
}

// Identical documents differ in nothing, raw or normalised.
func TestIdenticalDocuments(t *testing.T) {
	t.Parallel()
	for _, raw := range []bool{false, true} {
		r, err := Compare(loadFile(t, "docs-like.yaml"), loadFile(t, "docs-like.yaml"), Options{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Added)+len(r.Removed)+len(r.Changes) != 0 {
			t.Errorf("raw %v: %+v", raw, r)
		}
	}
}

// The reports group by SDK area and name the Go side of each change.
func TestFormats(t *testing.T) {
	t.Parallel()
	r, err := Compare(loadFile(t, "docs-like.yaml"), loadFile(t, "vendor-like.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var text, md, js strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nc.NFS\n", "\nc.SMB\n", "breaking     DELETE /v1/smb/shares/{id}: operation removed", "Go: c.SMB.DeleteShare disappears", "Go: c.NFS.ListExports appears", "Go: gen.SMBShare.Options changes type"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(md.String(), "#### `c.SMB`") || !strings.Contains(md.String(), "| **removed** | `DELETE /v1/smb/shares/{id}` |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	for _, want := range []string{`"added": [`, `"removed": [`, `"changes": [`, `"sdk": "c.SMB.DeleteShare"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("json lacks %s", want)
		}
	}
}
