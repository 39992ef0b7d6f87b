package sdkgen

import (
	"context"
	"strings"
	"testing"

	"github.com/qapitools/qapi/convert"
	"github.com/qapitools/qapi/internal/codegen"
)

func TestMethodName(t *testing.T) {
	t.Parallel()
	tests := []struct{ id, area, want string }{
		{"ListSMBShares", "SMB", "ListShares"},
		{"ListSMBSharesV1", "SMB", "ListSharesV1"},
		{"CreateS3Bucket", "S3", "CreateBucket"},
		{"JoinAD", "AD", "Join"},
		{"GetVersion", "Version", "Get"},
		{"CreateTreeDeleteJob", "TreeDelete", "CreateJob"},
		// Only the area's name as the path spells it: the locks of the
		// cluster and the locks of one file stay apart.
		{"ListFilesLocksSMBByteRange", "Files", "ListLocksSMBByteRange"},
		{"ListFileLocksSMBByteRange", "Files", "ListFileLocksSMBByteRange"},
		// A whole word only, and never the first.
		{"ListFilesystems", "Files", "ListFilesystems"},
		{"SMBClose", "SMB", "SMBClose"},
		{"ListNFSSMBShares", "SMB", "ListNFSSMBShares"},
	}
	for _, tt := range tests {
		if got := methodName(tt.id, tt.area); got != tt.want {
			t.Errorf("methodName(%q, %q) = %q, want %q", tt.id, tt.area, got, tt.want)
		}
	}
}

func TestBuildTheWholeContract(t *testing.T) {
	t.Parallel()
	_, p, err := Load("../../api.yaml", "../../gen/qapi.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	methods := map[string]*Op{}
	var seqs, ifMatch int
	var waits []string
	for _, o := range p.Ops() {
		methods[o.Area+"."+o.Name] = o
		if o.Seq != "" {
			seqs++
		}
		if o.IfMatch {
			ifMatch++
		}
		if o.Wait != "" {
			waits = append(waits, o.Area+"."+o.Wait)
		}
	}
	if len(methods) != 467 || len(p.Areas) != 36 {
		t.Errorf("%d methods in %d areas, want 467 in 36", len(methods), len(p.Areas))
	}
	if seqs != 23 || ifMatch != 117 {
		t.Errorf("%d iterators and %d operations with If-Match, want 23 and 117", seqs, ifMatch)
	}
	if len(waits) != 1 || waits[0] != "TreeDelete.WaitJob" {
		t.Errorf("waits %v, want TreeDelete.WaitJob", waits)
	}
	for name, id := range map[string]string{
		"SMB.ListShares":         "ListSMBShares",
		"S3.CreateBucket":        "CreateS3Bucket",
		"NFS.DeleteExport":       "DeleteNFSExport",
		"AD.Join":                "JoinAD",
		"Files.ListQuotas":       "ListFilesQuotas",
		"Encryption.GetKeyStore": "GetEncryptionKeyStore",
	} {
		if o := methods[name]; o == nil || o.ID != id {
			t.Errorf("%s is not the method of %s", name, id)
		}
	}
	if o := methods["Files.ListQuotas"]; o == nil || o.Seq != "ListQuotasSeq" || !o.HasParams() {
		t.Errorf("Files.ListQuotas does not page with its params: %+v", o)
	}
	// If-Match alone is no parameter struct: IfMatch sends it.
	if o := methods["SMB.DeleteShare"]; o == nil || !o.IfMatch || o.HasParams() {
		t.Errorf("SMB.DeleteShare takes params or no If-Match: %+v", o)
	}
}

// buildSpec plans the services of a small contract, with package gen
// generated from it as go generate does.
func buildSpec(t *testing.T, spec string) error {
	t.Helper()
	code, err := codegen.Generate(context.Background(), []byte(spec), codegen.Config("gen", convert.AddedInitialisms...))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := convert.Load([]byte(spec), "api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(doc, []byte(code))
	return err
}

const collisionSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/smb/shares/:
    get:
      operationId: ListSMBShares
      responses: {"200": {description: ok}}
  /v1/smb/other/:
    get:
      operationId: ListShares
      responses: {"200": {description: ok}}
  /v1/file-system/a:
    get:
      operationId: GetFileSystemA
      responses: {"200": {description: ok}}
  /v1/file_system/b:
    get:
      operationId: GetFileSystemB
      responses: {"200": {description: ok}}
`

func TestBuildReportsCollisions(t *testing.T) {
	t.Parallel()
	err := buildSpec(t, collisionSpec)
	if err == nil {
		t.Fatal("no error for two methods with one name")
	}
	for _, want := range []string{
		"SMBService.ListShares is the method of both ListSMBShares and ListShares",
		"areas file-system and file_system are both named FileSystem",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
