package qapi

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/codegen"
	"github.com/qapitools/qapi/internal/sdkgen"
)

// The pipeline this test replays; generate.go must keep running exactly these.
var generateLines = []string{
	"//go:generate go run ./cmd/qapi convert docs -o api.yaml --overlay overlays",
	"//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/cfg.yaml api.yaml",
	"//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config mock/internal/server/cfg.yaml api.yaml",
	"//go:generate go run ./internal/sdkgen/cmd/sdkgen -spec api.yaml -gen gen/qapi.gen.go -out client",
}

// generated is one oapi-codegen run of generate.go: its configuration and
// the file it writes.
type generated struct{ cfg, out string }

var codeOutputs = []generated{
	{"gen/cfg.yaml", "gen/qapi.gen.go"},
	{"mock/internal/server/cfg.yaml", "mock/internal/server/server.gen.go"},
}

// TestGeneratedFilesAreCurrent fails when api.yaml or generated code no
// longer match what go generate would write from docs/, overlays/ and the
// cfg.yaml files.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	src, err := os.ReadFile("generate.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range generateLines {
		if !bytes.Contains(src, []byte(l+"\n")) {
			t.Fatalf("generate.go no longer has the line\n\t%s\nso this test does not replay go generate: update generateLines and checkGenerated", l)
		}
	}
	if err := checkGenerated("docs", "overlays", "api.yaml", codeOutputs); err != nil {
		t.Fatal(err)
	}
	if err := checkSDK("api.yaml", "gen/qapi.gen.go", "client"); err != nil {
		t.Fatal(err)
	}
}

// checkSDK regenerates the services of package client from the contract and
// package gen, and gen's accessors, as the last go:generate line does, and
// compares them with dir and the accessors beside genPath.
func checkSDK(apiPath, genPath, dir string) error {
	files, acc, err := sdkgen.Generate(apiPath, genPath)
	if err != nil {
		return fmt.Errorf("regenerate the services of %s and the accessors of %s: %w", dir, genPath, err)
	}
	if err := sdkgen.Check(dir, files); err != nil {
		return fmt.Errorf("the services of %s are stale: run go generate ./...\n%w", dir, err)
	}
	path := sdkgen.AccessorsPath(genPath)
	committed, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(acc, committed) {
		return fmt.Errorf("%s is stale: run go generate ./... (first difference at line %d)", filepath.ToSlash(path), firstDiffLine(acc, committed))
	}
	return nil
}

// TestStaleSDKIsDetected changes copies of the services' inputs and outputs
// one at a time and expects each change to be reported.
func TestStaleSDKIsDetected(t *testing.T) {
	t.Parallel()
	tests := []staleCase{
		{"unchanged copy", func(*testing.T, string) {}, ""},
		{"service edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "client", "smb_service.gen.go"), "type SMBService struct", "type SMBService2 struct")
		}, "smb_service.gen.go is stale"},
		{"service removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "client", "nfs_service.gen.go")); err != nil {
				t.Fatal(err)
			}
		}, "nfs_service.gen.go is missing"},
		{"service left over", func(t *testing.T, dir string) {
			copyPath(t, "client/nfs_service.gen.go", filepath.Join(dir, "client", "gone_service.gen.go"))
		}, "gone_service.gen.go is left over"},
		{"summary edited in api.yaml", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "api.yaml"), "summary: Add an SMB share with given options.", "summary: Add a share.")
		}, "smb_service.gen.go is stale"},
		{"accessor edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "gen", "accessors.gen.go"), "func (x *VersionInfo) GetRevisionID()", "func (x *VersionInfo) GetRevision()")
		}, "accessors.gen.go is stale"},
		{"field added to gen", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "gen", "qapi.gen.go"), "type VersionInfo struct {\n", "type VersionInfo struct {\n\tEdition *string `json:\"edition,omitempty\"`\n")
		}, "accessors.gen.go is stale"},
		{"accessors removed", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "gen", "accessors.gen.go")); err != nil {
				t.Fatal(err)
			}
		}, "accessors.gen.go"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			copyPath(t, "api.yaml", filepath.Join(dir, "api.yaml"))
			copyPath(t, "gen/qapi.gen.go", filepath.Join(dir, "gen", "qapi.gen.go"))
			copyPath(t, "gen/accessors.gen.go", filepath.Join(dir, "gen", "accessors.gen.go"))
			gens, err := filepath.Glob("client/*.gen.go")
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range gens {
				copyPath(t, g, filepath.Join(dir, g))
			}
			tt.change(t, dir)
			err = checkSDK(filepath.Join(dir, "api.yaml"), filepath.Join(dir, "gen", "qapi.gen.go"), filepath.Join(dir, "client"))
			tt.check(t, err)
		})
	}
}

// TestStaleFilesAreDetected runs the check on copies of the inputs and
// outputs, changed one at a time, and expects each change to be reported.
func TestStaleFilesAreDetected(t *testing.T) {
	t.Parallel()
	tests := []staleCase{
		{"unchanged copy", func(*testing.T, string) {}, ""},
		{"api.yaml edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "api.yaml"), "title: Qumulo Core REST API", "title: Qumulo Core REST API edited")
		}, "api.yaml is stale: run go generate ./..."},
		{"doc page edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "docs", "rest-api-guide", "session-management", "session_login.md"), "summary: Authenticate the user.", "summary: Log the user in.")
		}, "api.yaml is stale: run go generate ./..."},
		{"generated code edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "gen", "qapi.gen.go"), "package gen", "package gen // edited")
		}, "qapi.gen.go is stale: run go generate ./..."},
		{"codegen config edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "gen", "cfg.yaml"), "  client: true\n", "  client: false\n")
		}, "qapi.gen.go is stale: run go generate ./..."},
		{"mock server config edited", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "mock", "internal", "server", "cfg.yaml"), "    - GetEncryptionKeyStore\n", "")
		}, "server.gen.go is stale: run go generate ./..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			outs := make([]generated, len(codeOutputs))
			for i, o := range codeOutputs {
				outs[i] = generated{filepath.Join(dir, o.cfg), filepath.Join(dir, o.out)}
				copyPath(t, o.cfg, outs[i].cfg)
				copyPath(t, o.out, outs[i].out)
			}
			for _, p := range []string{"docs", "overlays", "api.yaml"} {
				copyPath(t, p, filepath.Join(dir, p))
			}
			tt.change(t, dir)
			err := checkGenerated(filepath.Join(dir, "docs"), filepath.Join(dir, "overlays"), filepath.Join(dir, "api.yaml"), outs)
			tt.check(t, err)
		})
	}
}

// checkGenerated rebuilds the contract from the docs folder and the overlays
// folder as the first go:generate line does, compares it with apiPath, then
// generates code from it with each configuration as the other lines do and
// compares that with the file the configuration writes.
func checkGenerated(docs, overlays, apiPath string, outs []generated) error {
	abs, err := filepath.Abs(docs)
	if err != nil {
		return err
	}
	key, err := digest("convert "+filepath.Base(abs), nil, docs, overlays)
	if err != nil {
		return err
	}
	built, err := memoized(key, func() (*convert.Built, error) {
		files, err := convert.OverlayFiles([]string{overlays})
		if err != nil {
			return nil, err
		}
		return convert.Build([]convert.Source{{Name: filepath.Base(abs), FS: os.DirFS(docs)}}, files, convert.Options{})
	})
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", apiPath, err)
	}
	committed, err := os.ReadFile(apiPath)
	if err != nil {
		return err
	}
	if !bytes.Equal(built.YAML, committed) {
		return fmt.Errorf("%s is stale: run go generate ./... (first difference at line %d)", filepath.ToSlash(apiPath), firstDiffLine(built.YAML, committed))
	}
	for _, o := range outs {
		key, err := digest("codegen", built.YAML, o.cfg)
		if err != nil {
			return err
		}
		code, err := memoized(key, func() (string, error) {
			cfg, err := codegen.LoadConfig(o.cfg)
			if err != nil {
				return "", err
			}
			return codegen.Generate(context.Background(), built.YAML, cfg)
		})
		if err != nil {
			return fmt.Errorf("regenerate %s: %w", o.out, err)
		}
		committed, err := os.ReadFile(o.out)
		if err != nil {
			return err
		}
		if code != string(committed) {
			return fmt.Errorf("%s is stale: run go generate ./... (first difference at line %d)", filepath.ToSlash(o.out), firstDiffLine([]byte(code), committed))
		}
	}
	return nil
}

// staleCase changes a copy of the generated files or their inputs and says
// what the staleness check must report.
type staleCase struct {
	name   string
	change func(t *testing.T, dir string)
	want   string // "" means fresh
}

// check fails the test unless err is what the case wants.
func (tt staleCase) check(t *testing.T, err error) {
	t.Helper()
	switch {
	case tt.want == "" && err != nil:
		t.Fatalf("fresh copy reported stale: %v", err)
	case tt.want != "" && err == nil:
		t.Fatalf("change not detected, want %q", tt.want)
	case tt.want != "" && !strings.Contains(err.Error(), tt.want):
		t.Fatalf("error %q does not say %q", err, tt.want)
	}
}

func firstDiffLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyPath(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
