package mock

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A local user with a password logs in and may do what its roles grant:
// without a role it reads its own identity and is refused the rest with
// 403 auth_not_authorized_error; in Observers it reads but does not write;
// deleted, its session ends.
func TestLocalUserPrivileges(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	user := admin.do("POST", "/v1/users/", map[string]any{"name": "operator", "primary_group": "513", "password": "Op-secret-1"}, nil).json(t)
	if _, shown := user["password"]; shown {
		t.Errorf("the create answers the password: %v", user)
	}
	wantError(t, admin.do("POST", "/v1/session/login", map[string]any{"username": "operator", "password": "wrong"}, map[string]string{"Authorization": ""}),
		http.StatusUnauthorized, "auth_invalid_credentials_error")
	op := &client{t: t, srv: admin.srv, http: admin.http}
	if op.token = op.login("operator", "Op-secret-1"); op.token == "" {
		t.Fatal("the local user cannot log in")
	}
	me := op.do("GET", "/v1/session/who-am-i", nil, nil).json(t)
	if me["name"] != "operator" || len(me["privileges"].([]any)) != 0 {
		t.Errorf("who-am-i = %v", me)
	}
	wantError(t, op.do("GET", "/v1/users/", nil, nil), http.StatusForbidden, "auth_not_authorized_error")
	wantError(t, op.do("POST", "/v1/s3/buckets/", map[string]any{"name": "b", "create_fs_path": true}, nil), http.StatusForbidden, "auth_not_authorized_error")
	if r := op.do("GET", "/v1/files/%2F/info/attributes", nil, nil); r.status != http.StatusOK {
		t.Errorf("the file system answers to ACLs, not privileges: %d", r.status)
	}

	admin.do("POST", "/v1/auth/roles/observers/members", map[string]any{"name": "operator"}, nil)
	if roles := op.do("GET", "/v1/session/roles", nil, nil).body; string(roles) != "[\"Observers\"]\n" {
		t.Errorf("session roles = %s", roles)
	}
	if r := op.do("GET", "/v1/users/", nil, nil); r.status != http.StatusOK {
		t.Errorf("an Observer reads users: %d %s", r.status, r.body)
	}
	privs := op.do("GET", "/v1/session/who-am-i", nil, nil).json(t)["privileges"].([]any)
	if !slices.Contains(privs, any("PRIVILEGE_LOCAL_USER_READ")) || slices.Contains(privs, any("PRIVILEGE_LOCAL_USER_WRITE")) {
		t.Errorf("an Observer's privileges: %v", privs)
	}
	wantError(t, op.do("POST", "/v1/users/", map[string]any{"name": "x", "primary_group": "513"}, nil), http.StatusForbidden, "auth_not_authorized_error")

	// Through the Administrators group, it may do anything.
	admin.do("POST", "/v1/groups/512/members/", map[string]any{"member_id": user["id"]}, nil)
	if r := op.do("POST", "/v1/users/", map[string]any{"name": "x", "primary_group": "513"}, nil); r.status != http.StatusOK {
		t.Errorf("an Administrator creates a user: %d %s", r.status, r.body)
	}

	admin.do("POST", "/v1/users/"+user["id"].(string)+"/setpassword", map[string]any{"new_password": "Op-secret-2"}, nil)
	if op.login("operator", "Op-secret-1") != "" || op.login("operator", "Op-secret-2") == "" {
		t.Error("setpassword did not change the password")
	}
	admin.do("DELETE", "/v1/users/"+user["id"].(string), nil, nil)
	wantError(t, op.do("GET", "/v1/session/who-am-i", nil, nil), http.StatusUnauthorized, "http_unauthorized_error")
	if op.login("operator", "Op-secret-2") != "" {
		t.Error("a deleted user logs in")
	}
	// The configured user may do anything, whatever the roles say.
	if me := admin.do("GET", "/v1/session/who-am-i", nil, nil).json(t); len(me["privileges"].([]any)) < 100 {
		t.Errorf("the admin's privileges: %v", me["privileges"])
	}
}

// Natural keys are unique: user, group, role (without case, as the guide
// says) names, SMB share names, NFS export paths and a directory's quota;
// references name what exists.
func TestIdentityAndShareKeys(t *testing.T) {
	t.Parallel()
	c := setup(t)
	for _, tc := range []struct {
		path   string
		body   map[string]any
		status int
		class  string
	}{
		{"/v1/users/", map[string]any{"name": "admin", "primary_group": "513"}, http.StatusConflict, "auth_user_already_exists_error"},
		{"/v1/groups/", map[string]any{"name": "Users"}, http.StatusBadRequest, "rest_invalid_request_error"},
		{"/v1/auth/roles/", map[string]any{"name": "OBSERVERS", "description": "", "privileges": []any{}}, http.StatusBadRequest, "rest_invalid_request_error"},
		{"/v1/auth/roles/", map[string]any{"name": "two words", "description": "", "privileges": []any{}}, http.StatusBadRequest, "rest_invalid_request_error"},
		{"/v2/nfs/exports/", map[string]any{"export_path": "/", "fs_path": "/"}, http.StatusBadRequest, "rest_invalid_request_error"},
		{"/v2/nfs/exports/", map[string]any{"export_path": "/missing", "fs_path": "/missing"}, http.StatusNotFound, "fs_no_such_entry_error"},
		{"/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"name": "nobody"}}, http.StatusNotFound, "auth_no_such_user_error"},
		{"/v1/auth/roles/Observers/members", map[string]any{"name": "nobody"}, http.StatusNotFound, "auth_no_such_user_error"},
		{"/v1/s3/access-keys/", map[string]any{"user": map[string]any{"auth_id": "4242"}}, http.StatusNotFound, "auth_no_such_user_error"},
		{"/v1/files/quotas/", map[string]any{"id": "4242", "limit": "1"}, http.StatusNotFound, "fs_no_such_entry_error"},
	} {
		wantError(t, c.do("POST", tc.path, tc.body, nil), tc.status, tc.class)
	}
	// The guide does not say which class a second quota on a directory
	// gets; the twin answers the REST layer's.
	c.do("POST", "/v1/files/quotas/", map[string]any{"id": "2", "limit": "1000"}, nil)
	wantError(t, c.do("POST", "/v1/files/quotas/", map[string]any{"id": "2", "limit": "2000"}, nil), http.StatusConflict, "api_quotas_quota_limit_already_set_error")
	c.do("POST", "/v2/smb/shares/", map[string]any{"share_name": "projects", "fs_path": "/"}, nil)
	wantError(t, c.do("POST", "/v1/smb/shares/", map[string]any{"share_name": "projects", "fs_path": "/"}, nil), http.StatusBadRequest, "rest_invalid_request_error")
	if r := c.do("GET", "/v1/auth/roles/ADMINISTRATORS", nil, nil); r.status != http.StatusOK || len(r.json(t)["privileges"].([]any)) < 100 {
		t.Errorf("a role by its name in another case: %d %s", r.status, r.body)
	}
	if m := c.do("GET", "/v1/auth/roles/Administrators/members/512", nil, nil).json(t); m["name"] != "Administrators" || m["domain"] != "LOCAL" {
		t.Errorf("the Administrators role's member: %v", m)
	}
}

// An access token authenticates as its user, as automation uses it instead
// of logging in, until it is disabled, expires or is deleted; its bearer
// token is shown once, on creation.
func TestAccessTokenAuthenticates(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	admin.do("POST", "/v1/users/", map[string]any{"name": "bot", "primary_group": "513", "password": "Bot-secret-1"}, nil)
	created := admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"name": "bot"}}, nil).json(t)
	tok, _ := created["bearer_token"].(string)
	id, _ := created["id"].(string)
	if !strings.HasPrefix(tok, "access-v1:") || id == "" {
		t.Fatalf("create answered %v", created)
	}
	for _, r := range []reply{admin.do("GET", "/v1/auth/access-tokens/", nil, nil), admin.do("GET", "/v1/auth/access-tokens/"+id, nil, nil)} {
		if strings.Contains(string(r.body), tok) || r.status != http.StatusOK {
			t.Errorf("a read after the create: %d %s", r.status, r.body)
		}
	}
	meta := admin.do("GET", "/v1/auth/access-tokens/"+id, nil, nil).json(t)
	if user, _ := meta["user"].(map[string]any); user["name"] != "bot" || meta["enabled"] != true {
		t.Errorf("metadata = %v", meta)
	}

	bot := &client{t: t, srv: admin.srv, http: admin.http, token: tok}
	if me := bot.do("GET", "/v1/session/who-am-i", nil, nil).json(t); me["name"] != "bot" {
		t.Errorf("who-am-i with the access token = %v", me)
	}
	wantError(t, bot.do("GET", "/v1/users/", nil, nil), http.StatusForbidden, "auth_not_authorized_error")

	admin.do("PATCH", "/v1/auth/access-tokens/"+id, map[string]any{"enabled": false}, nil)
	wantError(t, bot.do("GET", "/v1/session/who-am-i", nil, nil), http.StatusUnauthorized, "http_unauthorized_error")
	admin.do("PATCH", "/v1/auth/access-tokens/"+id, map[string]any{"enabled": true}, nil)
	if r := bot.do("GET", "/v1/session/who-am-i", nil, nil); r.status != http.StatusOK {
		t.Errorf("re-enabled token: %d %s", r.status, r.body)
	}
	admin.do("DELETE", "/v1/auth/access-tokens/"+id, nil, nil)
	wantError(t, bot.do("GET", "/v1/session/who-am-i", nil, nil), http.StatusUnauthorized, "http_unauthorized_error")

	expired := admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"name": "bot"}, "expiration_time": "2000-01-01T00:00:00Z"}, nil).json(t)
	old := &client{t: t, srv: admin.srv, http: admin.http, token: expired["bearer_token"].(string)}
	wantError(t, old.do("GET", "/v1/session/who-am-i", nil, nil), http.StatusUnauthorized, "http_unauthorized_error")
	wantError(t, admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"name": "nobody"}}, nil), http.StatusNotFound, "auth_no_such_user_error")
	wantError(t, admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"name": "bot"}, "expiration_time": "tomorrow"}, nil), http.StatusBadRequest, "rest_invalid_request_error")
}

// Tokens created and deleted in a loop leave no digest behind past a bound.
func TestDeletedAccessTokensAreForgotten(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	for range 100 {
		id := admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"name": "admin"}}, nil).json(t)["id"].(string)
		admin.do("DELETE", "/v1/auth/access-tokens/"+id, nil, nil)
	}
	e := admin.srv.Mock.engine
	defer e.lock()()
	if n := len(e.accessTokens); n > 17 {
		t.Errorf("%d digests kept for no live token", n)
	}
}

// A token's expiration time is an RFC 3339 time on update as on create, so
// no stored token escapes its expiry check; and snapshots are one of the
// areas a role must grant.
func TestAccessTokenExpiryAndSnapshotPrivilege(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	id := admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"name": "admin"}}, nil).json(t)["id"].(string)
	wantError(t, admin.do("PATCH", "/v1/auth/access-tokens/"+id, map[string]any{"expiration_time": "garbage"}, nil), http.StatusBadRequest, "rest_invalid_request_error")

	admin.do("POST", "/v1/users/", map[string]any{"name": "nosnap", "primary_group": "513", "password": "No-snap-1"}, nil)
	user := &client{t: t, srv: admin.srv, http: admin.http}
	user.token = user.login("nosnap", "No-snap-1")
	wantError(t, user.do("POST", "/v2/snapshots/", map[string]any{}, nil), http.StatusForbidden, "auth_not_authorized_error")
}

// A flood of logins by one user ends only that user's oldest sessions: the
// admin's session survives, the flooder holds at most maxUserSessions, and
// its newest session works (qapi issue 21).
func TestLoginFloodEndsOnlyTheFloodersSessions(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	id := admin.do("POST", "/v1/users/", map[string]any{"name": "flood", "primary_group": "513", "password": "Flood-1"}, nil).json(t)["id"].(string)
	u := &client{t: t, srv: admin.srv, http: admin.http}
	first := u.login("flood", "Flood-1")
	// Logging in over HTTP costs the same: the table is what is tested.
	s := admin.srv.Mock.auth
	for range maxSessions + 100 {
		if _, err := s.issue(id); err != nil {
			t.Fatalf("login %v", err)
		}
	}
	last := u.login("flood", "Flood-1")
	if r := admin.do("GET", "/v1/session/who-am-i", nil, nil); r.status != http.StatusOK {
		t.Errorf("the admin's session after a flood of logins by another user: %d %s", r.status, r.body)
	}
	u.token = first
	wantError(t, u.do("GET", "/v1/session/who-am-i", nil, nil), http.StatusUnauthorized, "http_unauthorized_error")
	u.token = last
	if r := u.do("GET", "/v1/session/who-am-i", nil, nil); r.status != http.StatusOK {
		t.Errorf("the flooder's newest session: %d %s", r.status, r.body)
	}
	s.mu.RLock()
	held, all := len(s.byUser[id]), len(s.tokens)
	s.mu.RUnlock()
	if held != maxUserSessions || all != maxUserSessions+1 {
		t.Errorf("the flooder holds %d sessions of %d, want %d of %d", held, all, maxUserSessions, maxUserSessions+1)
	}
}

// With the table full of other users' sessions, a user who holds none is
// refused with 429 rather than ending someone else's; a user who holds
// some ends its own oldest.
func TestFullSessionTableRefusesNewUsers(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	admin.do("POST", "/v1/users/", map[string]any{"name": "late", "primary_group": "513", "password": "Late-1"}, nil)
	s := admin.srv.Mock.auth
	held := map[string]int{}
	full := func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return len(s.tokens) >= maxSessions
	}
	for i := 0; !full(); i++ {
		user := "others-" + strconv.Itoa(i/maxUserSessions)
		if _, err := s.issue(user); err != nil {
			t.Fatalf("fill the table: %v", err)
		}
		held[user]++
	}
	late := &client{t: t, srv: admin.srv, http: admin.http}
	wantError(t, late.do("POST", "/v1/session/login", map[string]any{"username": "late", "password": "Late-1"}, map[string]string{"Authorization": ""}),
		http.StatusTooManyRequests, "http_too_many_requests_error")
	if r := admin.do("GET", "/v1/session/who-am-i", nil, nil); r.status != http.StatusOK {
		t.Errorf("the admin's session: %d %s", r.status, r.body)
	}
	again := &client{t: t, srv: admin.srv, http: admin.http}
	if again.token = again.login(DefaultUser, DefaultPassword); again.token == "" {
		t.Fatal("the admin, who holds a session, cannot log in again")
	}
	if r := again.do("GET", "/v1/session/who-am-i", nil, nil); r.status != http.StatusOK {
		t.Errorf("the admin's new session: %d %s", r.status, r.body)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for user, n := range held {
		if len(s.byUser[user]) != n {
			t.Errorf("%s holds %d sessions, want %d", user, len(s.byUser[user]), n)
		}
	}
}

// A deleted user's id stays dead: a new user named like that id is someone
// else, and neither the old session nor the old access token stands for it
// (qapi issue 21).
func TestDeletedUserStaysDead(t *testing.T) {
	t.Parallel()
	admin := setup(t)
	old := admin.do("POST", "/v1/users/", map[string]any{"name": "leaver", "primary_group": "513", "password": "Leaver-1"}, nil).json(t)["id"].(string)
	admin.do("POST", "/v1/auth/roles/Administrators/members", map[string]any{"auth_id": old}, nil)
	session := &client{t: t, srv: admin.srv, http: admin.http}
	session.token = session.login("leaver", "Leaver-1")
	token := &client{t: t, srv: admin.srv, http: admin.http}
	token.token, _ = admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"auth_id": old}}, nil).json(t)["bearer_token"].(string)
	for _, c := range []*client{session, token} {
		if r := c.do("GET", "/v1/session/who-am-i", nil, nil); r.status != http.StatusOK {
			t.Fatalf("before the delete: %d %s", r.status, r.body)
		}
	}
	admin.do("DELETE", "/v1/users/"+old, nil, nil)
	heir := admin.do("POST", "/v1/users/", map[string]any{"name": old, "primary_group": "513", "password": "Heir-1"}, nil).json(t)
	if heir["id"] == old {
		t.Fatalf("the deleted id %s was given again", old)
	}
	for _, c := range []*client{session, token} {
		wantError(t, c.do("GET", "/v1/session/who-am-i", nil, nil), http.StatusUnauthorized, "http_unauthorized_error")
		wantError(t, c.do("GET", "/v1/users/", nil, nil), http.StatusUnauthorized, "http_unauthorized_error")
	}
	// The heir logs in as itself, with its own id and no role.
	h := &client{t: t, srv: admin.srv, http: admin.http}
	if h.token = h.login(old, "Heir-1"); h.token == "" {
		t.Fatal("the new user cannot log in")
	}
	if me := h.do("GET", "/v1/session/who-am-i", nil, nil).json(t); me["id"] != heir["id"] || len(me["privileges"].([]any)) != 0 {
		t.Errorf("the new user is %v", me)
	}
	// An identity that names the dead auth id does not find the heir.
	wantError(t, admin.do("POST", "/v1/auth/access-tokens/", map[string]any{"user": map[string]any{"auth_id": old}}, nil), http.StatusNotFound, "auth_no_such_user_error")
	wantError(t, admin.do("POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"auth_id": old}}, nil), http.StatusNotFound, "auth_no_such_user_error")
}
