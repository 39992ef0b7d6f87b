package mock

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// keyCount is what a walk of answers found: the keys their schemas
// declare, and those of them the answers left out.
type keyCount struct {
	declared int
	absent   []string
}

// countKeys walks an answer v along its schema: every property the schema
// declares that travels in an answer (not write-only, and of a flattened
// union only the arm its discriminator selects) is a key a cluster sends.
func countKeys(ref *openapi3.SchemaRef, v any, at string, n *keyCount) {
	if ref == nil || ref.Value == nil || len(ref.Value.OneOf)+len(ref.Value.AnyOf)+len(ref.Value.AllOf) > 0 {
		return
	}
	s := ref.Value
	switch val := v.(type) {
	case map[string]any:
		expected := maps.Clone(val)
		for name, p := range s.Properties {
			if _, ok := expected[name]; !ok && p.Value != nil && !oas.WriteOnly(p.Value) {
				expected[name] = "?"
			}
		}
		oas.DropAbsentArms(s, expected)
		for _, name := range slices.Sorted(maps.Keys(expected)) {
			p := s.Properties[name]
			if p == nil || p.Value == nil || oas.WriteOnly(p.Value) {
				continue
			}
			n.declared++
			x, ok := val[name]
			if !ok {
				mark := ""
				if oas.SendsNull(s, name) {
					mark = " (a cluster sends null)"
				}
				n.absent = append(n.absent, at+"/"+name+mark)
				continue
			}
			countKeys(p, x, at+"/"+name, n)
		}
	case []any:
		for i, x := range val {
			countKeys(s.Items, x, at+"/"+strconv.Itoa(i), n)
		}
	}
}

// After the objects they describe are created, the twin's answers carry
// every key their schemas declare, null where a cluster sends null (an
// identity's uid and gid, a healthy job's last_error_message), with the
// embedded spec and with a cluster's kind of spec, which has no nullable
// marks.
func TestAnswersCarryEveryKey(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]Option{"embedded": nil, "no nullable marks": {WithSpec(withoutNullable(t))}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := setup(t, opts...)
			doc := c.srv.Mock.Spec()
			dir := c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "vol", "action": "CREATE_DIRECTORY"}, nil).json(t)["id"].(string)
			doomed := c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "doomed", "action": "CREATE_DIRECTORY"}, nil).json(t)["id"].(string)
			c.do("POST", "/v1/files/quotas/", map[string]any{"id": dir, "limit": "1000"}, nil)
			share := c.do("POST", "/v3/smb/shares/", map[string]any{"share_name": "vol", "fs_path": "/vol"}, nil).json(t)["id"]
			export := c.do("POST", "/v3/nfs/exports/", map[string]any{"export_path": "/vol", "fs_path": "/vol"}, nil).json(t)["id"]
			snap := c.do("POST", "/v3/snapshots/", map[string]any{"source_file_id": dir}, nil).json(t)["id"]
			c.do("POST", "/v1/s3/buckets/", map[string]any{"name": "media", "create_fs_path": true}, nil)
			user := c.do("POST", "/v1/users/", map[string]any{"name": "alice", "primary_group": "513"}, nil).json(t)["id"].(string)
			c.do("POST", "/v1/tree-delete/jobs/", map[string]any{"id": "/doomed"}, nil)
			var declared int
			var absent []string
			str := func(v any) string { b, _ := json.Marshal(v); return strings.Trim(string(b), `"`) }
			for _, get := range []struct{ template, path string }{
				{"/v1/files/{ref}/info/attributes", "/v1/files/" + dir + "/info/attributes"},
				{"/v1/files/quotas/{id}", "/v1/files/quotas/" + dir},
				{"/v1/files/quotas/", "/v1/files/quotas/"},
				{"/v3/smb/shares/{share_id}", "/v3/smb/shares/" + str(share)},
				{"/v3/smb/shares/", "/v3/smb/shares/"},
				{"/v3/nfs/exports/{export_id}", "/v3/nfs/exports/" + str(export)},
				{"/v3/snapshots/{id}", "/v3/snapshots/" + str(snap)},
				{"/v1/s3/buckets/", "/v1/s3/buckets/"},
				{"/v1/users/{id}", "/v1/users/" + user},
				{"/v1/tree-delete/jobs/{id}", "/v1/tree-delete/jobs/" + doomed},
				{"/v1/tree-delete/jobs/", "/v1/tree-delete/jobs/"},
				{"/v1/files/{ref}/entries/", "/v1/files/%2F/entries/"},
				{"/v2/files/{ref}/info/acl", "/v2/files/" + dir + "/info/acl"},
				{"/v2/smb/shares/{ref}", "/v2/smb/shares/vol"},
				{"/v2/nfs/exports/{ref}", "/v2/nfs/exports/%2Fvol"},
				{"/v1/users/", "/v1/users/"},
				{"/v1/groups/{id}", "/v1/groups/513"},
				{"/v1/auth/roles/{role_name}", "/v1/auth/roles/Administrators"},
				{"/v1/session/who-am-i", "/v1/session/who-am-i"},
				{"/v1/version", "/v1/version"},
				{"/v1/file-system", "/v1/file-system"},
				{"/v1/s3/settings", "/v1/s3/settings"},
				{"/v1/web-ui/settings", "/v1/web-ui/settings"},
				{"/v0/ftp/settings", "/v0/ftp/settings"},
			} {
				r := c.do("GET", get.path, nil, nil)
				if r.status != http.StatusOK {
					t.Errorf("GET %s: %d %s", get.path, r.status, r.body)
					continue
				}
				_, _, ref := oas.Success(doc.Paths.Find(get.template).Get)
				if ref == nil {
					t.Errorf("GET %s: the spec declares no answer", get.template)
					continue
				}
				var v any
				if err := json.Unmarshal(r.body, &v); err != nil {
					t.Fatalf("GET %s: %v", get.path, err)
				}
				var n keyCount
				countKeys(ref, v, get.path, &n)
				declared += n.declared
				absent = append(absent, n.absent...)
			}
			member := c.do("POST", "/v1/auth/roles/Administrators/members", map[string]any{"auth_id": user}, nil)
			var v any
			if err := json.Unmarshal(member.body, &v); err != nil {
				t.Fatalf("role member: %v: %s", err, member.body)
			}
			var n keyCount
			countKeys(doc.Components.Schemas["Identity"], v, "role member", &n)
			if m := v.(map[string]any); m["uid"] != nil || m["gid"] != nil {
				t.Errorf("a user known by auth_id, name and sid answers uid %v, gid %v, want null", m["uid"], m["gid"])
			}
			declared += n.declared
			absent = append(absent, n.absent...)
			for _, a := range absent {
				t.Errorf("absent: %s", a)
			}
			t.Logf("keys answered: %d of %d declared (%.1f%%)", declared-len(absent), declared, 100*float64(declared-len(absent))/float64(declared))
		})
	}
}
