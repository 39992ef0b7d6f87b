package client_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// The README's three tasks. TestREADMETasks checks that the README shows
// exactly the bodies of these functions and runs them against the mock
// over TLS, as a program would run them against a cluster.

func createSMBShareOnNewDirectory(ctx context.Context, c *client.Client) error {
	dir, err := c.Files.CreateFileEntry(ctx, "/", gen.FilesCreateEntry{
		Name: client.Ptr("projects"), Action: client.Ptr(gen.CreateDirectory)})
	if err != nil {
		return err
	}
	share, err := c.SMB.CreateShare(ctx, nil, gen.SMBSharePostV3{
		ShareName: client.Ptr("projects"), FSPath: client.Ptr("/projects"),
		Description: client.Ptr("Project files")})
	if err != nil {
		return err
	}
	fmt.Printf("share %s serves directory %s\n", share.GetID(), dir.GetID())
	return nil
}

func pageThroughQuotas(ctx context.Context, c *client.Client) error {
	for q, err := range c.Files.ListQuotasSeq(ctx, &gen.ListFilesQuotasParams{Limit: client.Ptr(100)}) {
		if err != nil {
			return err
		}
		fmt.Printf("directory %s: at most %s bytes\n", q.GetID(), q.GetLimit())
	}
	return nil
}

func switchKeyStoreToKMS(ctx context.Context, c *client.Client) error {
	var pem [3][]byte
	for i, name := range []string{"kms-ca.crt", "kms-client.crt", "kms-client.key"} {
		var err error
		if pem[i], err = os.ReadFile(name); err != nil {
			return err
		}
	}
	ks, err := c.KeyStore(ctx)
	if err != nil {
		return err
	}
	return c.UseKMSKeyStore(ctx, client.KMSConfig{Hostname: "kms.example.com", KeyID: "qumulo-master-key",
		ServerCACert: string(pem[0]), ClientCert: string(pem[1]), ClientPrivateKey: string(pem[2])},
		client.IfMatch(ks.ETag())) // client.ErrPreconditionFailed if someone changed it meanwhile
}

// readmeTask matches a task's marker in the README and the Go block after it.
var readmeTask = regexp.MustCompile("(?s)<!-- task: ([A-Za-z]+) -->\\s*```go\\n(.*?)```")

func TestREADMETasks(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	bodies := functionBodies(t, "readme_test.go")
	tasks := map[string]func(context.Context, *client.Client) error{
		"createSMBShareOnNewDirectory": createSMBShareOnNewDirectory,
		"pageThroughQuotas":            pageThroughQuotas,
		"switchKeyStoreToKMS":          switchKeyStoreToKMS,
	}
	var shown []string
	for _, m := range readmeTask.FindAllSubmatch(readme, -1) {
		name, code := string(m[1]), string(m[2])
		shown = append(shown, name)
		if tasks[name] == nil {
			t.Errorf("the README shows task %s, which readme_test.go does not have", name)
			continue
		}
		if code != bodies[name] {
			t.Errorf("the README's task %s is not the body of %s in readme_test.go:\nREADME:\n%s\nreadme_test.go:\n%s", name, name, code, bodies[name])
		}
	}
	slices.Sort(shown)
	if want := []string{"createSMBShareOnNewDirectory", "pageThroughQuotas", "switchKeyStoreToKMS"}; !slices.Equal(shown, want) {
		t.Fatalf("the README shows tasks %v, want %v", shown, want)
	}

	srv := mocktest.NewServer(t, mock.WithTLS())
	c, err := client.New(srv.URL, client.WithCredentials("admin", "admin"), client.WithCABundle(srv.CertPEM))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	cert, key := kmsMaterial(t)
	dir := t.TempDir()
	for name, pem := range map[string]string{"kms-ca.crt": cert, "kms-client.crt": cert, "kms-client.key": key} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(pem), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)

	if err := createSMBShareOnNewDirectory(ctx, c); err != nil {
		t.Fatalf("create an SMB share on a new directory: %v", err)
	}
	shares, err := c.SMB.ListShares(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(shares, func(s gen.SMBShareV3) bool {
		return s.GetShareName() == "projects" && s.GetFSPath() == "/projects"
	}) {
		t.Errorf("after the task no share projects serves /projects: %+v", shares)
	}

	for _, name := range []string{"a", "b", "c"} {
		d, err := c.Files.CreateFileEntry(ctx, "/projects", gen.FilesCreateEntry{Name: client.Ptr(name), Action: client.Ptr(gen.CreateDirectory)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Files.CreateQuota(ctx, gen.FilesQuota{ID: d.ID, Limit: client.Ptr("1000000000")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pageThroughQuotas(ctx, c); err != nil {
		t.Fatalf("page through quotas: %v", err)
	}

	if err := switchKeyStoreToKMS(ctx, c); err != nil {
		t.Fatalf("switch the key store to KMS: %v", err)
	}
	ks, err := c.KeyStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if kms, ok := ks.(client.KMSKeyStore); !ok || kms.Hostname != "kms.example.com" {
		t.Errorf("after the task the key store is %#v", ks)
	}
}

// functionBodies returns the source of each function's body in file,
// without its braces and with one tab less of indentation, as the README
// shows it.
func functionBodies(t *testing.T, file string) map[string]string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		start, end := fset.Position(fn.Body.Lbrace).Offset+1, fset.Position(fn.Body.Rbrace).Offset
		var b strings.Builder
		for _, line := range strings.Split(strings.Trim(string(src[start:end]), "\n"), "\n") {
			b.WriteString(strings.TrimPrefix(line, "\t") + "\n")
		}
		bodies[fn.Name.Name] = b.String()
	}
	return bodies
}
