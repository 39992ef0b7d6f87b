package mock

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/qapitools/qapi/internal/oas"
)

// Every secured operation of the embedded api.yaml has a decided privilege
// the guide lists, or none by decision; a user without a role is refused
// every operation that needs one, before its body is read (the requests
// carry no valid body); an Observer is refused all but the reads; an
// Administrator and the admin are refused nothing.
func TestEveryOperationHasAPrivilege(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	e := admin.srv.Mock.engine
	known := map[string]bool{}
	for _, p := range e.known {
		known[p.(string)] = true
	}
	if len(known) != 123 {
		t.Errorf("the guide lists %d privileges, want 123", len(known))
	}
	as := func(name string, roles ...string) *client {
		u := admin.do("POST", "/v1/users/", map[string]any{"name": name, "primary_group": "513", "password": name + "-Secret-1"}, nil).json(t)
		for _, role := range roles {
			if r := admin.do("POST", "/v1/auth/roles/"+role+"/members", map[string]any{"auth_id": u["id"]}, nil); r.status != http.StatusOK {
				t.Fatalf("add %s to %s: %d %s", name, role, r.status, r.body)
			}
		}
		c := &client{t: t, srv: admin.srv, http: admin.http}
		if c.token = c.login(name, name+"-Secret-1"); c.token == "" {
			t.Fatalf("%s cannot log in", name)
		}
		return c
	}
	nobody, observer, administrator := as("nobody"), as("observer", "Observers"), as("administrator", "Administrators")

	doc := admin.srv.Mock.Spec()
	param := regexp.MustCompile(`\{[^}]*\}`)
	var secured, writes, refused int
	for _, template := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		for method, op := range doc.Paths.Value(template).Operations() {
			if !oas.Secured(doc, op) {
				continue
			}
			secured++
			what := method + " " + template
			need, decided := privilegeFor(method, shapeOf(template))
			switch {
			case !decided:
				t.Errorf("%s: privilegeTable decides nothing", what)
				continue
			case need != "" && !known[need]:
				t.Errorf("%s: needs %s, which the guide does not list", what, need)
				continue
			}
			if e.needs[op] != need {
				t.Errorf("%s: the engine needs %q, the table %q", what, e.needs[op], need)
			}
			path := param.ReplaceAllString(template, "1")
			var body any
			if oas.TakesJSON(op) {
				body = "{}"
			}
			if method != http.MethodGet {
				writes++
			}
			r := nobody.do(method, path, body, nil)
			if need == "" {
				if r.status == http.StatusForbidden {
					t.Errorf("%s needs no privilege, yet a user without a role got 403: %s", what, r.body)
				}
			} else {
				wantPrivilegeRefused(t, what, r, need)
				if method != http.MethodGet {
					refused++
				}
			}
			r = observer.do(method, path, body, nil)
			if strings.HasSuffix(need, "_READ") || need == "" {
				if r.status == http.StatusForbidden {
					t.Errorf("%s needs %q, which an Observer holds, yet it got 403: %s", what, need, r.body)
				}
			} else {
				wantPrivilegeRefused(t, what+" (Observer)", r, need)
			}
			for _, c := range []*client{administrator, admin} {
				if r := c.do(method, path, body, nil); r.status == http.StatusForbidden || r.status >= 500 {
					t.Errorf("%s by an Administrator: %d %s", what, r.status, r.body)
				}
			}
		}
	}
	t.Logf("%d secured operations, %d writes, %d refused to a user without a role", secured, writes, refused)
	if secured < 400 || refused < 200 {
		t.Errorf("%d secured operations and %d writes refused: the walk missed most of the document", secured, refused)
	}
}

func wantPrivilegeRefused(t *testing.T, what string, r reply, need string) {
	t.Helper()
	if r.status != http.StatusForbidden {
		t.Errorf("%s needs %s, yet a user without it got %d: %s", what, need, r.status, r.body)
		return
	}
	if v := r.json(t); v["error_class"] != "auth_not_authorized_error" || !strings.Contains(v["description"].(string), need) {
		t.Errorf("%s: refused with %s", what, r.body)
	}
}

// The operations issue 21 found open to a user without a role, and the
// exceptions to the area rule, need the privilege a cluster checks.
func TestPrivilegeRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ method, shape, want string }{
		{"PUT", "/cluster/settings", "PRIVILEGE_CLUSTER_WRITE"},
		{"POST", "/cluster/nodes/{}/identify", "PRIVILEGE_CLUSTER_WRITE"},
		{"POST", "/shutdown/halt", "PRIVILEGE_POWER_CYCLE"},
		{"POST", "/shutdown/reboot/start", "PRIVILEGE_REBOOT_USE"},
		{"GET", "/shutdown/reboot/status", "PRIVILEGE_REBOOT_READ"},
		{"PUT", "/auth/kerberos-keytab", "PRIVILEGE_KERBEROS_KEYTAB_WRITE"},
		{"PATCH", "/support/vpn-keys", "PRIVILEGE_SUPPORT_WRITE"},
		{"PUT", "/network/interfaces/{}/networks/{}", "PRIVILEGE_NETWORK_WRITE"},
		{"GET", "/network/static-ip-allocation", "PRIVILEGE_NETWORK_IP_ALLOCATION_READ"},
		{"PUT", "/ldap/settings", "PRIVILEGE_LDAP_WRITE"},
		{"GET", "/ldap/uid-number/{}/login-name", "PRIVILEGE_LDAP_USE"},
		{"POST", "/ad/leave", "PRIVILEGE_AD_WRITE"},
		{"GET", "/ad/status", "PRIVILEGE_AD_READ"},
		{"GET", "/ad/sids/{}/uid", "PRIVILEGE_AD_USE"},
		{"POST", "/multitenancy/tenants", "PRIVILEGE_TENANT_WRITE"},
		{"POST", "/upgrade/prepare", "PRIVILEGE_UPGRADE_WRITE"},
		{"PATCH", "/time/settings", "PRIVILEGE_TIME_WRITE"},
		{"PUT", "/audit/syslog/config", "PRIVILEGE_AUDIT_WRITE"},
		{"POST", "/dns/resolve", "PRIVILEGE_DNS_USE"},
		{"POST", "/dns/clear-dns-cache", "PRIVILEGE_DNS_WRITE"},
		{"POST", "/snapshots/{}/lock", "PRIVILEGE_SNAPSHOT_LOCK"},
		{"GET", "/snapshots/{}/changes-since/{}", "PRIVILEGE_SNAPSHOT_DIFFERENCE_READ"},
		{"DELETE", "/files/{}/locks/nlm/byte-range", "PRIVILEGE_FS_LOCK_WRITE"},
		{"PATCH", "/files/{}/file-lock", "PRIVILEGE_FS_FILE_LOCK_WRITE"},
		{"POST", "/files/{}/entries", ""},
		{"POST", "/session/change-password", ""},
		{"POST", "/users/{}/setpassword", "PRIVILEGE_LOCAL_USER_WRITE"},
		{"DELETE", "/s3/buckets/{}/uploads/{}", "PRIVILEGE_S3_UPLOADS_WRITE"},
		{"POST", "/replication/source-relationships/reverse-target-relationship", "PRIVILEGE_REPLICATION_REVERSE_RELATIONSHIP"},
	} {
		if got, decided := privilegeFor(tc.method, tc.shape); got != tc.want || !decided {
			t.Errorf("%s %s needs %q (decided %v), want %q", tc.method, tc.shape, got, decided, tc.want)
		}
	}
	if _, decided := privilegeFor("GET", "/no-such-area"); decided {
		t.Error("an area the table does not name is decided")
	}
}
