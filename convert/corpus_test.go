package convert_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/qapitools/qapi/convert"
)

// corpusDir is ../shared/corpus as seen from the repository root.
var corpusDir = filepath.Join("..", "..", "shared", "corpus")

var corpusRevisions = []string{"qumulo-rest-api-guide-2024-07-18", "qumulo-rest-api-guide-2024-10-16"}

// corpusRevision returns the folder of one corpus revision, skipping the test
// when the corpus is not checked out next to the repository.
func corpusRevision(t testing.TB, rev string) string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus folder ../shared/corpus is absent (%v): the corpus conformance tests need the Qumulo doc pages next to the repository", err)
	}
	dir := filepath.Join(corpusDir, rev)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus revision %s is absent: %v", rev, err)
	}
	return dir
}

func buildCorpus(t testing.TB, dir string) *convert.Built {
	t.Helper()
	built, err := convert.Build([]convert.Source{{Name: filepath.Base(dir), FS: os.DirFS(dir)}}, nil, convert.Options{})
	if err != nil {
		var ce *convert.Error
		if errors.As(err, &ce) {
			t.Fatalf("%d conversion errors; first ones:\n%s", len(ce.Problems), firstLines(err.Error(), 20))
		}
		t.Fatalf("conversion failed: %v", err)
	}
	return built
}

// TestCorpusConformance converts each corpus revision with no overlays and
// checks the document against facts counted from the pages independently of
// the converter.
func TestCorpusConformance(t *testing.T) {
	for _, rev := range corpusRevisions {
		t.Run(rev, func(t *testing.T) {
			t.Parallel()
			dir := corpusRevision(t, rev)
			built := buildCorpus(t, dir)
			doc := built.Doc
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatalf("kin-openapi validation: %v", err)
			}

			want := pageOperations(t, dir)
			got := map[string]*openapi3.Operation{}
			for _, p := range doc.Paths.InMatchingOrder() {
				for m, op := range doc.Paths.Value(p).Operations() {
					got[strings.ToLower(m)+" "+p] = op
				}
			}
			if len(got) != len(want) || built.Operations != len(want) {
				t.Errorf("document has %d operations (Built.Operations %d), the pages describe %d distinct (method, rest_endpoint) pairs", len(got), built.Operations, len(want))
			}
			var missing, extra []string
			for k := range want {
				if got[k] == nil {
					missing = append(missing, k)
				}
			}
			for k := range got {
				if !want[k] {
					extra = append(extra, k)
				}
			}
			sort.Strings(missing)
			sort.Strings(extra)
			if len(missing) > 0 {
				t.Errorf("%d operations of the pages are missing, e.g. %q", len(missing), missing[:min(5, len(missing))])
			}
			if len(extra) > 0 {
				t.Errorf("%d operations are not on any page, e.g. %q", len(extra), extra[:min(5, len(extra))])
			}

			tags := map[string]bool{}
			for _, tg := range doc.Tags {
				tags[tg.Name] = true
			}
			ids := map[string]string{}
			keys := make([]string, 0, len(got))
			for k := range got {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				op := got[k]
				if op.OperationID == "" {
					t.Errorf("%s has no operationId", k)
				} else if prev, dup := ids[op.OperationID]; dup {
					t.Errorf("operationId %s is used by %s and %s", op.OperationID, prev, k)
				}
				ids[op.OperationID] = k
				if len(op.Tags) == 0 {
					t.Errorf("%s has no tag", k)
				}
				for _, tg := range op.Tags {
					if !tags[tg] {
						t.Errorf("%s has tag %q, which the document's tags do not define", k, tg)
					}
				}
				if src, _ := op.Extensions["x-qapi-source"].(string); !strings.HasPrefix(src, rev+"/") || !strings.HasSuffix(src, ".md") {
					t.Errorf("%s: x-qapi-source = %#v, want a page path under %s/", k, op.Extensions["x-qapi-source"], rev)
				}
			}
			for _, where := range floatSchemas(doc) {
				t.Errorf("schema at %s uses format float; fractions must be double", where)
			}
			t.Logf("%s: %d pages, %d operations, %d tags, %d component schemas, %d warnings", rev, built.Pages, len(got), len(doc.Tags), len(doc.Components.Schemas), len(built.Warnings))
		})
	}
}

// TestCorpusDeterministic converts each revision twice and expects the same bytes.
func TestCorpusDeterministic(t *testing.T) {
	for _, rev := range corpusRevisions {
		t.Run(rev, func(t *testing.T) {
			t.Parallel()
			dir := corpusRevision(t, rev)
			a := buildCorpus(t, dir)
			b := buildCorpus(t, dir)
			if !bytes.Equal(a.YAML, b.YAML) {
				t.Errorf("two conversions of %s differ (%d and %d bytes), first at line %d", rev, len(a.YAML), len(b.YAML), diffLine(a.YAML, b.YAML))
			}
		})
	}
}

// pageOperations reads the front matter of every endpoint page with yaml.v3
// and returns the distinct "method rest_endpoint" pairs, methods lower-case.
func pageOperations(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ops := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || d.Name() == "index.md" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var fm struct {
			RestEndpoint string               `yaml:"rest_endpoint"`
			Methods      map[string]yaml.Node `yaml:"methods"`
		}
		if err := yaml.Unmarshal(frontMatterOf(t, p, data), &fm); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if fm.RestEndpoint == "" || len(fm.Methods) == 0 {
			t.Fatalf("%s: endpoint page without rest_endpoint or methods", p)
		}
		for m := range fm.Methods {
			ops[strings.ToLower(m)+" "+fm.RestEndpoint] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

// frontMatterOf returns the text between the opening "---" line and the next.
func frontMatterOf(t testing.TB, name string, data []byte) []byte {
	t.Helper()
	lines := strings.SplitAfter(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		t.Fatalf("%s: no front matter", name)
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\n") == "---" {
			return []byte(strings.Join(lines[1:i], ""))
		}
	}
	t.Fatalf("%s: front matter not closed", name)
	return nil
}

// floatSchemas returns the location of every schema in the document whose
// format is float.
func floatSchemas(doc *openapi3.T) []string {
	var found []string
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef, where string)
	walk = func(ref *openapi3.SchemaRef, where string) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Format == "float" {
			found = append(found, where)
		}
		for name, p := range s.Properties {
			walk(p, where+"/properties/"+name)
		}
		walk(s.Items, where+"/items")
		walk(s.Not, where+"/not")
		walk(s.AdditionalProperties.Schema, where+"/additionalProperties")
		for kw, list := range map[string]openapi3.SchemaRefs{"allOf": s.AllOf, "anyOf": s.AnyOf, "oneOf": s.OneOf} {
			for i, r := range list {
				walk(r, where+"/"+kw+"/"+strconv.Itoa(i))
			}
		}
	}
	content := func(c openapi3.Content, where string) {
		for mt, m := range c {
			walk(m.Schema, where+"/content/"+mt+"/schema")
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(s, "#/components/schemas/"+name)
	}
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		for m, op := range item.Operations() {
			at := "paths " + strings.ToUpper(m) + " " + p
			for _, prm := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				if prm.Value != nil {
					walk(prm.Value.Schema, at+" parameter "+prm.Value.Name)
					content(prm.Value.Content, at+" parameter "+prm.Value.Name)
				}
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				content(op.RequestBody.Value.Content, at+" requestBody")
			}
			for code, r := range op.Responses.Map() {
				if r.Value != nil {
					content(r.Value.Content, at+" response "+code)
				}
			}
		}
	}
	sort.Strings(found)
	return found
}

// TestFloatSchemasFinds checks the float detector itself on a small document,
// so that the corpus test cannot pass because the walk misses schemas.
func TestFloatSchemasFinds(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      parameters:
        - {name: q, in: query, schema: {type: number, format: float}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: array
                items: {oneOf: [{type: number, format: float}, {type: string}]}
components:
  schemas:
    S: {type: object, properties: {x: {type: number, format: float}, y: {type: number, format: double}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	got := floatSchemas(doc)
	want := []string{
		"#/components/schemas/S/properties/x",
		"paths GET /a parameter q",
		"paths GET /a response 200/content/application/json/schema/items/oneOf/0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("floatSchemas = %q, want %q", got, want)
	}
}

func diffLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}
