package mock

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/qapitools/qapi/check"
)

// The faults the mock declares are the faults the check registry names:
// a Fault constant the registry lacks would be caught by no check, and a
// registry fault without a constant (and its behaviour) would be a fault
// qapi mock --fault offers but cannot break anything with.
func TestFaultsMatchTheCheckRegistry(t *testing.T) {
	t.Parallel()
	declared := declaredFaults(t)
	registry := slices.Sorted(maps.Keys(check.FaultChecks()))
	if !slices.Equal(declared, registry) {
		t.Errorf("Fault constants in fault.go %v, faults in the check registry %v", declared, registry)
	}
	var listed []string
	for _, f := range Faults() {
		listed = append(listed, string(f))
	}
	if !slices.Equal(listed, declared) {
		t.Errorf("Faults() = %v, want %v", listed, declared)
	}
}

// declaredFaults reads the values of the constants of type Fault that
// fault.go declares, sorted.
func declaredFaults(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "fault.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Fault" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					t.Fatalf("a Fault constant is not a string literal: %T", v)
				}
				name, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}
