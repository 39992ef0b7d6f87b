package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/mock"
)

// diffCorpus is ../shared/corpus as seen from cmd/qapi.
const diffCorpus = "../../../shared/corpus"

func corpusRevision(t *testing.T, rev string) string {
	t.Helper()
	dir := filepath.Join(diffCorpus, rev)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus %s not found (%v): these tests need ../shared/corpus beside the repository", dir, err)
	}
	return dir
}

type diffJSON struct {
	Added, Removed []struct{ Method, Path, SDK string }
	Changes        []struct {
		Kind     string
		Breaking bool
	}
}

func decodeDiff(t *testing.T, stdout string) diffJSON {
	t.Helper()
	var d diffJSON
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("not the JSON report: %v\n%s", err, stdout)
	}
	return d
}

func keysOf(ops []struct{ Method, Path, SDK string }) []string {
	var keys []string
	for _, o := range ops {
		keys = append(keys, o.Method+" "+o.Path)
	}
	slices.Sort(keys)
	return keys
}

// frontMatterOps reads the operations of a folder of pages from their front
// matter alone (rest_endpoint and the methods' names), as the guide states
// them, without the converter.
func frontMatterOps(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ops := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") || d.Name() == "index.md" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rest, ok := bytes.CutPrefix(data, []byte("---\n"))
		if !ok {
			return nil
		}
		front, _, ok := bytes.Cut(rest, []byte("\n---"))
		if !ok {
			return nil
		}
		var page struct {
			RestEndpoint string               `yaml:"rest_endpoint"`
			Methods      map[string]yaml.Node `yaml:"methods"`
		}
		if err := yaml.Unmarshal(front, &page); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for m := range page.Methods {
			ops[strings.ToUpper(m)+" "+page.RestEndpoint] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ops
}

func minus(a, b map[string]bool) []string {
	var keys []string
	for k := range a {
		if !b[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// buildRevision converts a corpus revision in-process into a spec file.
func buildRevision(t *testing.T, dir string) (string, *convert.Built) {
	t.Helper()
	built, err := convert.Build([]convert.Source{{Name: filepath.Base(dir), FS: os.DirFS(dir)}}, nil, convert.Options{})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), filepath.Base(dir)+".yaml")
	if err := os.WriteFile(file, built.YAML, 0o600); err != nil {
		t.Fatal(err)
	}
	return file, built
}

// The two revisions of the guide give exactly the operations their pages
// add and remove, both ways, whether a side is a folder of pages, a spec
// file or a cluster serving it; --fail-on breaking fails on the removals.
// One test, so that each revision is converted once.
func TestDiffCorpusRevisions(t *testing.T) {
	t.Parallel()
	old, new := corpusRevision(t, "qumulo-rest-api-guide-2024-07-18"), corpusRevision(t, "qumulo-rest-api-guide-2024-10-16")
	oldOps, newOps := frontMatterOps(t, old), frontMatterOps(t, new)
	if len(minus(newOps, oldOps)) == 0 || len(minus(oldOps, newOps)) != 0 {
		t.Fatalf("the corpus changed: %d operations added, %d removed", len(minus(newOps, oldOps)), len(minus(oldOps, newOps)))
	}
	oldFile, oldBuilt := buildRevision(t, old)
	newFile, _ := buildRevision(t, new)
	expect := func(env map[string]string, from, to string, fromOps, toOps map[string]bool) string {
		t.Helper()
		code, stdout, stderr := runEnv(t, env, "diff", from, to, "--format", "json", "--fail-on", "breaking")
		if code == exitUsage {
			t.Fatalf("%s → %s: exit 2: %s", from, to, stderr)
		}
		d := decodeDiff(t, stdout)
		added, removed := minus(toOps, fromOps), minus(fromOps, toOps)
		if got := keysOf(d.Added); !slices.Equal(got, added) {
			t.Errorf("%s → %s: added %d operations, the pages add %d:\ngot  %v\nwant %v", from, to, len(got), len(added), got, added)
		}
		if got := keysOf(d.Removed); !slices.Equal(got, removed) {
			t.Errorf("%s → %s: removed %d operations, the pages remove %d:\ngot  %v\nwant %v", from, to, len(got), len(removed), got, removed)
		}
		if len(removed) > 0 && code != exitFail {
			t.Errorf("%s → %s: %d operations removed, exit %d, want 1\n%s", from, to, len(removed), code, stderr)
		}
		return stdout
	}
	// A folder of pages against a spec file, then two files back.
	expect(nil, old, newFile, oldOps, newOps)
	fromFile := expect(nil, newFile, oldFile, newOps, oldOps)

	// A cluster serving the old revision, reached over verified TLS with a
	// login, answers as the file does.
	env := tlsCluster(t, mock.WithSpec(oldBuilt.Doc))
	fromURL := expect(env, newFile, env["QUMULO_URL"], newOps, oldOps)
	if strings.Replace(fromURL, env["QUMULO_URL"], oldFile, 1) != fromFile {
		t.Errorf("the URL side answers otherwise than the file it serves")
	}
}

// A folder of pages with the overlays is the committed contract: no change,
// and --fail-on any passes.
func TestDiffDocsFolderAgainstSpecFile(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runEnv(t, nil, "diff", "../../docs/rest-api-guide", "../../api.yaml", "--overlay", "../../overlays", "--fail-on", "any")
	if code != exitOK || !strings.Contains(stdout, "0 operations added, 0 removed; 0 changes, 0 breaking") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// Identical inputs pass --fail-on breaking; the Markdown report is a
// table per area.
func TestDiffIdenticalInputs(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"diff", "../../api.yaml", "../../api.yaml", "--fail-on", "breaking"},
		{"diff", "../../api.yaml", "../../api.yaml", "--fail-on", "any", "--raw", "--format", "markdown"},
	} {
		if code, stdout, stderr := runEnv(t, nil, args...); code != exitOK {
			t.Errorf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
	}
}

// Bad sides and flags are setup errors (exit 2) naming the side.
func TestDiffUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notSpec := filepath.Join(dir, "not-a-spec.yaml")
	if err := os.WriteFile(notSpec, []byte("openapi: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := tlsCluster(t)
	untrusted := map[string]string{}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"diff", "../../api.yaml"}, "give two sides"},
		{nil, []string{"diff", "a", "b", "--format", "html"}, "--format"},
		{nil, []string{"diff", "a", "b", "--fail-on", "some"}, "--fail-on"},
		{nil, []string{"diff", filepath.Join(dir, "missing"), "../../api.yaml"}, "OLD side " + filepath.Join(dir, "missing") + ": no such file"},
		{nil, []string{"diff", "../../api.yaml", notSpec}, "NEW side " + notSpec + ": not an OpenAPI document"},
		{nil, []string{"diff", "../../api.yaml", "https://127.0.0.1:1"}, "NEW side https://127.0.0.1:1: https://127.0.0.1:1/openapi.json: dial"},
		{nil, []string{"diff", "ftp://x", "../../api.yaml"}, "OLD side ftp://x"},
		{untrusted, []string{"diff", env["QUMULO_URL"], "../../api.yaml"}, "OLD side " + env["QUMULO_URL"] + ": " + env["QUMULO_URL"] + "/openapi.json: tls: failed to verify certificate"},
	} {
		code, _, stderr := runEnv(t, tc.env, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// No secret of the settings or of the URL reaches the output, also when
// the login fails.
func TestDiffNoSecretInOutput(t *testing.T) {
	t.Parallel()
	const password, token = "pw-Zq81-secret", "access-v1:tok-Zq81-secret"
	// A small document, with the contract's login, keeps the comparisons cheap.
	small, err := openapi3.NewLoader().LoadFromFile("../../internal/apidiff/testdata/docs-like.yaml")
	if err != nil {
		t.Fatal(err)
	}
	whole, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	small.Paths.Set("/v1/session/login", whole.Paths.Value("/v1/session/login"))
	for name, ref := range whole.Components.Schemas {
		if small.Components.Schemas[name] == nil {
			small.Components.Schemas[name] = ref
		}
	}
	small.Components.Responses = whole.Components.Responses
	env := tlsCluster(t, mock.WithCredentials("ops", password), mock.WithSpec(small))
	env["QUMULO_USERNAME"], env["QUMULO_PASSWORD"] = "ops", password
	withUser := strings.Replace(env["QUMULO_URL"], "https://", "https://ops:"+password+"@", 1)
	wrong := map[string]string{"QUMULO_CA_CERT": env["QUMULO_CA_CERT"], "QUMULO_TOKEN": token}
	for _, tc := range []struct {
		env  map[string]string
		url  string
		code int
	}{{env, env["QUMULO_URL"], exitOK}, {env, withUser, exitOK}, {wrong, withUser, exitOK}} {
		code, stdout, stderr := runEnv(t, tc.env, "diff", tc.url, tc.url, "--fail-on", "any")
		if code != tc.code {
			t.Errorf("%s: exit %d\n%s", shownSide(tc.url), code, stderr)
		}
		if strings.Contains(stdout+stderr, password) || strings.Contains(stdout+stderr, "Zq81") {
			t.Errorf("a secret in the output:\n%s\n%s", stdout, stderr)
		}
	}
	env["QUMULO_PASSWORD"] = password + "-wrong"
	code, stdout, stderr := runEnv(t, env, "diff", env["QUMULO_URL"], "../../internal/apidiff/testdata/docs-like.yaml")
	if code != exitUsage || !strings.Contains(stderr, `log in as "ops"`) || strings.Contains(stdout+stderr, "Zq81") {
		t.Errorf("wrong password: exit %d\n%s", code, stderr)
	}
}
