package main

import (
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// The SDK section builds its programs only under make bench: parse them
// here, and check that each uses the package its row says it uses.
func TestSDKProgramsParse(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"net/http only":                       "",
		"gen (types and request builders)":    "github.com/qapitools/qapi/gen",
		"client (the SDK)":                    "github.com/qapitools/qapi/client",
		"client, if gen had the whole client": "github.com/qapitools/qapi/client",
	}
	for _, p := range sdkPrograms {
		f, err := parser.ParseFile(token.NewFileSet(), p.name+"/main.go", p.src, 0)
		if err != nil {
			t.Errorf("%s: %v", p.name, err)
			continue
		}
		var qapi []string
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(path, "github.com/qapitools/") {
				qapi = append(qapi, path)
			}
		}
		pkg, ok := want[p.name]
		if !ok {
			t.Errorf("%s: a row this test does not know", p.name)
		}
		if got := strings.Join(qapi, " "); got != pkg {
			t.Errorf("%s imports %q, want %q", p.name, got, pkg)
		}
		if p.wholeClient && p.src != clientProgram {
			t.Errorf("%s is not the client program built with another gen", p.name)
		}
	}
}
