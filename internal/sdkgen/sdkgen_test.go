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
		// No stutter: a verb and the area's item alone is the verb.
		{"CreateSnapshot", "Snapshots", "Create"},
		{"GetSnapshotV2", "Snapshots", "GetV2"},
		{"DeleteFile", "Files", "Delete"},
		{"ListGroupMembers", "Groups", "ListGroupMembers"},
		{"CreateFileEntry", "Files", "CreateFileEntry"},
		{"GetSnapshotUnlockChallenge", "Snapshots", "GetSnapshotUnlockChallenge"},
		{"GetSnapshotVault", "Snapshots", "GetSnapshotVault"},
		{"GetUserV", "Users", "GetUserV"},
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
	// A list that does not page returns its items; one that pages keeps its
	// answer, with paging.next, beside its Seq; a Get… keeps its answer.
	for name, want := range map[string]bool{
		"SMB.ListShares": true, "Snapshots.List": true, "NFS.ListExports": true,
		"Files.ListQuotas": false, "DNS.GetLookupOverrideConfig": false,
	} {
		if o := methods[name]; o == nil || o.Unwraps() != want {
			t.Errorf("%s unwraps its list: %v, want %v", name, o != nil && o.Unwraps(), want)
		}
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
	code := generateGen(t, spec)
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

const accessorSpec = `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/things/:
    post:
      operationId: CreateThing
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ThingPost'}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    ThingPost:
      type: object
      properties:
        name: {type: string}
    Thing:
      type: object
      required: [kind]
      properties:
        kind: {type: string}
        name: {type: string}
        tags: {type: array, items: {type: string}}
        child: {$ref: '#/components/schemas/Child'}
    Child:
      type: object
      properties:
        size: {type: integer}
`

// generateAccessors generates package gen from spec, as go generate does,
// and returns its accessors.
func generateAccessors(t *testing.T, spec string) (string, error) {
	t.Helper()
	code := generateGen(t, spec)
	doc, err := convert.Load([]byte(spec), "api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := Accessors(doc, []byte(code), "gen/qapi.gen.go")
	return string(acc), err
}

// generateGen generates package gen from spec as go generate does, with
// gen/cfg.yaml.
func generateGen(t *testing.T, spec string) string {
	t.Helper()
	cfg, err := codegen.LoadConfig("../../gen/cfg.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, err := codegen.Generate(context.Background(), []byte(spec), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestAccessors(t *testing.T) {
	t.Parallel()
	acc, err := generateAccessors(t, accessorSpec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"func (x *Thing) GetName() (v string) {\n\tif x != nil && x.Name != nil {\n\t\tv = *x.Name\n\t}\n\treturn v\n}",
		"func (x *Thing) GetTags() (v []string) {",
		// A struct is returned as the pointer, so that reads chain.
		"func (x *Thing) GetChild() *Child {\n\tif x == nil {\n\t\treturn nil\n\t}\n\treturn x.Child\n}",
		"func (x *Child) GetSize() (v int) {",
	} {
		if !strings.Contains(acc, want) {
			t.Errorf("accessors lack\n%s\nin\n%s", want, acc)
		}
	}
	for _, unwanted := range []string{
		"GetKind",             // a value field needs none
		"func (x *ThingPost)", // no answer holds it
	} {
		if strings.Contains(acc, unwanted) {
			t.Errorf("accessors have %s:\n%s", unwanted, acc)
		}
	}
}

func TestAccessorsReportCollisions(t *testing.T) {
	t.Parallel()
	spec := strings.Replace(accessorSpec, "        name: {type: string}\n        tags:", "        name: {type: string}\n        get_name: {type: string}\n        tags:", 1)
	_, err := generateAccessors(t, spec)
	if err == nil || !strings.Contains(err.Error(), "Thing.Name: Thing already has a field or method GetName") {
		t.Fatalf("err = %v, want a collision of GetName", err)
	}
}

func TestSameParam(t *testing.T) {
	t.Parallel()
	for arg, name := range map[string]string{"interfaceId": "interface_id", "id": "id", "nodeID": "node_id"} {
		if !sameParam(arg, name) {
			t.Errorf("sameParam(%q, %q) = false", arg, name)
		}
	}
	if sameParam("ref", "id") {
		t.Error("sameParam(ref, id) = true")
	}
}
