package mock

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock/internal/server"
)

// S3: buckets are addressed by name and rooted at a directory; an access
// key belongs to a local user, who holds at most two, and its secret is
// answered when the key is created and never again. Multipart uploads are
// started over S3, which the twin does not speak (Mock.StartS3Upload stands
// in); the REST API lists and aborts them, and a bucket with uploads in
// progress is not deleted.

// maxAccessKeys is how many S3 access keys a user may hold.
const maxAccessKeys = 2

// accessKeys is the shape, and the storage key, of the access keys.
const accessKeys = "/s3/access-keys"

var s3Module = module{
	families: map[string]*family{
		"/s3/buckets": {
			idField: "name", clientID: true, notFound: errS3BucketNotFound, exists: errS3BucketExists,
			create: createBucket, remove: removeBucket,
		},
		accessKeys: {
			idField: "access_key_id", notFound: errNoSuchEntry, exists: errInvalidRequest,
			format: func(n uint64) string { return fmt.Sprintf("QK%018d", n) },
		},
	},
	handlers: map[string]handler{
		"GET /s3/access-keys":              listAccessKeys,
		"GET /s3/buckets/{}/uploads":       listUploads,
		"DELETE /s3/buckets/{}/uploads/{}": abortUpload,
	},
	singletons: map[string]map[string]any{
		"/s3/settings": {"enabled": true, "base_path": "/", "secure": true, "multipart_upload_expiry_interval": "P1D"},
	},
}

func createBucket(e *engine, c *call, item map[string]any) error {
	name := scalarString(item["name"])
	path, _ := c.object()["path"].(string)
	if path == "" {
		path = "/" + name
	}
	create, _ := c.object()["create_fs_path"].(bool)
	item["path"] = path
	if err := e.needDir(item, "path", create); err != nil {
		return err
	}
	locked, _ := c.object()["object_lock_enabled"].(bool)
	item["creation_time"] = e.m.cfg.now().UTC().Format(time.RFC3339)
	item["versioning"] = "Unversioned"
	item["anonymous_access_enabled"] = false
	item["lock_config"] = map[string]any{"enabled": locked}
	for _, k := range []string{"create_fs_path", "object_lock_enabled"} {
		delete(item, k)
	}
	return nil
}

// removeBucket refuses while uploads are in progress, and deletes the
// bucket's root directory too when asked, as long as it is empty.
func removeBucket(e *engine, c *call, key string, item map[string]any) error {
	if n := len(e.children(key + "/uploads")); n > 0 {
		return newError(errS3UploadsInProgress, "bucket %s has %d uploads in progress: abort them first", item["name"], n)
	}
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

// owner finds the local user an identity names, by auth id or else by name.
// The caller holds the lock.
func (e *engine) owner(authID, name string) (map[string]any, error) {
	ref := cmp.Or(authID, name)
	if ref == "" {
		return nil, newError(errInvalidRequest, "request body field \"user\": name the user by auth_id or name")
	}
	if k, ok := e.identityKey("/users", authID, name); ok {
		return objectOf(e.res[k].value), nil
	}
	return nil, newError(errAuthNoSuchUser, "no such user: %s", ref)
}

// CreateS3AccessKey gives a local user a new access key, at most
// maxAccessKeys each. The answer is the only one with the secret: the key
// stored, and listed, is a KeyDescriptionListModelEntry, which has none.
func (t *typedServer) CreateS3AccessKey(_ context.Context, req server.CreateS3AccessKeyRequestObject) (server.CreateS3AccessKeyResponseObject, error) {
	var who gen.Identity
	if req.Body != nil && req.Body.User != nil {
		who = *req.Body.User
	}
	e := t.m.engine
	defer e.lock()()
	user, err := e.owner(deref(who.AuthID), deref(who.Name))
	if err != nil {
		return nil, err
	}
	uid := scalarString(user["id"])
	held := 0
	for _, k := range e.children(accessKeys) {
		if owner, _ := objectOf(k.value)["owner"].(map[string]any); scalarString(owner["auth_id"]) == uid {
			held++
		}
	}
	if held >= maxAccessKeys {
		return nil, newError(errS3AccessKeyLimit, "user %s already holds %d access keys", user["name"], maxAccessKeys)
	}
	coll := e.colls[accessKeys]
	key := gen.KeyDescriptionListModelEntry{
		AccessKeyID:  new(e.newID(coll, accessKeys)),
		CreationTime: new(e.m.cfg.now().UTC().Format(time.RFC3339)),
		Owner:        identityOf(user),
	}
	if _, err := e.insert(nil, coll, accessKeys, *key.AccessKeyID, stored(key)); err != nil {
		return nil, err
	}
	secret := make([]byte, 30)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails on supported platforms
	return server.CreateS3AccessKey200JSONResponse{AccessKeyID: key.AccessKeyID, CreationTime: key.CreationTime, Owner: key.Owner,
		SecretAccessKey: new(base64.RawURLEncoding.EncodeToString(secret))}, nil
}

// listAccessKeys pages the access keys, those of one user when asked.
func listAccessKeys(e *engine, c *call) (answer, error) {
	var keys []child
	user := c.query("user")
	for _, k := range e.children(accessKeys) {
		owner, _ := objectOf(k.value)["owner"].(map[string]any)
		if user == "" || user == scalarString(owner["auth_id"]) || strings.EqualFold(user, scalarString(owner["name"])) {
			keys = append(keys, k)
		}
	}
	return pagedAnswer(c, keys, "entries", "access_key_id", func(k child) any { return k.value })
}

// StartS3Upload starts a multipart upload of key into a bucket, as an S3
// client's CreateMultipartUpload does on a cluster, and answers the
// upload's id. The twin serves the REST API only; this is how a test gets
// an upload that GET /v1/s3/buckets/{name}/uploads/ lists, DELETE
// /v1/s3/buckets/{name}/uploads/{id} aborts, and that keeps its bucket from
// being deleted (409 s3_uploads_in_progress_error).
func (m *Mock) StartS3Upload(bucket, key string) (string, error) {
	e := m.engine
	defer e.lock()()
	k, ok := e.findItem("/s3/buckets", bucket)
	if !ok {
		return "", newError(errS3BucketNotFound, "no such bucket: %q", bucket)
	}
	rev := m.revision.Add(1)
	now := m.cfg.now().UTC().Format(time.RFC3339)
	up := gen.UploadDescriptionListModelUpload{
		ID: new(fmt.Sprintf("%016x", rev)), Bucket: new(bucket), Key: new(key),
		Initiated: new(now), LastModified: new(now), Completing: new(false), SystemInitiated: new(false),
		Initiator:   &gen.Identity{AuthID: new(adminID), Domain: new(gen.DomainLocal), Name: new("admin")},
		TotalBlocks: new("1"), Datablocks: new("0"), Metablocks: new("1"),
	}
	e.put(k+"/uploads/"+*up.ID, &resource{value: stored(up), rev: rev, item: true})
	return *up.ID, nil
}

// listUploads pages the uploads in progress into a bucket.
func listUploads(e *engine, c *call) (answer, error) {
	return pagedAnswer(c, e.children(c.key), "uploads", "id", func(u child) any { return u.value })
}

// abortUpload forgets an upload in progress.
func abortUpload(e *engine, c *call) (answer, error) {
	if r := e.res[c.key]; r == nil || !r.item {
		return answer{}, newError(errNoSuchEntry, "no upload %q in progress into this bucket", c.params["id"])
	}
	e.removeItem(c.key)
	return answer{}, nil
}
