package qapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"testing"
	"time"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/gen"
)

// The generated client for the seed is usable as the overlays promise: an
// integer port, a Local/KMS union with a discriminator, named enum constants.
// These lines fail to compile when gen loses them.
var (
	_ int64                       = gen.EncryptionV2KeyStoreResponseUnionKMSStore{}.Port
	_ *int64                      = gen.EncryptionV2PutKeyStoreUnionKMSStore{}.Port
	_ gen.EncryptionStatus        = gen.EncryptionStatusEncrypted
	_ func() (interface{}, error) = gen.EncryptionV2KeyStoreResponseUnion{}.ValueByDiscriminator
	// Every arm of both key-store unions has the one EncryptionType.
	_ gen.EncryptionType = gen.EncryptionV2KeyStoreResponseLocal{}.Type
	_ gen.EncryptionType = gen.EncryptionV2KeyStoreResponseKMS{}.Type
	_ gen.EncryptionType = gen.EncryptionV2PutKeyStoreLocal{}.Type
	_ gen.EncryptionType = gen.EncryptionV2PutKeyStoreKMS{}.Type
	// The whole API, named and typed as convert's rule says: query
	// parameters typed from the pages' wording, RFC 3339 times, copies of a
	// server type as that type, numbers as integers but for fractions.
	_ *int                                                          = gen.GetFileDataParams{}.Snapshot
	_ *int64                                                        = gen.GetFileDataParams{}.Offset
	_ *bool                                                         = gen.CreateSMBShareParams{}.AllowFSPathCreate
	_ *time.Time                                                    = gen.FilesAttributes{}.ModificationTime
	_ *int64                                                        = gen.SnapshotInfo{}.ID
	_ *int64                                                        = gen.FilesAttributes{}.ChildCount
	_ *float64                                                      = gen.PortalEvictionSettings{}.FreeThreshold
	_ *[]gen.SMBShareV3                                             = gen.SMBSharesV3{}.Entries
	_ func(string, *gen.ListSMBSharesParams) (*http.Request, error) = gen.NewListSMBSharesRequest
)

// Sharing EncryptionType must not widen the arms: each arm's type accepts
// only the value that the discriminator maps to it, so a validator that
// ignores the discriminator still finds exactly one arm, and a Local body
// never passes as the KMS arm.
func TestKeyStoreArmsAreDisjoint(t *testing.T) {
	t.Parallel()
	doc, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	for _, union := range []string{"EncryptionV2KeyStoreResponseUnion", "EncryptionV2PutKeyStoreUnion"} {
		u := doc.Components.Schemas[union].Value
		for _, arm := range u.OneOf {
			typ := arm.Value.Properties["type"].Value
			for value, target := range u.Discriminator.Mapping {
				err := typ.VisitJSON(value)
				if want := target.Ref == arm.Ref; (err == nil) != want {
					t.Errorf("%s: %s accepts type %q: %v, want %v", union, arm.Ref, value, err == nil, want)
				}
			}
		}
	}
}

func TestPrivateKeyIsWriteOnly(t *testing.T) {
	t.Parallel()
	doc, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	key := doc.Components.Schemas["EncryptionV2PutKeyStoreUnionKMSStore"].Value.Properties["client_private_key"].Value
	if !key.WriteOnly || key.Format != "password" {
		t.Errorf("client_private_key: writeOnly %v, format %q; want writeOnly and password", key.WriteOnly, key.Format)
	}
}

func TestUnionRoundTrip(t *testing.T) {
	t.Parallel()
	key := "-----BEGIN PRIVATE KEY-----"
	var put gen.EncryptionV2PutKeyStoreUnion
	if err := put.FromEncryptionV2PutKeyStoreKMS(gen.EncryptionV2PutKeyStoreKMS{KMSStore: gen.EncryptionV2PutKeyStoreUnionKMSStore{ClientPrivateKey: &key}}); err != nil {
		t.Fatal(err)
	}
	v, err := put.ValueByDiscriminator()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.(gen.EncryptionV2PutKeyStoreKMS); !ok {
		t.Fatalf("ValueByDiscriminator = %T, want the KMS arm", v)
	}
}

// gen has no float32 and no anonymous struct types: every object in the
// contract is a named type.
func TestGeneratedTypesAreNamed(t *testing.T) {
	t.Parallel()
	for _, ts := range genTypes(t) {
		ast.Inspect(ts.Type, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Ident:
				if x.Name == "float32" {
					t.Errorf("type %s uses float32", ts.Name.Name)
				}
			case *ast.StructType:
				if x != ts.Type {
					t.Errorf("type %s has an anonymous struct", ts.Name.Name)
				}
			}
			return true
		})
	}
}

// TestGeneratedTypeNamesAreShort guards convert's rule that keeps every
// schema name and operationId short: no type of gen reaches 60 characters.
func TestGeneratedTypeNamesAreShort(t *testing.T) {
	t.Parallel()
	for _, ts := range genTypes(t) {
		if name := ts.Name.Name; len(name) >= 60 {
			t.Errorf("type %s has %d characters", name, len(name))
		}
	}
}

// genTypes parses gen/qapi.gen.go and returns its type declarations.
func genTypes(t *testing.T) []*ast.TypeSpec {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "gen/qapi.gen.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*ast.TypeSpec
	for _, decl := range f.Decls {
		if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
			for _, spec := range gd.Specs {
				out = append(out, spec.(*ast.TypeSpec))
			}
		}
	}
	return out
}
