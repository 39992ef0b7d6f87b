package mock

import (
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// Privileges: a local user who logged in may do what the roles it holds
// grant (identity.go), as on a cluster; the configured user, the cluster's
// admin, may do anything. A cluster checks the privilege before it reads
// the request body, so a user without it is refused with 403
// auth_not_authorized_error whatever it sends (the twin's assumption: an
// unauthorized caller learns nothing of what a valid request looks like).
//
// The privilege each operation needs is derived from the guide's list of
// privileges (the Privilege enum of api.yaml, 123 values, whose
// descriptions say what each covers) and the operation's shape, its path
// without version or parameter names, by one rule:
//
//   - the longest prefix of the shape that privilegeTable names decides; a
//     key that starts with a method decides for that method only and wins
//     over the same prefix without one;
//   - an area, such as NETWORK, needs PRIVILEGE_NETWORK_READ for a GET and
//     PRIVILEGE_NETWORK_WRITE for any other method;
//   - a privilege, such as PRIVILEGE_AD_USE, is needed by every method: the
//     exceptions, where the area's name and the privilege's differ (AD
//     lookups, DNS resolution, halting, locking snapshots);
//   - "" needs no privilege: the file system answers to ACLs, not
//     privileges, and a user's own session is its own.
//
// An operation the table does not decide, or decides with a privilege the
// document does not list, needs every privilege the document lists, so
// only an Administrator may use it: the twin fails closed where it cannot
// tell what a cluster checks. TestEveryOperationHasAPrivilege holds every
// operation of the embedded api.yaml to a decision.
var privilegeTable = map[string]string{
	"/ad":                               "AD",
	"GET /ad/distinguished-names":       "PRIVILEGE_AD_USE",
	"GET /ad/gids":                      "PRIVILEGE_AD_USE",
	"GET /ad/sids":                      "PRIVILEGE_AD_USE",
	"GET /ad/uids":                      "PRIVILEGE_AD_USE",
	"GET /ad/usernames":                 "PRIVILEGE_AD_USE",
	"/analytics":                        "ANALYTICS",
	"/audit":                            "AUDIT",
	"/auth/access-tokens":               "ACCESS_TOKENS",
	"/auth/auth-ids":                    "PRIVILEGE_IDENTITY_READ",
	"/auth/clear-cache":                 "PRIVILEGE_IDENTITY_WRITE",
	"/auth/identities":                  "IDENTITY",
	"/auth/identity":                    "PRIVILEGE_IDENTITY_READ", // expand and find look up, change nothing
	"/auth/kerberos-keytab":             "KERBEROS_KEYTAB",
	"/auth/kerberos-settings":           "KERBEROS_SETTINGS",
	"/auth/local-username":              "PRIVILEGE_IDENTITY_READ",
	"/auth/posix-gids":                  "PRIVILEGE_IDENTITY_READ",
	"/auth/posix-uids":                  "PRIVILEGE_IDENTITY_READ",
	"/auth/privileges":                  "PRIVILEGE_ROLE_READ",
	"/auth/roles":                       "ROLE",
	"/auth/sids":                        "PRIVILEGE_IDENTITY_READ",
	"/auth/user-defined-mappings":       "IDENTITY_MAPPING",
	"/cluster":                          "CLUSTER", // settings (the name), nodes, LEDs, SSL
	"/dns":                              "DNS",
	"POST /dns/resolve":                 "PRIVILEGE_DNS_USE",
	"POST /dns/resolve-ips-to-names":    "PRIVILEGE_DNS_USE",
	"POST /dns/resolve-names-to-ips":    "PRIVILEGE_DNS_USE",
	"/encryption":                       "ENCRYPTION",
	"/file-system":                      "PRIVILEGE_FS_ATTRIBUTES_READ", // GET /file-system: statistics
	"/file-system/security/keys":        "FS_KEY_MANAGEMENT",
	"/file-system/settings":             "FS_SETTINGS",
	"/files/locks":                      "FS_LOCK",
	"/files/quotas":                     "QUOTA",
	"/files/resolve":                    "", // answers the paths of ids the caller may see
	"/files/{}":                         "", // ACLs
	"/files/{}/file-lock":               "PRIVILEGE_FS_FILE_LOCK_WRITE",
	"/files/{}/locks":                   "FS_LOCK",
	"/ftp":                              "FTP",
	"/groups":                           "LOCAL_GROUP",
	"/identity":                         "PRIVILEGE_IDENTITY_READ", // expand and find look up, change nothing
	"/ldap":                             "LDAP",
	"/ldap/login-name":                  "PRIVILEGE_LDAP_USE",
	"/ldap/uid-number":                  "PRIVILEGE_LDAP_USE",
	"/license":                          "LICENSE",
	"/metrics":                          "METRICS",
	"/multitenancy/nfs":                 "NFS_EXPORT", // NFS_SETTINGS is internal-only
	"/multitenancy/smb":                 "SMB_SHARE",  // SMB_SHARE covers SMB server settings
	"/multitenancy/tenants":             "TENANT",
	"/network":                          "NETWORK",
	"/network/floating-ip-allocation":   "PRIVILEGE_NETWORK_IP_ALLOCATION_READ",
	"/network/static-ip-allocation":     "PRIVILEGE_NETWORK_IP_ALLOCATION_READ",
	"/nfs":                              "NFS_EXPORT", // NFS_SETTINGS is internal-only
	"/node/state":                       "PRIVILEGE_CLUSTER_READ",
	"/object-storage":                   "OBJECT_STORAGE_URIS",
	"/portal/hubs":                      "PORTAL_HUB",
	"/portal/spokes":                    "PORTAL_SPOKE",
	"POST /portal/spokes/{}/evict-data": "PRIVILEGE_PORTAL_SPOKE_EVICT",
	"POST /portal/spokes/{}/evict-link": "PRIVILEGE_PORTAL_SPOKE_EVICT",
	"POST /portal/spokes/{}/evict-tree": "PRIVILEGE_PORTAL_SPOKE_EVICT",
	"/replication/object-relationships": "REPLICATION_OBJECT",
	"/replication/source-relationships": "REPLICATION_SOURCE",
	"/replication/source-relationships/reverse-target-relationship": "PRIVILEGE_REPLICATION_REVERSE_RELATIONSHIP",
	"/replication/target-relationships":                             "REPLICATION_TARGET",
	"/s3/access-keys":                                               "S3_CREDENTIALS",
	"/s3/buckets":                                                   "S3_BUCKETS",
	"/s3/buckets/{}/policy/explain-access":                          "PRIVILEGE_S3_BUCKETS_READ",
	"/s3/buckets/{}/uploads":                                        "S3_UPLOADS",
	"/s3/settings":                                                  "S3_SETTINGS",
	"/saml":                                                         "SAML_SETTINGS",
	"/session":                                                      "", // the caller's own identity, roles and password
	"/shutdown/halt":                                                "PRIVILEGE_POWER_CYCLE",
	"/shutdown/reboot":                                              "PRIVILEGE_REBOOT_USE",
	"GET /shutdown/reboot":                                          "PRIVILEGE_REBOOT_READ",
	"/smb":                                                          "SMB_SHARE", // shares and server settings
	"/smb/files":                                                    "SMB_FILE_HANDLE",
	"/smb/sessions":                                                 "SMB_SESSION",
	"/snapshots":                                                    "SNAPSHOT",
	"/snapshots/calculate-used-capacity":                            "PRIVILEGE_SNAPSHOT_CALCULATE_USED_CAPACITY_READ",
	"/snapshots/policies":                                           "SNAPSHOT_POLICY",
	"/snapshots/{}/changes-since":                                   "PRIVILEGE_SNAPSHOT_DIFFERENCE_READ",
	"/snapshots/{}/lock":                                            "PRIVILEGE_SNAPSHOT_LOCK",
	"/snapshots/{}/unlock":                                          "PRIVILEGE_SNAPSHOT_LOCK",
	"/snapshots/{}/unlock-challenge":                                "PRIVILEGE_SNAPSHOT_LOCK",
	"/support":                                                      "SUPPORT", // settings and VPN keys
	"/time":                                                         "TIME",
	"/tree-delete":                                                  "FS_DELETE_TREE",
	"/unconfigured":                                                 "UNCONFIGURED_NODE",
	"/upgrade":                                                      "UPGRADE",
	"/users":                                                        "LOCAL_USER",
	"/web-ui":                                                       "WEB_UI_SETTINGS", // its GET is not secured
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

// privilegeFor decides, by privilegeTable, the privilege an operation on a
// shape needs: "" for none; decided is false when the table says nothing.
func privilegeFor(method, shape string) (need string, decided bool) {
	longest := -1
	for key, v := range privilegeTable {
		prefix, forMethod := key, false
		if m, p, ok := strings.Cut(key, " "); ok {
			if m != method {
				continue
			}
			prefix, forMethod = p, true
		}
		if shape != prefix && !strings.HasPrefix(shape, prefix+"/") {
			continue
		}
		// A method's key beats the same prefix without one.
		n := 2 * len(prefix)
		if forMethod {
			n++
		}
		if n > longest {
			longest, need = n, v
		}
	}
	if longest < 0 {
		return "", false
	}
	if need == "" || strings.HasPrefix(need, "PRIVILEGE_") {
		return need, true
	}
	if method == http.MethodGet {
		return "PRIVILEGE_" + need + "_READ", true
	}
	return "PRIVILEGE_" + need + "_WRITE", true
}

// allPrivileges marks an operation that needs every privilege the document
// lists (see privilegeTable).
const allPrivileges = "*"

// needs works out the privilege each operation of the document needs: ""
// for none, allPrivileges for one the table cannot decide.
func needs(doc *openapi3.T, known []any) map[*openapi3.Operation]string {
	have := map[string]bool{}
	for _, p := range known {
		if s, ok := p.(string); ok {
			have[s] = true
		}
	}
	out := map[*openapi3.Operation]string{}
	for template, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			need, decided := privilegeFor(method, shapeOf(template))
			if !decided || (need != "" && !have[need]) {
				need = allPrivileges
			}
			out[op] = need
		}
	}
	return out
}

// authorize lets a local user's request through when the user is still
// there and holds the privilege the operation needs.
func (e *engine) authorize(uid string, op *openapi3.Operation) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if _, ok := e.userByID(uid); !ok {
		return newError(errUnauthorized, "the user of this session is gone: log in again")
	}
	need := e.needs[op]
	if need == "" {
		return nil
	}
	held := e.privileges(uid)
	if need != allPrivileges {
		if held[need] {
			return nil
		}
		return newError(errNotAuthorized, "not authorized: this operation needs %s, which no role of the user grants", need)
	}
	for _, p := range e.known {
		if s, _ := p.(string); !held[s] {
			return newError(errNotAuthorized, "not authorized: the twin knows no privilege for this operation, so it needs every one (%s is not granted)", s)
		}
	}
	return nil
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
