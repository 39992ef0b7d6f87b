package main

import (
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"
)

// The SDK section builds its programs only under make bench: parse them
// here, and check that each links what its row says it links.
func TestSDKProgramsParse(t *testing.T) {
	t.Parallel()
	for _, p := range sdkPrograms {
		f, err := parser.ParseFile(token.NewFileSet(), p.name+"/main.go", p.src, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", p.name, err)
			continue
		}
		var imports []string
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			imports = append(imports, path)
		}
		if got := slices.Contains(imports, "example.com/onecall/spec"); got != p.spec {
			t.Errorf("%s imports the embedded spec: %t, want %t", p.name, got, p.spec)
		}
	}
}
