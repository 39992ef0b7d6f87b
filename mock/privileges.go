package mock

import (
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// Privileges: a local user who logged in may do what the roles it holds
// grant (identity.go), as on a cluster; the configured user, the cluster's
// admin, may do anything. An operation needs PRIVILEGE_<AREA>_READ to read
// and PRIVILEGE_<AREA>_WRITE to change what the area its path is in names,
// when the guide's list of privileges has that one. The twin maps the areas
// it keeps state for; any user who logged in may use the others (the file
// system answers to ACLs, not privileges, on a cluster too).

// privilegeAreas names the area of the shapes under each prefix; the
// longest prefix that matches wins.
var privilegeAreas = map[string]string{
	"/users":                 "LOCAL_USER",
	"/groups":                "LOCAL_GROUP",
	"/auth/roles":            "ROLE",
	"/auth/access-tokens":    "ACCESS_TOKENS",
	"/smb/shares":            "SMB_SHARE",
	"/nfs/exports":           "NFS_EXPORT",
	"/s3/buckets":            "S3_BUCKETS",
	"/s3/buckets/{}/uploads": "S3_UPLOADS",
	"/s3/access-keys":        "S3_CREDENTIALS",
	"/s3/settings":           "S3_SETTINGS",
	"/files/quotas":          "QUOTA",
	"/tree-delete":           "FS_DELETE_TREE",
	"/snapshots":             "SNAPSHOT",
	"/snapshots/policies":    "SNAPSHOT_POLICY",
	"/encryption":            "ENCRYPTION",
}

// privilegesOf lists the privileges the document knows, from the answer of
// who-am-i; none when it has no such operation.
func privilegesOf(doc *openapi3.T) []any {
	for template, item := range doc.Paths.Map() {
		if shapeOf(template) != "/session/who-am-i" || item.Get == nil {
			continue
		}
		if _, _, ref := oas.Success(item.Get); ref != nil && ref.Value != nil {
			if p := ref.Value.Properties["privileges"]; p != nil && p.Value != nil && p.Value.Items != nil && p.Value.Items.Value != nil {
				return append([]any{}, p.Value.Items.Value.Enum...)
			}
		}
	}
	return []any{}
}

// needs works out the privilege each operation of the document needs.
func needs(doc *openapi3.T, known []any) map[*openapi3.Operation]string {
	have := map[string]bool{}
	for _, p := range known {
		if s, ok := p.(string); ok {
			have[s] = true
		}
	}
	out := map[*openapi3.Operation]string{}
	for template, item := range doc.Paths.Map() {
		shape, area, longest := shapeOf(template), "", 0
		for prefix, a := range privilegeAreas {
			if (shape == prefix || strings.HasPrefix(shape, prefix+"/")) && len(prefix) > longest {
				area, longest = a, len(prefix)
			}
		}
		for method, op := range item.Operations() {
			name := "PRIVILEGE_" + area + "_WRITE"
			if method == http.MethodGet {
				name = "PRIVILEGE_" + area + "_READ"
			}
			if area != "" && have[name] {
				out[op] = name
			}
		}
	}
	return out
}

// authorize lets a local user's request through when the user is still
// there and holds the privilege the operation needs.
func (e *engine) authorize(uid string, op *openapi3.Operation) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if _, ok := e.findItem("/users", uid); !ok {
		return newError(errUnauthorized, "the user of this session is gone: log in again")
	}
	need := e.needs[op]
	if need == "" || e.privileges(uid)[need] {
		return nil
	}
	return newError(errNotAuthorized, "not authorized: this operation needs %s, which no role of the user grants", need)
}

// privileges are those the roles of a local user grant. The caller holds
// the lock.
func (e *engine) privileges(uid string) map[string]bool {
	out := map[string]bool{}
	for _, r := range e.rolesOf(uid) {
		privs, _ := objectOf(r.value)["privileges"].([]any)
		for _, p := range privs {
			if s, ok := p.(string); ok {
				out[s] = true
			}
		}
	}
	return out
}
