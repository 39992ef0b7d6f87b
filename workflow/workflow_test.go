package workflow

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
)

// The cluster says which release it runs, in the form clients parse.
func TestVersion(t *testing.T) {
	cl := connect(t)
	v := cl.must("GET", "/v1/version", nil)
	if !regexp.MustCompile(`^Qumulo Core \d+\.\d+\.\d+`).MatchString(v.str("revision_id")) {
		t.Errorf("revision_id = %q, want Qumulo Core x.y.z", v.str("revision_id"))
	}
}

// The root directory is there by path and by id, with attributes a client
// parses; a path that is not there is fs_no_such_entry_error.
func TestRootDirectory(t *testing.T) {
	cl := connect(t)
	root := cl.must("GET", "/v1/files/"+fsPath("/")+"/info/attributes", nil)
	if root.str("type") != "FS_FILE_TYPE_DIRECTORY" || root.str("path") != "/" {
		t.Fatalf("root attributes: %v", root.body)
	}
	byID := cl.must("GET", "/v1/files/"+root.str("id")+"/info/attributes", nil)
	if byID.str("path") != "/" {
		t.Errorf("root by id %s: path %q", root.str("id"), byID.str("path"))
	}
	for _, f := range []string{"size", "id", "owner"} {
		if _, err := strconv.ParseUint(root.str(f), 10, 64); err != nil {
			t.Errorf("%s = %q is not a decimal string", f, root.str(f))
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, root.str("modification_time")); err != nil {
		t.Errorf("modification_time: %v", err)
	}
	cl.refused("fs_no_such_entry_error", "GET", "/v1/files/"+fsPath("/"+scratch(t)+"/nothing")+"/info/attributes", nil)
}

// A cluster has the built-in groups; Users is auth id 513.
func TestBuiltInGroups(t *testing.T) {
	cl := connect(t)
	groups, _ := cl.must("GET", "/v1/groups/", nil).body.([]any)
	found := false
	for _, g := range groups {
		if m, _ := g.(map[string]any); m["name"] == "Users" && m["id"] == "513" {
			found = true
		}
	}
	if !found {
		t.Errorf("no Users group with id 513 in %v", groups)
	}
	if users := cl.must("GET", "/v1/groups/513", nil); users.str("name") != "Users" {
		t.Errorf("group 513 = %v", users.body)
	}
}

// A directory tree gets a quota, an NFS export and an SMB share, its user
// an S3 bucket and access keys; then a tree delete removes it, polled until
// the job is gone, and everything on it goes with it.
func TestDirectoryTreeLifecycle(t *testing.T) {
	cl := connect(t)
	cl.needWrites()
	top := scratch(t)
	dir := cl.must("POST", "/v1/files/"+fsPath("/")+"/entries/", map[string]any{"name": top, "action": "CREATE_DIRECTORY"})
	id := dir.str("id")
	t.Cleanup(func() { cl.call("DELETE", "/v1/files/"+id, nil) }) // left only if the test stops early

	// A tree: mkdir -p top/projects/alpha, a file in it.
	projects := cl.must("POST", "/v1/files/"+id+"/entries/", map[string]any{"name": "projects", "action": "CREATE_DIRECTORY"})
	cl.must("POST", "/v1/files/"+fsPath("/"+top+"/projects")+"/entries/", map[string]any{"name": "alpha", "action": "CREATE_DIRECTORY"})
	file := cl.must("POST", "/v1/files/"+fsPath("/"+top+"/projects/alpha/")+"/entries/", map[string]any{"name": "notes.txt", "action": "CREATE_FILE"})
	if file.str("path") != "/"+top+"/projects/alpha/notes.txt" || file.str("type") != "FS_FILE_TYPE_FILE" {
		t.Fatalf("created file: %v", file.body)
	}
	cl.refused("fs_entry_exists_error", "POST", "/v1/files/"+id+"/entries/", map[string]any{"name": "projects", "action": "CREATE_DIRECTORY"})
	cl.refused("fs_invalid_name_error", "POST", "/v1/files/"+id+"/entries/", map[string]any{"name": "a/b", "action": "CREATE_DIRECTORY"})
	cl.refused("fs_not_empty_error", "DELETE", "/v1/files/"+projects.str("id"), nil)
	if got := cl.must("GET", "/v1/files/"+file.str("id")+"/info/attributes", nil); got.str("path") != file.str("path") {
		t.Errorf("the file by id is at %q, by path at %q", got.str("path"), file.str("path"))
	}

	// Attributes set stay set, guarded by the ETag with its quotes stripped.
	attrs := cl.must("GET", "/v1/files/"+file.str("id")+"/info/attributes", nil)
	tag := strings.Trim(attrs.header.Get("ETag"), `"`)
	cl.must("PATCH", "/v1/files/"+file.str("id")+"/info/attributes", map[string]any{"mode": "0600"}, "If-Match", tag)
	cl.refused("rest_precondition_failed_error", "PATCH", "/v1/files/"+file.str("id")+"/info/attributes", map[string]any{"mode": "0644"}, "If-Match", tag)
	if got := cl.must("GET", "/v1/files/"+file.str("id")+"/info/attributes", nil); got.str("mode") != "0600" {
		t.Errorf("mode after PATCH = %q", got.str("mode"))
	}

	// A quota, once: the guide does not say which class a second one gets,
	// and clients branch on both.
	cl.must("POST", "/v1/files/quotas/", map[string]any{"id": id, "limit": "1000000000"})
	cl.refused("api_quotas_quota_limit_already_set_error|fs_quota_already_exists_error", "POST", "/v1/files/quotas/", map[string]any{"id": id, "limit": "2000000000"})
	if q := cl.must("GET", "/v1/files/quotas/"+id, nil); q.str("limit") != "1000000000" {
		t.Errorf("quota = %v", q.body)
	}

	// An NFS export, read back by its path; an SMB share, by its name.
	export := cl.must("POST", "/v2/nfs/exports/", map[string]any{
		"export_path": "/" + top, "fs_path": "/" + top, "description": "",
		"restrictions": []any{map[string]any{"host_restrictions": []any{}, "read_only": false, "require_privileged_port": false, "user_mapping": "NFS_MAP_NONE"}},
	})
	if got := cl.must("GET", "/v2/nfs/exports/"+fsPath("/"+top), nil); got.str("id") != export.str("id") || got.str("fs_path") != "/"+top {
		t.Errorf("export by path = %v, created %v", got.body, export.body)
	}
	cl.refused("fs_no_such_entry_error", "POST", "/v2/nfs/exports/", map[string]any{"export_path": "/" + top + "-missing", "fs_path": "/" + top + "/missing"})
	share := cl.must("POST", "/v2/smb/shares/", map[string]any{"share_name": top, "fs_path": "/" + top + "/projects", "description": ""})
	got := cl.must("GET", "/v2/smb/shares/"+top, nil)
	if got.str("id") != share.str("id") {
		t.Errorf("share by name = %v, created %v", got.body, share.body)
	}
	cl.must("PATCH", "/v2/smb/shares/"+share.str("id"), map[string]any{"description": "projects"}, "If-Match", strings.Trim(got.header.Get("ETag"), `"`))
	if v1 := cl.must("GET", "/v1/smb/shares/"+share.str("id"), nil); v1.str("description") != "projects" {
		t.Errorf("v1 of the share does not show the v2 change: %v", v1.body)
	}

	// A user with an S3 bucket and two access keys, each secret shown once.
	user := cl.must("POST", "/v1/users/", map[string]any{"name": top, "primary_group": "513", "password": "Qapi-" + top})
	cl.refused("auth_user_already_exists_error", "POST", "/v1/users/", map[string]any{"name": top, "primary_group": "513", "password": "x"})
	bucket := cl.must("POST", "/v1/s3/buckets/", map[string]any{"name": top, "path": "/" + top + "/bucket", "create_fs_path": true})
	if bucket.str("name") != top {
		t.Errorf("bucket = %v", bucket.body)
	}
	cl.refused("s3_bucket_already_exists_error", "POST", "/v1/s3/buckets/", map[string]any{"name": top, "path": "/" + top + "/bucket"})
	cl.refused("auth_no_such_user_error", "POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"name": top + "-nobody"}})
	var keys []string
	for range 2 {
		k := cl.must("POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"auth_id": user.str("id")}})
		if k.str("secret_access_key") == "" || k.str("access_key_id") == "" {
			t.Fatalf("access key = %v", k.body)
		}
		keys = append(keys, k.str("access_key_id"))
	}
	cl.refused("s3_access_key_limit_reached_error", "POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"auth_id": user.str("id")}})
	listed := cl.must("GET", "/v1/s3/access-keys/?user="+user.str("id"), nil)
	if entries, _ := listed.obj()["entries"].([]any); len(entries) != 2 {
		t.Errorf("the user's keys: %v", listed.body)
	} else if _, shown := entries[0].(map[string]any)["secret_access_key"]; shown {
		t.Errorf("a listing shows a secret: %v", listed.body)
	}

	// Take it down: keys, bucket, user, share, export; then the tree.
	for _, k := range keys {
		cl.must("DELETE", "/v1/s3/access-keys/"+k, nil)
	}
	cl.must("DELETE", "/v1/s3/buckets/"+top+"?delete-root-dir=false", nil)
	cl.refused("s3_bucket_not_found_error", "DELETE", "/v1/s3/buckets/"+top+"?delete-root-dir=false", nil)
	cl.must("DELETE", "/v1/users/"+user.str("id"), nil)
	cl.refused("auth_no_such_user_error", "GET", "/v1/users/"+user.str("id"), nil)
	cl.must("DELETE", "/v2/smb/shares/"+top, nil)
	cl.refused("rest_not_found_error", "GET", "/v2/smb/shares/"+share.str("id"), nil)
	cl.must("DELETE", "/v2/nfs/exports/"+fsPath("/"+top), nil)
	cl.refused("nfs_export_doesnt_exist_error", "GET", "/v2/nfs/exports/"+export.str("id"), nil)

	if r := cl.must("POST", "/v1/tree-delete/jobs/", map[string]any{"id": id}); r.status != http.StatusAccepted {
		t.Errorf("tree delete answered %d, want 202", r.status)
	}
	const maxPolls = 600
	for polls := 0; ; polls++ {
		if polls == maxPolls {
			t.Fatalf("the tree delete of %s did not finish in %d polls", top, maxPolls)
		}
		job, err := cl.call("GET", "/v1/tree-delete/jobs/"+id, nil)
		if err != nil {
			cl.refused("rest_not_found_error", "GET", "/v1/tree-delete/jobs/"+id, nil)
			break
		}
		if job.str("id") != id || job.str("initial_path") != "/"+top+"/" {
			t.Errorf("running job = %v", job.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cl.refused("fs_no_such_entry_error", "GET", "/v1/files/"+id+"/info/attributes", nil)
	cl.refused("fs_no_such_entry_error", "GET", "/v1/files/"+file.str("id")+"/info/attributes", nil)
	if _, err := cl.call("GET", "/v1/files/quotas/"+id, nil); err == nil {
		t.Error("the quota outlived its directory")
	}
}

// A listing pages: limit bounds a page and paging.next leads to the next,
// null on the last.
func TestPaging(t *testing.T) {
	cl := connect(t)
	cl.needWrites()
	top := scratch(t)
	dir := cl.must("POST", "/v1/files/"+fsPath("/")+"/entries/", map[string]any{"name": top, "action": "CREATE_DIRECTORY"})
	t.Cleanup(func() { cl.call("POST", "/v1/tree-delete/jobs/", map[string]any{"id": dir.str("id")}) })
	var want []string
	for i := range 5 {
		name := "f" + strconv.Itoa(i)
		cl.must("POST", "/v1/files/"+dir.str("id")+"/entries/", map[string]any{"name": name, "action": "CREATE_FILE"})
		want = append(want, name)
	}
	var got []string
	next := "/v1/files/" + dir.str("id") + "/entries/?limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > len(want) {
			t.Fatalf("more pages than entries: next %q", next)
		}
		page := cl.must("GET", next, nil)
		files, _ := page.obj()["files"].([]any)
		if len(files) > 2 {
			t.Fatalf("a page of limit 2 has %d entries", len(files))
		}
		for _, f := range files {
			got = append(got, f.(map[string]any)["name"].(string))
		}
		paging, _ := page.obj()["paging"].(map[string]any)
		next, _ = paging["next"].(string)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged through %v, want %v", got, want)
	}
}

// Optional settings may be sent as null, as Qumulo's Terraform provider
// does; the cluster takes them.
func TestOptionalSettingsNull(t *testing.T) {
	cl := connect(t)
	cl.needWrites()
	before := cl.must("GET", "/v1/web-ui/settings", nil)
	t.Cleanup(func() { cl.call("PUT", "/v1/web-ui/settings", before.body) })
	cl.must("PUT", "/v1/web-ui/settings", map[string]any{"inactivity_timeout": nil, "login_banner": nil})
	cl.must("PATCH", "/v1/web-ui/settings", map[string]any{"login_banner": nil})
	ftp := cl.must("GET", "/v0/ftp/settings", nil)
	t.Cleanup(func() { cl.call("PUT", "/v0/ftp/settings", ftp.body) })
	cl.must("PATCH", "/v0/ftp/settings", map[string]any{"anonymous_user": nil})
}

// A service account holds no role at first: it logs in, and is refused
// what it may not do (403 auth_not_authorized_error) until a role grants
// it; the read-only Observers role lets it read, not write.
func TestLeastPrivilegeUser(t *testing.T) {
	cl := connect(t)
	cl.needWrites()
	name := scratch(t)
	password := "Qapi-" + name
	user := cl.must("POST", "/v1/users/", map[string]any{"name": name, "primary_group": "513", "password": password})
	t.Cleanup(func() { cl.call("DELETE", "/v1/users/"+user.str("id"), nil) })
	svc := cl.as(name, password)
	if me := svc.must("GET", "/v1/session/who-am-i", nil); me.str("id") != user.str("id") {
		t.Errorf("who-am-i = %v, want the service account", me.body)
	}
	svc.refused("auth_not_authorized_error", "GET", "/v1/smb/shares/", nil)

	cl.must("POST", "/v1/auth/roles/Observers/members", map[string]any{"domain": "LOCAL", "auth_id": user.str("id")})
	t.Cleanup(func() { cl.call("DELETE", "/v1/auth/roles/Observers/members/"+user.str("id"), nil) })
	svc.must("GET", "/v1/smb/shares/", nil)
	svc.refused("auth_not_authorized_error", "POST", "/v2/smb/shares/", map[string]any{"share_name": name, "fs_path": "/", "description": ""})
}

// TestAccessToken gives a service account an access token, as automation
// that does not keep a password does, and uses it until it is disabled and
// deleted.
func TestAccessToken(t *testing.T) {
	cl := connect(t)
	cl.needWrites()
	name := scratch(t)
	user := cl.must("POST", "/v1/users/", map[string]any{"name": name, "primary_group": "513", "password": "Qapi-" + name})
	t.Cleanup(func() { cl.call("DELETE", "/v1/users/"+user.str("id"), nil) })
	token := cl.must("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"auth_id": user.str("id")}})
	id := token.str("id")
	t.Cleanup(func() { cl.call("DELETE", "/v1/auth/access-tokens/"+id, nil) })

	svc := cl.withToken(token.str("bearer_token"))
	if me := svc.must("GET", "/v1/session/who-am-i", nil); me.str("id") != user.str("id") {
		t.Errorf("who-am-i with the access token = %v, want the service account", me.body)
	}
	if meta := cl.must("GET", "/v1/auth/access-tokens/"+id, nil); meta.obj()["bearer_token"] != nil {
		t.Errorf("the token's metadata shows the bearer token again: %v", meta.body)
	}
	cl.must("PATCH", "/v1/auth/access-tokens/"+id, map[string]any{"enabled": false})
	if _, err := svc.call("GET", "/v1/session/who-am-i", nil); !client.IsUnauthorized(err) {
		t.Errorf("a disabled access token: %v, want 401", err)
	}
	cl.must("DELETE", "/v1/auth/access-tokens/"+id, nil)
	if _, err := svc.call("GET", "/v1/session/who-am-i", nil); !client.IsUnauthorized(err) {
		t.Errorf("a deleted access token: %v, want 401", err)
	}
}
