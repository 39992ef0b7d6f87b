package convert

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestOperationIDs(t *testing.T) {
	t.Parallel()
	tests := []struct{ key, want string }{
		// list, get, create, replace, update, delete
		{"get /v3/smb/shares/", "ListSMBShares"},
		{"post /v3/smb/shares/", "CreateSMBShare"},
		{"get /v3/smb/shares/{share_id}", "GetSMBShare"},
		{"put /v3/smb/shares/{share_id}", "ReplaceSMBShare"},
		{"patch /v3/smb/shares/{share_id}", "UpdateSMBShare"},
		{"delete /v3/smb/shares/{share_id}", "DeleteSMBShare"},
		// older versions of an endpoint carry their version
		{"get /v1/smb/shares/", "ListSMBSharesV1"},
		{"get /v2/smb/shares/{ref}", "GetSMBShareV2"},
		{"post /v1/s3/buckets/", "CreateS3Bucket"},
		{"delete /v3/nfs/exports/{export_id}", "DeleteNFSExport"},
		{"get /v1/smb/settings", "GetSMBSettings"},
		// actions: the verb, the resource, the rest of the segment
		{"post /v1/ad/join", "JoinAD"},
		{"post /v1/ad/dismiss-error", "DismissADError"},
		{"post /v1/cluster/nodes/{id}/identify", "IdentifyClusterNode"},
		{"post /v1/tree-delete/jobs/restart/{id}", "RestartTreeDeleteJob"},
		{"post /v1/dns/resolve/", "ResolveDNS"},
		{"post /v2/cluster/nodes/dry-run", "DryRunClusterNodes"},
		{"post /v1/users/{id}/setpassword", "SetUserPassword"},
		// a POST that is no action sets a singleton
		{"post /v1/cluster/nodes/{id}/uid-light", "SetClusterNodeUIDLight"},
		// a name longer than 44 characters drops the leading words of its resource
		{"post /v2/replication/source-relationships/reverse-target-relationship", "ReverseSourceRelationshipsTargetRelationship"},
		{"delete /v2/replication/source-relationships/{relationship_id}/queued-snapshots/{snapshot_id}", "DeleteSourceRelationshipQueuedSnapshot"},
		{"post /v2/replication/source-relationships/{id}/abort-replication", "AbortSourceRelationshipReplication"},
		{"get /v2/replication/source-relationships/{id}", "GetReplicationSourceRelationship"},
		// a word repeated is written once
		{"post /v1/dns/clear-dns-cache", "ClearDNSCache"},
		{"get /v1/auth/auth-ids/{id}/related-identities/", "ListAuthIDRelatedIdentities"},
		// a parameter the literal does not show
		{"get /v1/files/{ref}/user-metadata/", "ListFileUserMetadata"},
		{"get /v1/files/{ref}/user-metadata/{type}/", "ListFileUserMetadataByType"},
		{"get /v1/network/status/{id}", "GetNetworkStatusByID"},
		{"get /v1/ldap/login-name/{login_name}/uid-numbers", "GetLDAPLoginNameUIDNumbers"},
		{"get /v1/auth/local-username/{username}/related-identities/", "ListAuthLocalUsernameRelatedIdentities"},
		// an action named like another operation ends in Action
		{"put /v1/file-system/security/keys/{key_ref}", "ReplaceFileSystemSecurityKey"},
		{"post /v1/file-system/security/keys/{key_ref}/replace", "ReplaceFileSystemSecurityKeyAction"},
		{"get /version", "GetVersion"},
	}
	keys := make([]string, len(tests))
	for i, tt := range tests {
		keys[i] = tt.key
	}
	// The newest version of each endpoint gets the plain name.
	keys = append(keys, "get /v2/smb/shares/", "get /v3/smb/shares/{share_id}", "get /v1/file-system/security/keys/{key_ref}")
	ids := operationIDs(keys)
	for _, tt := range tests {
		if got := ids[tt.key]; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.key, got, tt.want)
		}
	}
}

var identifierRe = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)

// Any path template gives an operationId that is an exported Go
// identifier, the same one each time and whatever else is named with it.
func TestOperationIDIsIdentifier(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		method := rapid.SampledFrom([]string{"get", "put", "post", "patch", "delete"}).Draw(t, "method")
		segs := rapid.SliceOfN(rapid.StringMatching(`\{?[a-z][a-z0-9_.-]{0,12}\}?`), 1, 6).Draw(t, "segments")
		key := method + " /" + strings.Join(segs, "/")
		id := operationIDs([]string{key})[key]
		if !identifierRe.MatchString(id) {
			t.Fatalf("%s: %q is not an exported identifier", key, id)
		}
		if again := operationIDs([]string{key, "get /v9/other"})[key]; again != id {
			t.Fatalf("%s: %q, then %q next to another operation", key, id, again)
		}
	})
}

func TestGoName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"key_id":               "KeyID",
		"kms_store":            "KMSStore",
		"server_ca_cert":       "ServerCACert",
		"auth_ids":             "AuthIDs",
		"nfs4":                 "NFS4",
		"krb5i":                "Krb5I",
		"v2":                   "V2",
		"ENCRYPTION_TYPE_KMS":  "EncryptionTypeKMS",
		"a.b c":                "ABC",
		"fields_to_present_32": "FieldsToPresent32",
	}
	for in, want := range tests {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"api_smb_share":     "SMBShare",
		"encryption_api_v2": "EncryptionV2",
		"api":               "API",
	} {
		if got := typeGoName(in); got != want {
			t.Errorf("typeGoName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSingular(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"shares": "share", "policies": "policy", "statuses": "status", "status": "status",
		"addresses": "address", "chassis": "chassis", "data": "data", "matches": "match", "ips": "ip",
	} {
		if got := singular(in); got != want {
			t.Errorf("singular(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameEnum(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		constants []string
		prop      string
		want      enumType
	}{
		{"shared words", []string{"ENCRYPTION_TYPE_LOCAL", "ENCRYPTION_TYPE_KMS"}, "type",
			enumType{"EncryptionType", []string{"EncryptionTypeLocal", "EncryptionTypeKMS"}, []string{"EncryptionTypeLocal", "EncryptionTypeKMS"}}},
		{"api dropped", []string{"API_SYMLINK_TARGET_FILE", "API_SYMLINK_TARGET_DIRECTORY"}, "symlink_target_type",
			enumType{"SymlinkTarget", []string{"SymlinkTargetFile", "SymlinkTargetDirectory"}, []string{"SymlinkTargetFile", "SymlinkTargetDirectory"}}},
		{"one shared word and the property", []string{"REPLICATION_RUNNING", "REPLICATION_NOT_RUNNING"}, "job_state",
			enumType{"ReplicationState", []string{"ReplicationRunning", "ReplicationNotRunning"}, []string{"ReplicationRunning", "ReplicationNotRunning"}}},
		{"X_ALL names the type", []string{"READ", "READ_EA", "ACCESS_RIGHTS_ALL"}, "rights",
			enumType{"AccessRight", []string{"AccessRightRead", "AccessRightReadEA", "AccessRightAll"}, []string{"Read", "ReadEA", "AccessRightsAll"}}},
		{"the property names the type", []string{"LOCAL_USER", "NFS_UID", "SMB_SID"}, "id_type",
			enumType{"IDType", []string{"IDTypeLocalUser", "IDTypeNFSUID", "IDTypeSMBSID"}, []string{"LocalUser", "NFSUID", "SMBSID"}}},
		{"a vague property stays in place", []string{"ALLOWED", "DENIED"}, "type",
			enumType{"", nil, []string{"Allowed", "Denied"}}},
		{"constants alike", []string{"A_B", "A-B"}, "type", enumType{"", nil, nil}},
	}
	for _, tt := range tests {
		if got := nameEnum(tt.constants, tt.prop); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: nameEnum = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestEnumConstants(t *testing.T) {
	t.Parallel()
	desc := "d:\n * `KMS` - ENCRYPTION_TYPE_KMS,\n * `Local` - ENCRYPTION_TYPE_LOCAL"
	tests := []struct {
		name   string
		desc   string
		values []any
		want   []string
	}{
		{"in enum order", desc, []any{"Local", "KMS"}, []string{"ENCRYPTION_TYPE_LOCAL", "ENCRYPTION_TYPE_KMS"}},
		{"value without a line", desc, []any{"Local", "KMS", "Other"}, []string{"Local", "KMS", "Other"}},
		{"prose is no constant", "* `NO_AES` - Do not use AES,\n* `WANT_AES` - Prefer AES", []any{"NO_AES", "WANT_AES"}, []string{"NO_AES", "WANT_AES"}},
		{"values with spaces", "* `Not Encrypted` - ENCRYPTION_STATUS_NOT_ENCRYPTED", []any{"Not Encrypted"}, []string{"ENCRYPTION_STATUS_NOT_ENCRYPTED"}},
		{"not strings", "", []any{1.0}, nil},
	}
	for _, tt := range tests {
		if got := enumConstants(tt.desc, tt.values); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: enumConstants = %q, want %q", tt.name, got, tt.want)
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

// nameParts cuts names as oapi-codegen's regexp does, on any string.
func TestNamePartsIsTheRegexp(t *testing.T) {
	partRe := regexp.MustCompile(`[\p{Lu}\d]+([\p{Ll}\d]+|$)`)
	rapid.Check(t, func(t *rapid.T) {
		for _, s := range []string{
			rapid.StringOf(rapid.SampledFrom([]rune("aBz9Z0_- ÉéǅΣσ1\uFFFD"))).Draw(t, "name"),
			string(rapid.SliceOf(rapid.SampledFrom([]byte("aB9_\xc3\xa9\xce\xa3\xff"))).Draw(t, "bytes")), // invalid UTF-8 too
		} {
			if got, want := nameParts(s), partRe.FindAllString(s, -1); !slices.Equal(got, want) {
				t.Fatalf("nameParts(%q) = %q, the regexp cuts %q", s, got, want)
			}
		}
	})
}

func TestShortNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		parent, root string
		adds, want   []string
	}{
		// 1. words that repeat the parent's are dropped, 3. then Response
		{"ClusterCalculateNodeAddCapacityResponse", "ClusterCalculateNodeAddCapacityResponse",
			[]string{"node_add_capacity_optimized_for_fault_tolerance"},
			[]string{"ClusterCalculateNodeAddCapacityOptimizedForFaultTolerance"}},
		// 1. node repeats nodes; 2. the root replaces the parent
		{"ClusterObjectBackedNodesModifyRequestV2TargetMembership", "ClusterObjectBackedNodesModifyRequestV2",
			[]string{"node_ips_and_fault_domains", "node_ips_and_fault_domain"},
			[]string{"ClusterObjectBackedNodesModifyRequestV2IPsAndFaultDomains", "ClusterObjectBackedNodesModifyRequestV2IPsAndFaultDomain"}},
		// 3. Response dropped, for every sibling alike, also those that fit
		{"ClusterObjectBackedModifyDryRunResponse", "ClusterObjectBackedModifyDryRunResponse",
			[]string{"current_membership_item", "target_membership_item"},
			[]string{"ClusterObjectBackedModifyDryRunCurrentMembershipItem", "ClusterObjectBackedModifyDryRunTargetMembershipItem"}},
		// 4. the parent's last words dropped, its first kept
		{"AbcdefghijAbcdefghijAbcdefghijAbcdefghijAbcdefghij", "AbcdefghijAbcdefghijAbcdefghijAbcdefghijAbcdefghij",
			[]string{"klmnopqrst"},
			[]string{"AbcdefghijAbcdefghijAbcdefghijAbcdefghijKlmnopqrst"}},
		// words that all repeat the parent's stay
		{"NodeAddCapacityAbcdefghijAbcdefghijAbcdefghijAbcdefghij", "NodeAddCapacityAbcdefghijAbcdefghijAbcdefghijAbcdefghij",
			[]string{"node_add_capacity"},
			[]string{"NodeAddCapacityAbcdefghijAbcdefghijNodeAddCapacity"}},
	}
	for _, tt := range tests {
		adds := make([][]string, len(tt.adds))
		for i, a := range tt.adds {
			adds[i] = words(a)
		}
		got := shortNames(tt.parent, tt.root, adds)
		if !slices.Equal(got, tt.want) {
			t.Errorf("shortNames(%s, %s, %q) = %q, want %q", tt.parent, tt.root, tt.adds, got, tt.want)
		}
		for _, n := range got {
			if len(n) >= maxGoName {
				t.Errorf("shortNames(%s, %s, %q) gives %s, %d characters", tt.parent, tt.root, tt.adds, n, len(n))
			}
		}
	}
}
