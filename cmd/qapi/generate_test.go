package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the module root, relative to this package.
const repoRoot = "../.."

// execQapi runs the program in-process and returns its exit code and streams.
func execQapi(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb}
	code = m.Exec(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestGenerateHelp(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := execQapi(t, "generate", "--help")
	if code != exitOK {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitOK, stderr)
	}
	for _, want := range []string{
		"Usage: qapi generate --docs DIR... --out DIR --package NAME [--overlay FILE|DIR]... [--strict]",
		"-docs DIR", "-out DIR", "-package NAME", "-overlay FILE", "-strict",
		"api.yaml", "NAME.gen.go", "accessors.gen.go", "models and a client, no server and no embedded spec", "no output file is touched",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help does not mention %q:\n%s", want, stdout)
		}
	}
}

func TestGenerateUsageErrors(t *testing.T) {
	t.Parallel()
	docs := filepath.Join(repoRoot, "docs")
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no docs", []string{"--out", out, "--package", "p"}, "--docs DIR is required"},
		{"no out", []string{"--docs", docs, "--package", "p"}, "--out DIR is required"},
		{"no package", []string{"--docs", docs, "--out", out}, "--package NAME is required"},
		{"bad package", []string{"--docs", docs, "--out", out, "--package", "my-api"}, `"my-api" is not a Go package name`},
		{"package named for the accessors", []string{"--docs", docs, "--out", out, "--package", "accessors"}, "where the accessors go"},
		{"keyword package", []string{"--docs", docs, "--out", out, "--package", "func"}, `"func" is not a Go package name`},
		{"unknown flag", []string{"--docs", docs, "--out", out, "--package", "p", "--nope"}, "flag provided but not defined: -nope"},
		{"flag without value", []string{"--docs", docs, "--package", "p", "--out"}, "flag needs an argument: -out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := execQapi(t, append([]string{"generate"}, tt.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("usage errors wrote %d files to the output folder", len(entries))
	}
}

// TestGenerateSeed runs the command on the repository's own docs and overlays
// and expects exactly the committed api.yaml, and every declaration of the
// committed gen/qapi.gen.go word for word beside oapi-codegen's whole client,
// which gen leaves out (gen/cfg.yaml).
func TestGenerateSeed(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "new", "gen")
	code, _, stderr := execQapi(t, "generate", "--docs", filepath.Join(repoRoot, "docs"), "--overlay", filepath.Join(repoRoot, "overlays"), "--out", out, "--package", "gen")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "467 operations from 302 pages, 2 warnings") {
		t.Errorf("summary missing from stderr:\n%s", stderr)
	}
	read := func(path string) []byte {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if !bytes.Equal(read(filepath.Join(out, "api.yaml")), read(filepath.Join(repoRoot, "api.yaml"))) {
		t.Error("api.yaml differs from the committed one (stale? run go generate ./...)")
	}
	generated := declarations(t, read(filepath.Join(out, "gen.gen.go")))
	committed := declarations(t, read(filepath.Join(repoRoot, "gen", "qapi.gen.go")))
	missing := 0
	for decl := range committed {
		if !generated[decl] {
			if missing == 0 {
				t.Errorf("a declaration of gen/qapi.gen.go is not in gen.gen.go (stale? run go generate ./...):\n%s", decl)
			}
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d declarations of gen/qapi.gen.go are not in gen.gen.go", missing, len(committed))
	}
	for _, client := range []string{"type ClientWithResponses struct", "type Client struct"} {
		if !strings.Contains(string(read(filepath.Join(out, "gen.gen.go"))), client) {
			t.Errorf("gen.gen.go has no %s: qapi generate's users have no package client", client)
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Errorf("output folder holds %d entries, want api.yaml, gen.gen.go and accessors.gen.go only", len(entries))
	}
	// The accessors are gen's, but for the file they name as their source.
	_, acc, _ := strings.Cut(string(read(filepath.Join(out, "accessors.gen.go"))), "\n")
	_, committedAcc, _ := strings.Cut(string(read(filepath.Join(repoRoot, "gen", "accessors.gen.go"))), "\n")
	if acc != committedAcc {
		t.Error("accessors.gen.go differs from gen/accessors.gen.go past its first line")
	}
}

// TestGenerateFoldersAsArguments checks the form the help promises: doc
// folders after the flags, without --docs.
func TestGenerateFoldersAsArguments(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	// A folder of a few pages: what matters is that it is taken as an
	// argument, and generating the whole guide costs a minute.
	code, _, stderr := execQapi(t, "generate", "--out", out, "--package", "seed", filepath.Join(repoRoot, "docs", "rest-api-guide", "encryption-at-rest-v2"))
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, name := range []string{"api.yaml", "seed.gen.go"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}

// TestGenerateFailureLeavesOutputs checks that a failed run exits 1, names
// the problem, and leaves the files of an earlier run as they were.
func TestGenerateFailureLeavesOutputs(t *testing.T) {
	t.Parallel()
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "broken.md"), []byte("no front matter here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badOverlay := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badOverlay, []byte("overlay: 1.0.0\ninfo: {title: t, version: \"1\"}\nactions:\n  - target: $.paths[\"/nowhere\"]\n    remove: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	docs := filepath.Join(repoRoot, "docs")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"page without front matter", []string{"--docs", bad}, "broken.md:1: no front matter"},
		{"missing docs folder", []string{"--docs", filepath.Join(bad, "missing")}, "no such file or directory"},
		{"overlay that matches nothing", []string{"--docs", docs, "--overlay", badOverlay}, "bad.yaml"},
		{"strict with warnings", []string{"--docs", docs, "--overlay", filepath.Join(repoRoot, "overlays"), "--strict"}, `"TO DO" placeholder`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			old := map[string]string{"api.yaml": "earlier spec\n", "p.gen.go": "package p // earlier\n", "accessors.gen.go": "// Code generated by internal/sdkgen from p.gen.go. DO NOT EDIT.\n\npackage p // earlier\n"}
			for name, content := range old {
				if err := os.WriteFile(filepath.Join(out, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, _, stderr := execQapi(t, append([]string{"generate", "--out", out, "--package", "p"}, tt.args...)...)
			if code != exitFail {
				t.Errorf("exit %d, want %d", code, exitFail)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, stderr)
			}
			for name, content := range old {
				got, err := os.ReadFile(filepath.Join(out, name))
				if err != nil || string(got) != content {
					t.Errorf("%s was changed: %q, %v", name, got, err)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != len(old) {
				t.Errorf("output folder holds %d entries, want %d (temporary files left?)", len(entries), len(old))
			}
		})
	}
}

// corpusRevisions are the folders of ../shared/corpus the corpus tests use.
var corpusRevisions = []string{"qumulo-rest-api-guide-2024-07-18", "qumulo-rest-api-guide-2024-10-16"}

// TestGenerateCorpusCompiles generates code for each corpus revision into a
// scratch module that requires the same module versions as this one, and
// builds it with the go command.
func TestGenerateCorpusCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds about 150,000 generated lines per revision; skipped in -short mode")
	}
	corpus := filepath.Join(repoRoot, "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("corpus folder %s is absent (%v); the corpus tests need ../shared/corpus next to the repository", corpus, err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on PATH: %v", err)
	}
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	gomod = regexp.MustCompile(`(?m)^module .*$`).ReplaceAll(gomod, []byte("module example.com/corpusgen"))
	for _, rev := range corpusRevisions {
		t.Run(rev, func(t *testing.T) {
			docs := filepath.Join(corpus, rev)
			if _, err := os.Stat(docs); err != nil {
				t.Skipf("corpus revision %s is absent: %v", rev, err)
			}
			mod := t.TempDir()
			if err := os.WriteFile(filepath.Join(mod, "go.mod"), gomod, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(mod, "go.sum"), gosum, 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := execQapi(t, "generate", "--docs", docs, "--out", filepath.Join(mod, "qumulo"), "--package", "qumulo")
			if code != exitOK {
				t.Fatalf("generate exit %d; stderr tail:\n%s", code, tail(stderr, 20))
			}
			t.Log(lastLine(stderr))
			cmd := exec.Command(goTool, "build", "./...")
			cmd.Dir = mod
			cmd.Env = append(os.Environ(), "GOWORK=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build ./... of the generated package failed: %v\n%s", err, tail(string(out), 40))
			}
		})
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func lastLine(s string) string { return tail(s, 1) }

// declarations are the source texts of the top-level declarations of a Go
// file, but for its imports.
func declarations(t *testing.T, src []byte) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			continue
		}
		out[string(src[fset.Position(d.Pos()).Offset:fset.Position(d.End()).Offset])] = true
	}
	if len(out) == 0 {
		t.Fatal("no declarations")
	}
	return out
}
