package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes qapi in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut}
	code = m.Exec(context.Background(), args)
	return code, out.String(), errOut.String()
}

func writePage(t *testing.T, dir, name, text string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const goodPage = `---
category: /Things
methods:
  get:
    parameters: []
    response_body: {}
    responses:
    - code: '200'
      description: Return value on success
    summary: Get the thing.
rest_endpoint: /v1/thing
---
`

func TestConvertWritesDocument(t *testing.T) {
	t.Parallel()
	docs := t.TempDir()
	writePage(t, docs, "things/thing.md", goodPage)
	out := filepath.Join(t.TempDir(), "api.yaml")
	code, _, stderr := run(t, "convert", docs, "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("operationId: GetThing")) {
		t.Errorf("output lacks the operation:\n%s", data)
	}
	if !strings.Contains(stderr, "1 operations from 1 pages, 0 warnings") {
		t.Errorf("stderr lacks the summary: %q", stderr)
	}
}

func TestConvertToStdout(t *testing.T) {
	t.Parallel()
	docs := t.TempDir()
	writePage(t, docs, "thing.md", goodPage)
	code, stdout, stderr := run(t, "convert", "-o", "-", docs)
	if code != exitOK || !strings.HasPrefix(stdout, "openapi: \"3.0.3\"\n") {
		t.Fatalf("exit %d, stdout %.60q, stderr %q", code, stdout, stderr)
	}
}

// A bad page fails the run with every problem named by file and line, and
// the previous output survives byte for byte.
func TestConvertBadPagesLeaveOutputUntouched(t *testing.T) {
	t.Parallel()
	docs := t.TempDir()
	writePage(t, docs, "a.md", goodPage)
	writePage(t, docs, "b.md", "no front matter\n")
	writePage(t, docs, "c.md", strings.Replace(goodPage, "  get:", "  fetch:", 1))
	outDir := t.TempDir()
	out := filepath.Join(outDir, "api.yaml")
	old := []byte("previous contents\n")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "convert", docs, "-o", out)
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFail, stderr)
	}
	base := filepath.Base(docs)
	for _, want := range []string{
		base + "/b.md:1: no front matter",
		base + `/c.md:4: unknown method "fetch"`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, old) {
		t.Errorf("output changed to %q", got)
	}
	entries, _ := os.ReadDir(outDir)
	if len(entries) != 1 {
		t.Errorf("output folder holds %d entries, want only the old file (no temp files left)", len(entries))
	}
}

func TestConvertUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no command", nil, exitUsage, "no command given"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"no output", []string{"convert", "docs"}, exitUsage, "-o FILE is required"},
		{"no folder", []string{"convert", "-o", "x.yaml"}, exitUsage, "give at least one folder"},
		{"bad flag", []string{"convert", "--nope"}, exitUsage, "flag provided but not defined: -nope"},
		{"missing folder", []string{"convert", "/does/not/exist", "-o", "x.yaml"}, exitFail, "docs folder /does/not/exist: no such file or directory"},
		{"missing overlay", []string{"convert", ".", "-o", filepath.Join(t.TempDir(), "x.yaml"), "--overlay", "/no/overlay.yaml"}, exitFail, "overlay /no/overlay.yaml: no such file or directory"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, code, stderr, tt.code, tt.want)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	code, stdout, _ := run(t, "--help")
	if code != exitOK || !strings.Contains(stdout, "qapi convert DIR... -o FILE") {
		t.Errorf("qapi --help: exit %d, stdout %q", code, stdout)
	}
	code, stdout, _ = run(t, "convert", "--help")
	if code != exitOK || !strings.Contains(stdout, "-overlay FILE") || !strings.Contains(stdout, "-strict") {
		t.Errorf("qapi convert --help: exit %d, stdout %q", code, stdout)
	}
}
