package qapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/qapitools/qapi"

// goList answers, for each package go list names with args, the packages
// it imports (tests aside).
func goList(t *testing.T, args ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	imports := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) > 0 {
			imports[f[0]] = f[1:]
		}
	}
	return imports
}

// The imports keep the layout the README's Layout table draws: the runner
// and the twin stand side by side on the shared floor, the proxy uses the
// checks and not the runner, and the floor imports nothing above it.
func TestLayoutHasNoUpwardEdge(t *testing.T) {
	t.Parallel()
	imports := goList(t, "./...")
	forbidden := map[string][]string{
		"mock": {"contract", "proxy", "client"},
		// The test kit hands out clients, so it sits above client.
		"mock/mocktest":    {"contract", "proxy"},
		"contract":         {"mock", "proxy", "client"},
		"proxy":            {"contract", "mock", "client"},
		"check":            {"contract", "mock", "proxy", "client"},
		"client":           {"mock", "contract", "proxy", "check"},
		"internal/oas":     {"mock", "contract", "proxy", "check", "client", "report", "har"},
		"convert":          {"mock", "contract", "proxy", "check", "client", "gen"},
		"gen":              {"mock", "contract", "proxy", "check", "client", "convert"},
		"har":              {"mock", "contract", "proxy", "client"},
		"report":           {"mock", "contract", "proxy", "client"},
		"verify":           {"mock", "contract", "proxy", "client"},
		"internal/apidiff": {"mock", "contract", "proxy", "check", "client", "gen", "report", "har"},
	}
	for from, tos := range forbidden {
		for pkg, deps := range imports {
			if pkg != module+"/"+from && !strings.HasPrefix(pkg, module+"/"+from+"/") {
				continue
			}
			if ruled := module + "/" + from; pkg != ruled && forbidden[strings.TrimPrefix(pkg, module+"/")] != nil {
				continue // a package with a row of its own (mock/mocktest)
			}
			for _, to := range tos {
				for _, dep := range deps {
					if dep == module+"/"+to || strings.HasPrefix(dep, module+"/"+to+"/") {
						t.Errorf("%s imports %s", pkg, dep)
					}
				}
			}
		}
	}
}

// No package of the product imports testing but the one made for tests
// (mock/mocktest) and the benchmark harness. In the CLI's dependencies,
// testing comes in only through oapi-codegen's use of
// golang.org/x/tools/imports, whose internal/modindex calls
// testing.Testing(): nothing of qapi's own brings it.
func TestTestingStaysInTests(t *testing.T) {
	t.Parallel()
	allowed := []string{module + "/mock/mocktest", module + "/bench"}
	for pkg, deps := range goList(t, "./...") {
		if slices.Contains(deps, "testing") && !slices.Contains(allowed, pkg) {
			t.Errorf("%s imports testing", pkg)
		}
	}
	for pkg, deps := range goList(t, "-deps", "./cmd/qapi") {
		if slices.Contains(deps, "testing") && pkg != "golang.org/x/tools/internal/modindex" {
			t.Errorf("the CLI links testing through %s", pkg)
		}
	}
}

// cmd/qapi is the only library or command of the product that reads the
// environment (the bench, a tool of its own, passes it on to what it runs).
func TestOnlyTheCLIReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && name != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		dir := filepath.Dir(name)
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || dir == "cmd/qapi" || dir == "bench" {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "os" && slices.Contains([]string{"Getenv", "LookupEnv", "Environ"}, sel.Sel.Name) {
				t.Errorf("%s reads the environment (os.%s)", name, sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// No exported API of a public package takes or returns a type of an
// internal package, which no other module can name or build: exported
// functions, methods and the fields and types they are made of.
func TestPublicAPIsNameNoInternalType(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && name != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata" || d.Name() == "internal" || d.Name() == "cmd" || d.Name() == "bench") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		internal := map[string]bool{}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if !strings.Contains(path, "/internal/") && !strings.HasSuffix(path, "/internal") {
				continue
			}
			local := filepath.Base(path)
			if imp.Name != nil {
				local = imp.Name.Name
			}
			internal[local] = true
		}
		if len(internal) == 0 {
			return nil
		}
		names := func(n ast.Node) {
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok && internal[x.Name] {
						t.Errorf("%s: an exported API names %s.%s", name, x.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if decl.Name.IsExported() && (decl.Recv == nil || exportedRecv(decl.Recv)) {
					names(decl.Type)
				}
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() {
						continue
					}
					exportedParts(ts.Type, names)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// exportedRecv tells a method of an exported type.
func exportedRecv(recv *ast.FieldList) bool {
	typ := recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// exportedParts hands the exported fields and methods of a type, or the
// type itself when it is not a struct or interface, to names.
func exportedParts(typ ast.Expr, names func(ast.Node)) {
	var fields *ast.FieldList
	switch t := typ.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	default:
		names(typ)
		return
	}
	for _, f := range fields.List {
		exported := len(f.Names) == 0 // embedded
		for _, n := range f.Names {
			exported = exported || n.IsExported()
		}
		if exported {
			names(f.Type)
		}
	}
}
