package mock

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Identity: local users and groups (one space of auth ids, as on a
// cluster), group membership and RBAC roles. A fresh cluster has the admin
// and guest users and the built-in groups, the admin in Administrators;
// users and groups are addressed by id or by name. A local user with a
// password logs in, and may do what its roles grant (privileges.go).

// Auth ids of what a fresh cluster has.
const (
	adminID      = "500"
	adminsID     = "512"
	usersGroupID = "513"
	// clusterSID is the domain part of the SIDs of local users and groups.
	clusterSID = "S-1-5-21-2187465301-1934586716-2416357113"
)

var identityModule = module{
	families: map[string]*family{
		"/users": {
			idField: "id", keys: []string{"name"}, unique: []string{"name"}, idSpace: "auth", firstID: 1000,
			notFound: errAuthNoSuchUser, exists: errAuthUserExists,
			seed: []map[string]any{
				{"id": adminID, "name": "admin", "primary_group": usersGroupID, "sid": clusterSID + "-500", "uid": "", "home_directory": "", "can_change_password": true},
				{"id": "501", "name": "guest", "primary_group": "514", "sid": clusterSID + "-501", "uid": "", "home_directory": "", "can_change_password": false},
			},
			create: func(e *engine, _ *call, item map[string]any) error {
				e.takePassword(item)
				item["sid"] = clusterSID + "-" + scalarString(item["id"])
				return nil
			},
			update: func(e *engine, _ *call, _ string, item map[string]any) error {
				e.takePassword(item)
				return nil
			},
			remove: func(e *engine, _ *call, _ string, item map[string]any) error {
				delete(e.passwords, scalarString(item["id"]))
				return nil
			},
		},
		"/groups": {
			idField: "id", keys: []string{"name"}, unique: []string{"name"}, idSpace: "auth", firstID: 1000,
			notFound: errNoSuchEntry, exists: errInvalidRequest,
			seed: []map[string]any{
				{"id": adminsID, "name": "Administrators", "gid": "", "sid": clusterSID + "-512"},
				{"id": usersGroupID, "name": "Users", "gid": "", "sid": clusterSID + "-513"},
				{"id": "514", "name": "Guests", "gid": "", "sid": clusterSID + "-514"},
			},
			create: func(_ *engine, _ *call, item map[string]any) error {
				item["sid"] = clusterSID + "-" + scalarString(item["id"])
				return nil
			},
		},
		// A member is named by the user's auth id and listed as the user.
		"/groups/{}/members": {
			idField: "id", idFrom: "member_id", clientID: true, notFound: errAuthNoSuchUser, exists: errInvalidRequest,
			create: func(e *engine, c *call, item map[string]any) error {
				k, ok := e.userByID(scalarString(item["id"]))
				if !ok {
					return newError(errAuthNoSuchUser, "no such user: %v", item["id"])
				}
				clear(item)
				maps.Copy(item, objectOf(e.res[k].value))
				return nil
			},
		},
		// Role names compare without case and hold no white space, as the
		// guide says.
		"/auth/roles": {
			idField: "name", clientID: true, keys: []string{"name"}, unique: []string{"name"}, fold: true,
			notFound: errNoSuchEntry, exists: errInvalidRequest,
			seed: []map[string]any{
				{"name": "Administrators", "description": "Can manage all aspects of the cluster", "privileges": []any{}},
				{"name": "Observers", "description": "Can view the cluster's configuration and state", "privileges": []any{}},
			},
			create: func(_ *engine, _ *call, item map[string]any) error {
				if strings.ContainsFunc(scalarString(item["name"]), unicode.IsSpace) {
					return newError(errInvalidRequest, "request body field \"name\": a role name may not contain white space")
				}
				return nil
			},
		},
		// A role's member is a local user or group, named by its auth id.
		"/auth/roles/{}/members": {
			idField: "auth_id", notFound: errNoSuchEntry, exists: errInvalidRequest,
			idOf: func(e *engine, who map[string]any) (string, error) {
				id, _, err := e.localIdentity(scalarString(who["auth_id"]), scalarString(who["name"]))
				return id, err
			},
			create: func(e *engine, _ *call, item map[string]any) error {
				_, who, err := e.localIdentity(scalarString(item["auth_id"]), "")
				clear(item)
				maps.Copy(item, who)
				return err
			},
		},
		accessTokens: {idField: "id", notFound: errNoSuchEntry, exists: errInvalidRequest,
			update: func(_ *engine, _ *call, _ string, item map[string]any) error {
				return checkExpiration(scalarString(item["expiration_time"]))
			},
		},
	},
	handlers: map[string]handler{
		"GET /session/who-am-i":      whoAmI,
		"GET /session/roles":         sessionRoles,
		"GET /users/{}/groups":       groupsOf,
		"POST /users/{}/setpassword": setPassword,
	},
	start: func(e *engine) error {
		e.passwords = map[string][sha256.Size]byte{}
		e.accessTokens = map[[sha256.Size]byte]string{}
		// The admin is an Administrator, as the Administrators group is
		// a member of the Administrators role, which may do anything.
		if coll, ok := e.colls["/groups/{}/members"]; ok {
			if k, ok := e.findItem("/users", adminID); ok {
				if _, err := e.insert(nil, coll, "/groups/"+adminsID+"/members", adminID, maps.Clone(objectOf(e.res[k].value))); err != nil {
					return fmt.Errorf("the admin's membership: %w", err)
				}
			}
		}
		if coll, ok := e.colls["/auth/roles/{}/members"]; ok {
			if _, who, err := e.localIdentity(adminsID, ""); err == nil {
				if _, err := e.insert(nil, coll, "/auth/roles/Administrators/members", adminsID, who); err != nil {
					return fmt.Errorf("the Administrators role's member: %w", err)
				}
			}
		}
		all := slices.Clone(e.known)
		reads := []any{}
		for _, p := range all {
			if strings.HasSuffix(p.(string), "_READ") {
				reads = append(reads, p)
			}
		}
		for name, privs := range map[string][]any{"Administrators": all, "Observers": reads} {
			if r := e.res["/auth/roles/"+name]; r != nil {
				objectOf(r.value)["privileges"] = privs
			}
		}
		return nil
	},
}

// takePassword keeps a digest of the password a user's create or change
// sets, for login, and drops the password from the user: it is never
// answered.
func (e *engine) takePassword(item map[string]any) {
	if pw, _ := item["password"].(string); pw != "" {
		e.passwords[scalarString(item["id"])] = sha256.Sum256([]byte(pw))
	}
	delete(item, "password")
}

// identityKey finds a local user or group (coll) by auth id, else by
// name: an auth id never matches a name, nor a name an id, so a user named
// "1002" is not user 1002, and once that is deleted its id stays dead (auth
// ids are never reused). Sessions, tokens and the identities requests name
// go through it. The caller holds the lock.
func (e *engine) identityKey(coll, authID, name string) (string, bool) {
	if authID != "" {
		k := coll + "/" + url.PathEscape(authID)
		r := e.res[k]
		return k, r != nil && r.item
	}
	if name == "" {
		return "", false
	}
	k, ok := e.alias[e.aliasKey(coll, name)]
	return k, ok
}

// userByID finds a local user by auth id alone. The caller holds the lock.
func (e *engine) userByID(id string) (string, bool) { return e.identityKey("/users", id, "") }

// checkPassword finds the local user a login names, if the password is
// theirs, and answers its auth id.
func (e *engine) checkPassword(name, password string) (string, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	k, ok := e.identityKey("/users", "", name)
	if !ok {
		return "", false
	}
	u := objectOf(e.res[k].value)
	id := scalarString(u["id"])
	want, set := e.passwords[id]
	got := sha256.Sum256([]byte(password))
	if !set || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return "", false
	}
	return id, true
}

// setPassword sets a local user's password.
func setPassword(e *engine, c *call) (answer, error) {
	user := objectOf(e.res[parent(c.key)].value)
	pw, _ := c.object()["new_password"].(string)
	if pw == "" {
		return answer{}, newError(errInvalidRequest, "request body field \"new_password\": required")
	}
	e.takePassword(map[string]any{"id": user["id"], "password": pw})
	return answer{value: user}, nil
}

// localIdentity finds the local user, or else group, that an identity
// names by auth id or else by name, and answers its auth id and the
// identity a cluster answers for it.
func (e *engine) localIdentity(authID, name string) (string, map[string]any, error) {
	ref := cmp.Or(authID, name)
	for _, coll := range []string{"/users", "/groups"} {
		if k, ok := e.identityKey(coll, authID, name); ok {
			v := objectOf(e.res[k].value)
			return scalarString(v["id"]), map[string]any{"domain": "LOCAL", "auth_id": v["id"], "name": v["name"], "sid": v["sid"]}, nil
		}
	}
	return "", nil, newError(errAuthNoSuchUser, "no local user or group %q", ref)
}

// whoAmI answers the logged-in user with its privileges. The configured
// user is the local user of that name, else the admin user, even once that
// was deleted; it may do anything.
func whoAmI(e *engine, c *call) (answer, error) {
	if uid := sessionUser(c.r.Context()); uid != "" {
		k, ok := e.userByID(uid)
		if !ok { // deleted since authorize saw it
			return answer{}, newError(errUnauthorized, "the user of this session is gone: log in again")
		}
		u := maps.Clone(objectOf(e.res[k].value))
		privs := []any{}
		for _, p := range slices.Sorted(maps.Keys(e.privileges(uid))) {
			privs = append(privs, p)
		}
		u["privileges"] = privs
		return answer{value: u}, nil
	}
	u := map[string]any{"id": adminID, "name": e.m.cfg.user}
	for _, ref := range []string{e.m.cfg.user, adminID} {
		if k, ok := e.findItem("/users", ref); ok {
			u = maps.Clone(objectOf(e.res[k].value))
			break
		}
	}
	u["privileges"] = slices.Clone(e.known)
	return answer{value: u}, nil
}

// sessionRoles lists the roles of the logged-in user, directly or through
// a group; the configured user's are the admin user's.
func sessionRoles(e *engine, c *call) (answer, error) {
	uid := cmp.Or(sessionUser(c.r.Context()), adminID)
	out := []any{}
	for _, r := range e.rolesOf(uid) {
		out = append(out, objectOf(r.value)["name"])
	}
	return answer{value: out}, nil
}

// groupsOf lists the groups a user belongs to: its primary group and those
// that name it as a member.
func groupsOf(e *engine, c *call) (answer, error) {
	user := objectOf(e.res[c.key[:len(c.key)-len("/groups")]].value)
	out := []any{}
	for _, g := range e.groupsOf(user) {
		out = append(out, g.value)
	}
	return answer{value: out}, nil
}

// groupsOf is the groups a user belongs to. The caller holds the lock.
func (e *engine) groupsOf(user map[string]any) []child {
	id := url.PathEscape(scalarString(user["id"]))
	var out []child
	for _, g := range e.children("/groups") {
		gid := g.key[len("/groups/"):]
		if _, member := e.kids[g.key+"/members"][g.key+"/members/"+id]; member || scalarString(user["primary_group"]) == gid {
			out = append(out, g)
		}
	}
	return out
}

// rolesOf is the roles a local user holds, as a member or through a group.
// The caller holds the lock.
func (e *engine) rolesOf(uid string) []child {
	k, ok := e.userByID(uid)
	if !ok {
		return nil
	}
	ids := []string{url.PathEscape(uid)}
	for _, g := range e.groupsOf(objectOf(e.res[k].value)) {
		ids = append(ids, g.key[len("/groups/"):])
	}
	var out []child
	for _, r := range e.children("/auth/roles") {
		for _, id := range ids {
			if _, member := e.kids[r.key+"/members"][r.key+"/members/"+id]; member {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
