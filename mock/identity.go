package mock

import (
	"maps"
	"net/url"
)

// Identity: local users and groups (one space of auth ids, as on a
// cluster), group membership and RBAC roles. A fresh cluster has the admin
// and guest users and the built-in groups; users and groups are addressed
// by id or by name.

// Auth ids of what a fresh cluster has.
const (
	adminID      = "500"
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
			create: func(_ *engine, _ *call, item map[string]any) (map[string]any, error) {
				// The password is checked by login, never answered: keep none.
				delete(item, "password")
				item["sid"] = clusterSID + "-" + scalarString(item["id"])
				return nil, nil
			},
		},
		"/groups": {
			idField: "id", keys: []string{"name"}, idSpace: "auth", firstID: 1000, notFound: errNoSuchEntry, exists: errInvalidRequest,
			seed: []map[string]any{
				{"id": "512", "name": "Administrators", "gid": "", "sid": clusterSID + "-512"},
				{"id": usersGroupID, "name": "Users", "gid": "", "sid": clusterSID + "-513"},
				{"id": "514", "name": "Guests", "gid": "", "sid": clusterSID + "-514"},
			},
			create: func(_ *engine, _ *call, item map[string]any) (map[string]any, error) {
				item["sid"] = clusterSID + "-" + scalarString(item["id"])
				return nil, nil
			},
		},
		// A member is named by the user's auth id and listed as the user.
		"/groups/{}/members": {
			idField: "id", idFrom: "member_id", clientID: true, notFound: errAuthNoSuchUser, exists: errInvalidRequest,
			create: func(e *engine, c *call, item map[string]any) (map[string]any, error) {
				k, ok := e.findItem("/users", scalarString(item["id"]))
				if !ok {
					return nil, newError(errAuthNoSuchUser, "no such user: %v", item["id"])
				}
				clear(item)
				maps.Copy(item, objectOf(e.res[k].value))
				return nil, nil
			},
		},
		"/auth/roles": {
			idField: "name", clientID: true, notFound: errNoSuchEntry, exists: errInvalidRequest,
			seed: []map[string]any{
				{"name": "Administrators", "description": "Can manage all aspects of the cluster", "privileges": []any{}},
				{"name": "Observers", "description": "Can view the cluster's configuration and state", "privileges": []any{}},
			},
		},
	},
	handlers: map[string]handler{
		"GET /session/who-am-i": whoAmI,
		"GET /users/{}/groups":  groupsOf,
	},
}

// whoAmI answers the logged-in user: the configured one, as the local user
// of that name, else as the admin user, even once that was deleted.
func whoAmI(e *engine, _ *call) (answer, error) {
	u := map[string]any{"id": adminID, "name": e.m.cfg.user}
	for _, ref := range []string{e.m.cfg.user, adminID} {
		if k, ok := e.findItem("/users", ref); ok {
			u = maps.Clone(objectOf(e.res[k].value))
			break
		}
	}
	u["privileges"] = []any{}
	return answer{value: u}, nil
}

// groupsOf lists the groups a user belongs to: its primary group and those
// that name it as a member.
func groupsOf(e *engine, c *call) (answer, error) {
	user := objectOf(e.res[c.key[:len(c.key)-len("/groups")]].value)
	id := url.PathEscape(scalarString(user["id"]))
	out := []any{}
	for _, g := range e.children("/groups") {
		gid := g.key[len("/groups/"):]
		if _, member := e.kids[g.key+"/members"][g.key+"/members/"+id]; member || scalarString(user["primary_group"]) == gid {
			out = append(out, g.value)
		}
	}
	return answer{value: out}, nil
}
