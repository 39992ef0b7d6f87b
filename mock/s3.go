package mock

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// S3: buckets are addressed by name and rooted at a directory; an access
// key belongs to a local user, who holds at most two, and its secret is
// answered when the key is created and never again.

// maxAccessKeys is how many S3 access keys a user may hold.
const maxAccessKeys = 2

var s3Module = module{
	families: map[string]*family{
		"/s3/buckets": {
			idField: "name", clientID: true, notFound: errS3BucketNotFound, exists: errS3BucketExists,
			create: createBucket, remove: removeBucket,
		},
		"/s3/access-keys": {
			idField: "access_key_id", notFound: errNoSuchEntry, exists: errInvalidRequest,
			format: func(n uint64) string { return fmt.Sprintf("QK%018d", n) },
			create: createAccessKey,
		},
	},
	handlers: map[string]handler{
		"GET /s3/access-keys": listAccessKeys,
	},
	singletons: map[string]map[string]any{
		"/s3/settings": {"enabled": true, "base_path": "/", "secure": true, "multipart_upload_expiry_interval": "P1D"},
	},
}

func createBucket(e *engine, c *call, item map[string]any) (map[string]any, error) {
	name := scalarString(item["name"])
	path, _ := c.object()["path"].(string)
	if path == "" {
		path = "/" + name
	}
	create, _ := c.object()["create_fs_path"].(bool)
	item["path"] = path
	if err := e.needDir(item, "path", create); err != nil {
		return nil, err
	}
	locked, _ := c.object()["object_lock_enabled"].(bool)
	item["creation_time"] = e.m.cfg.now().UTC().Format(time.RFC3339)
	item["versioning"] = "Unversioned"
	item["anonymous_access_enabled"] = false
	item["lock_config"] = map[string]any{"enabled": locked}
	for _, k := range []string{"create_fs_path", "object_lock_enabled"} {
		delete(item, k)
	}
	return nil, nil
}

// removeBucket deletes the bucket's root directory too when asked, as long
// as it is empty.
func removeBucket(e *engine, c *call, _ string, item map[string]any) error {
	if c.query("delete-root-dir") != "true" {
		return nil
	}
	path, _ := item["path"].(string)
	dir, err := e.fs.lookup(path)
	if err != nil || dir == e.fs.root {
		return nil
	}
	return e.unlink(dir.parent, dir.name)
}

// owner finds the local user an identity names, by auth id or name.
func (e *engine) owner(identity map[string]any) (map[string]any, error) {
	for _, field := range []string{"auth_id", "name"} {
		if v := scalarString(identity[field]); v != "" {
			if k, ok := e.findItem("/users", v); ok {
				return objectOf(e.res[k].value), nil
			}
			return nil, newError(errAuthNoSuchUser, "no such user: %s", v)
		}
	}
	return nil, newError(errInvalidRequest, "request body field \"user\": name the user by auth_id or name")
}

func createAccessKey(e *engine, c *call, item map[string]any) (map[string]any, error) {
	identity, _ := c.object()["user"].(map[string]any)
	user, err := e.owner(identity)
	if err != nil {
		return nil, err
	}
	id := scalarString(user["id"])
	held := 0
	for _, k := range e.children("/s3/access-keys") {
		if owner, _ := objectOf(k.value)["owner"].(map[string]any); scalarString(owner["auth_id"]) == id {
			held++
		}
	}
	if held >= maxAccessKeys {
		return nil, newError(errS3AccessKeyLimit, "user %s already holds %d access keys", user["name"], maxAccessKeys)
	}
	delete(item, "user")
	delete(item, "secret_access_key")
	item["owner"] = map[string]any{"auth_id": id, "domain": "LOCAL", "name": user["name"], "sid": user["sid"]}
	item["creation_time"] = e.m.cfg.now().UTC().Format(time.RFC3339)
	secret := make([]byte, 30)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails on supported platforms
	return map[string]any{"secret_access_key": base64.RawURLEncoding.EncodeToString(secret)}, nil
}

// listAccessKeys pages the access keys, those of one user when asked.
func listAccessKeys(e *engine, c *call) (answer, error) {
	var keys []child
	user := c.query("user")
	for _, k := range e.children("/s3/access-keys") {
		owner, _ := objectOf(k.value)["owner"].(map[string]any)
		if user == "" || user == scalarString(owner["auth_id"]) || strings.EqualFold(user, scalarString(owner["name"])) {
			keys = append(keys, k)
		}
	}
	page, next, err := pageItems(c.r, keys, func(k child) string { return scalarString(objectOf(k.value)["access_key_id"]) })
	if err != nil {
		return answer{}, err
	}
	out := []any{}
	for _, k := range page {
		out = append(out, k.value)
	}
	return answer{value: map[string]any{"entries": out, "paging": map[string]any{"next": next}}}, nil
}
