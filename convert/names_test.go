package convert

import (
	"reflect"
	"regexp"
	"testing"

	"pgregory.net/rapid"
)

func TestOperationID(t *testing.T) {
	t.Parallel()
	tests := []struct{ method, path, want string }{
		{"get", "/v2/encryption/key-store", "getV2EncryptionKeyStore"},
		{"post", "/v1/session/login", "postV1SessionLogin"},
		{"get", "/v1/files/{ref}/info/acl", "getV1FilesByRefInfoAcl"},
		{"delete", "/v1/snapshots/{id}", "deleteV1SnapshotsById"},
		{"get", "/v1/smb/shares/", "getV1SmbShares"},
		{"put", "/v2/nfs/exports/{export_ref}", "putV2NfsExportsByExportRef"},
		{"patch", "/v1/file-system/settings/atime", "patchV1FileSystemSettingsAtime"},
	}
	for _, tt := range tests {
		if got := operationID(tt.method, tt.path); got != tt.want {
			t.Errorf("operationID(%q, %q) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

var identifierRe = regexp.MustCompile(`^[a-z]+[A-Za-z0-9]*$`)

// Any path template gives an operationId usable as a Go identifier once
// capitalised, and the same one each time.
func TestOperationIDIsIdentifier(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		method := rapid.SampledFrom([]string{"get", "put", "post", "patch", "delete"}).Draw(t, "method")
		segs := rapid.SliceOfN(rapid.StringMatching(`\{?[a-z][a-z0-9_.-]{0,12}\}?`), 1, 6).Draw(t, "segments")
		tmpl := "/"
		for i, s := range segs {
			if i > 0 {
				tmpl += "/"
			}
			tmpl += s
		}
		id := operationID(method, tmpl)
		if !identifierRe.MatchString(id) {
			t.Fatalf("operationID(%q, %q) = %q is not an identifier", method, tmpl, id)
		}
		if again := operationID(method, tmpl); again != id {
			t.Fatalf("operationID not stable: %q then %q", id, again)
		}
	})
}

func TestPascal(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"encryption_api_v2_key_store_response_union": "EncryptionApiV2KeyStoreResponseUnion",
		"key-store":           "KeyStore",
		"ENCRYPTION_TYPE_KMS": "EncryptionTypeKms",
		"v2":                  "V2",
		"a.b c":               "ABC",
	}
	for in, want := range tests {
		if got := pascal(in); got != want {
			t.Errorf("pascal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEnumVarNames(t *testing.T) {
	t.Parallel()
	desc := "d:\n * `KMS` - ENCRYPTION_TYPE_KMS,\n * `Local` - ENCRYPTION_TYPE_LOCAL"
	tests := []struct {
		name   string
		desc   string
		values []any
		want   []string
	}{
		{"in enum order", desc, []any{"Local", "KMS"}, []string{"EncryptionTypeLocal", "EncryptionTypeKms"}},
		{"value without a line", desc, []any{"Local", "KMS", "Other"}, nil},
		{"no lines", "Just prose.", []any{"a"}, nil},
		{"duplicate names", "* `a` - SAME,\n* `b` - SAME", []any{"a", "b"}, nil},
		{"values with spaces", "* `Not Encrypted` - ENCRYPTION_STATUS_NOT_ENCRYPTED", []any{"Not Encrypted"}, []string{"EncryptionStatusNotEncrypted"}},
	}
	for _, tt := range tests {
		if got := enumVarNames(tt.desc, tt.values); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: enumVarNames = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestCleanDescription(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"d:\n * `KMS` - ENCRYPTION_TYPE_KMS": " * `KMS` - ENCRYPTION_TYPE_KMS",
		"d: the rest":                        "the rest",
		"Whether or not:\n * `A` - X":        "Whether or not:\n * `A` - X",
		"dd: not a stub":                     "dd: not a stub",
	}
	for in, want := range tests {
		if got := cleanDescription(in); got != want {
			t.Errorf("cleanDescription(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFirstSentence(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Get the thing.":                        "Get the thing.",
		"Set it. The change applies at once.":   "Set it.",
		"No full stop":                          "No full stop",
		"Version 1.2 is here. Then more words.": "Version 1.2 is here.",
	}
	for in, want := range tests {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q, want %q", in, got, want)
		}
	}
}
