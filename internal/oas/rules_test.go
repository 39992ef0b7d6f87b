package oas

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestUnversioned(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]struct {
		v    int
		rest string
	}{
		"/v2/smb/shares/{ref}": {2, "/smb/shares/{ref}"},
		"/v10/x/":              {10, "/x/"},
		"/v1":                  {1, "/"},
		"/openapi.json":        {-1, "/openapi.json"},
		"/version/v1":          {-1, "/version/v1"},
		"/v/x":                 {-1, "/v/x"},
		"/vx1/x":               {-1, "/vx1/x"},
	} {
		if v, rest := Unversioned(in); v != want.v || rest != want.rest {
			t.Errorf("Unversioned(%q) = %d, %q; want %d, %q", in, v, rest, want.v, want.rest)
		}
	}
}

func TestListField(t *testing.T) {
	t.Parallel()
	array := &openapi3.SchemaRef{Value: openapi3.NewArraySchema()}
	obj := func(names ...string) *openapi3.Schema {
		s := openapi3.NewObjectSchema()
		for _, n := range names {
			s.Properties[n] = array
		}
		s.Properties["paging"] = &openapi3.SchemaRef{Value: openapi3.NewObjectSchema()}
		s.Properties["count"] = &openapi3.SchemaRef{Value: openapi3.NewIntegerSchema()}
		return s
	}
	if name, ok := ListField(obj("quotas")); !ok || name != "quotas" {
		t.Errorf("one array: %q %v", name, ok)
	}
	if name, ok := ListField(obj("permissions", "network_permissions")); ok {
		t.Errorf("two arrays: %q, want no list field", name)
	}
	if _, ok := ListField(obj()); ok {
		t.Error("no array: a list field")
	}
	if _, ok := ListField(nil); ok {
		t.Error("nil schema: a list field")
	}
}

// The rules of rules.go are said once: no other package of the module
// spells the version pattern or picks a list's array property itself.
func TestRulesSaidOnce(t *testing.T) {
	t.Parallel()
	copies := regexp.MustCompile("`\\^v\\[0-9\\]\\+\\$`|`\\^v\\(\\\\d\\+\\)\\$`|func isVersion\\(|\"paging\".*(TypeArray|\"array\")|Properties\\[[a-z]+\\].*Type\\.Is\\((openapi3\\.TypeArray|\"array\")\\)")
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "gen") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, ".gen.go") {
			return nil
		}
		if filepath.Dir(path) == "." || strings.Contains(filepath.ToSlash(path), "internal/oas/") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if copies.MatchString(line) {
				t.Errorf("%s:%d says a rule of internal/oas again: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
