package qapi_test

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/codegen"
	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/internal/sdkgen"
)

var update = flag.Bool("update", false, "rewrite gen/names.golden and client/names.golden")

// genNames lists every exported name package gen declares, one a line:
// types, functions, methods, constants, variables and struct fields.
func genNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("gen/*.go")
	if err != nil {
		t.Fatal(err)
	}
	return exportedNames(t, files...)
}

// exportedNames lists the exported names the files declare, sorted.
func exportedNames(t *testing.T, files ...string) []string {
	t.Helper()
	var names []string
	for _, file := range files {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, declNames(f)...)
	}
	slices.Sort(names)
	return names
}

func declNames(f *ast.File) []string {
	var names []string
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				names = append(names, "func "+d.Name.Name)
				continue
			}
			recv := d.Recv.List[0].Type
			ptr := ""
			if s, ok := recv.(*ast.StarExpr); ok {
				recv, ptr = s.X, "*"
			}
			names = append(names, fmt.Sprintf("method (%s%s).%s", ptr, recv.(*ast.Ident).Name, d.Name.Name))
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					names = append(names, "type "+s.Name.Name)
					if st, ok := s.Type.(*ast.StructType); ok {
						for _, fl := range st.Fields.List {
							for _, n := range fl.Names {
								if n.IsExported() {
									names = append(names, "field "+s.Name.Name+"."+n.Name)
								}
							}
						}
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							names = append(names, d.Tok.String()+" "+n.Name)
						}
					}
				}
			}
		}
	}
	return names
}

// TestGenNamesGolden fails on any change to an exported name of package gen,
// so a rename shows in review as a change of gen/names.golden (go test .
// -run TestGenNamesGolden -update rewrites it).
func TestGenNamesGolden(t *testing.T) {
	checkGolden(t, "gen/names.golden", genNames(t))
}

// TestClientNamesGolden does the same for the services that sdkgen writes
// into package client (client/*.gen.go) and the methods written by hand in
// their place: every area, method and iterator is in client/names.golden (go test . -run TestClientNamesGolden -update).
func TestClientNamesGolden(t *testing.T) {
	files, err := filepath.Glob("client/*.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no client/*.gen.go: run go generate ./...")
	}
	// The operations whose methods are written by hand
	// (internal/sdkgen/hand.go), and their job handles.
	files = append(files, sdkgen.HandWrittenFiles()...)
	checkGolden(t, "client/names.golden", exportedNames(t, files...))
}

func checkGolden(t *testing.T, golden string, names []string) {
	t.Helper()
	got := strings.Join(names, "\n") + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test . -run %s -update writes it)", err, t.Name())
	}
	if got != string(want) {
		gotSet, wantSet := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		var added, removed []string
		for _, n := range gotSet {
			if !slices.Contains(wantSet, n) {
				added = append(added, n)
			}
		}
		for _, n := range wantSet {
			if !slices.Contains(gotSet, n) {
				removed = append(removed, n)
			}
		}
		t.Errorf("exported names in %s changed (go test . -run %s -update if intended)\nadded: %q\nremoved: %q", golden, t.Name(), added, removed)
	}
}

// The names in api.yaml are the Go names: every operationId is a client
// method and every schema a type of the same name, as the converter's rule
// promises (oapi-codegen's normalizer keeps them).
func TestSpecNamesAreGoNames(t *testing.T) {
	t.Parallel()
	doc, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	names := genNames(t)
	has := func(n string) bool { _, ok := slices.BinarySearch(names, n); return ok }
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			// A body that is not JSON (a file's data) has only the
			// reader's method.
			name := "New" + op.OperationID + "Request"
			if op.RequestBody != nil && !oas.TakesJSON(op) {
				name += "WithBody"
			}
			if !has("func " + name) {
				t.Errorf("%s %s: operationId %s has no request builder %s in gen", method, path, op.OperationID, name)
			}
		}
	}
	for name := range doc.Components.Schemas {
		if !has("type " + name) {
			t.Errorf("schema %s is no type of gen", name)
		}
	}
}

// Struct fields, which oapi-codegen names from JSON property names with
// gen/cfg.yaml's initialisms, are spelled as convert.GoName spells names.
func TestFieldNamesMatchConverter(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "gen/qapi.gen.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			st, ok := spec.(*ast.TypeSpec).Type.(*ast.StructType)
			if !ok {
				continue
			}
			for _, fl := range st.Fields.List {
				if fl.Tag == nil || len(fl.Names) != 1 {
					continue
				}
				tag, err := strconv.Unquote(fl.Tag.Value)
				if err != nil {
					t.Fatal(err)
				}
				prop, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
				if prop == "" || prop == "-" {
					continue
				}
				n++
				if want := convert.GoName(prop); fl.Names[0].Name != want {
					t.Errorf("field for %q is %s, the converter spells it %s", prop, fl.Names[0].Name, want)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no JSON fields found in gen/qapi.gen.go")
	}
}

// codegen.Config, which qapi generate uses, is gen/cfg.yaml with the
// converter's initialisms, but for the client: gen keeps only its request
// builders, since package client calls every operation, while qapi
// generate's users get oapi-codegen's whole client.
func TestCodegenConfigMatchesCfgYAML(t *testing.T) {
	t.Parallel()
	want, err := codegen.LoadConfig("gen/cfg.yaml")
	if err != nil {
		t.Fatal(err)
	}
	builders := want.OutputOptions.UserTemplates["client.tmpl"]
	if !strings.Contains(builders, "func New{{$opid}}Request") || strings.Contains(builders, "ClientInterface") {
		t.Errorf("gen/cfg.yaml's client.tmpl is not the request builders alone:\n%s", builders)
	}
	if want.OutputOptions.UserTemplates["client-with-responses.tmpl"] == "" {
		t.Error("gen/cfg.yaml does not leave out ClientWithResponses")
	}
	delete(want.OutputOptions.UserTemplates, "client.tmpl")
	delete(want.OutputOptions.UserTemplates, "client-with-responses.tmpl")
	if got := codegen.Config("gen", convert.AddedInitialisms...); !reflect.DeepEqual(got, want) {
		t.Errorf("codegen.Config(\"gen\", convert.AddedInitialisms...) = %+v\ngen/cfg.yaml = %+v", got, want)
	}
}

// gen/cfg.yaml's client.tmpl is the section of oapi-codegen's own that
// writes the request builders, word for word, so that an upgrade of
// oapi-codegen cannot leave gen's builders behind its fixes.
func TestGenBuildersTemplateIsOAPICodegens(t *testing.T) {
	t.Parallel()
	cfg, err := codegen.LoadConfig("gen/cfg.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/oapi-codegen/oapi-codegen/v2").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	tmpl, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "pkg", "codegen", "templates", "client.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	const first, last = "{{/* Generate request builders */}}", "{{end}}{{/* Range */}}\n"
	upstream := string(tmpl)
	start, end := strings.Index(upstream, first), strings.Index(upstream, last)
	if start < 0 || end < start {
		t.Fatalf("oapi-codegen's client.tmpl has no section %q … %q: copy the request builders anew", first, last)
	}
	got, want := strings.Split(cfg.OutputOptions.UserTemplates["client.tmpl"], "\n"), strings.Split(upstream[start:end+len(last)], "\n")
	for i := range max(len(got), len(want)) {
		if i >= len(got) || i >= len(want) || got[i] != want[i] {
			t.Errorf("gen/cfg.yaml's client.tmpl differs from oapi-codegen's request builders at line %d of the section: copy them anew", i+1)
			break
		}
	}
}

// gen's package doc is doc.go's, not oapi-codegen's boilerplate.
func TestGenPackageDoc(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("gen/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, file := range files {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc != nil {
			docs = append(docs, file)
		}
	}
	if !slices.Equal(docs, []string{"gen/doc.go"}) {
		t.Errorf("package docs in %v, want gen/doc.go alone", docs)
	}
}
