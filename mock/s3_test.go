package mock

import (
	"errors"
	"net/http"
	"testing"
)

// A bucket with an upload in progress (started as an S3 client would) is
// not deleted until the upload is aborted through the REST API; the
// uploads are listed meanwhile.
func TestBucketWithUploadsInProgress(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.do("POST", "/v1/s3/buckets/", map[string]any{"name": "media", "create_fs_path": true}, nil)
	if list := c.do("GET", "/v1/s3/buckets/media/uploads/", nil, nil).json(t); len(list["uploads"].([]any)) != 0 {
		t.Errorf("a new bucket's uploads: %v", list)
	}
	id, err := c.srv.Mock.StartS3Upload("media", "videos/big.mp4")
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if _, err := c.srv.Mock.StartS3Upload("nope", "k"); !errors.As(err, &e) || e.Class() != "s3_bucket_not_found_error" {
		t.Errorf("an upload into no bucket: %v", err)
	}
	uploads := c.do("GET", "/v1/s3/buckets/media/uploads/", nil, nil).json(t)["uploads"].([]any)
	if len(uploads) != 1 || uploads[0].(map[string]any)["id"] != id || uploads[0].(map[string]any)["key"] != "videos/big.mp4" {
		t.Fatalf("uploads = %v", uploads)
	}
	wantError(t, c.do("DELETE", "/v1/s3/buckets/media?delete-root-dir=true", nil, nil), http.StatusConflict, "s3_uploads_in_progress_error")
	if r := c.do("DELETE", "/v1/s3/buckets/media/uploads/"+id, nil, nil); r.status != http.StatusOK {
		t.Fatalf("abort: %d %s", r.status, r.body)
	}
	wantError(t, c.do("DELETE", "/v1/s3/buckets/media/uploads/"+id, nil, nil), http.StatusNotFound, "rest_not_found_error")
	if r := c.do("DELETE", "/v1/s3/buckets/media?delete-root-dir=true", nil, nil); r.status != http.StatusOK {
		t.Errorf("delete after the abort: %d %s", r.status, r.body)
	}
	wantError(t, c.do("GET", "/v1/s3/buckets/media/uploads/", nil, nil), http.StatusNotFound, "s3_bucket_not_found_error")
}

// PATCH /v1/s3/buckets/{name}, which clusters serve and the guide lacks
// (overlays/50-s3-modify-bucket.yaml), changes a bucket's versioning and
// answers the bucket; the listing shows the change, and a bucket never
// created answers 404.
func TestModifyBucketVersioning(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.do("POST", "/v1/s3/buckets/", map[string]any{"name": "media", "create_fs_path": true}, nil)
	r := c.do("PATCH", "/v1/s3/buckets/media", map[string]any{"versioning": "Enabled"}, nil)
	if got := r.json(t); r.status != http.StatusOK || got["versioning"] != "Enabled" || got["name"] != "media" {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	buckets := c.do("GET", "/v1/s3/buckets/", nil, nil).json(t)["buckets"].([]any)
	if len(buckets) != 1 || buckets[0].(map[string]any)["versioning"] != "Enabled" {
		t.Errorf("listing after the PATCH: %v", buckets)
	}
	wantError(t, c.do("PATCH", "/v1/s3/buckets/media", map[string]any{"versioning": "Unversioned"}, nil), http.StatusBadRequest, "http_bad_request_error")
	wantError(t, c.do("PATCH", "/v1/s3/buckets/nope", map[string]any{"versioning": "Enabled"}, nil), http.StatusNotFound, "s3_bucket_not_found_error")
}

// A bucket policy is stored as given and read back with its ETag; a write
// with a stale If-Match is refused, and a bucket with no policy reads as a
// policy of no statements.
func TestBucketPolicy(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.do("POST", "/v1/s3/buckets/", map[string]any{"name": "media", "create_fs_path": true}, nil)
	empty := c.do("GET", "/v1/s3/buckets/media/policy", nil, nil)
	if got := empty.json(t); got["Version"] != "2012-10-17" || len(got["Statement"].([]any)) != 0 {
		t.Errorf("a bucket with no policy: %s", empty.body)
	}
	policy := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Sid": "GuestRead", "Effect": "Allow", "Principal": "local:guest",
		"Action": []any{"s3:GetObject", "s3:ListBucket"}, "Resource": []any{"arn:aws:s3:::media", "arn:aws:s3:::media/*"}}}}
	if r := c.do("PUT", "/v1/s3/buckets/media/policy", policy, map[string]string{"If-Match": empty.header.Get("ETag")}); r.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	got := c.do("GET", "/v1/s3/buckets/media/policy", nil, nil)
	stmt := got.json(t)["Statement"].([]any)
	if len(stmt) != 1 || stmt[0].(map[string]any)["Principal"] != "local:guest" || got.header.Get("ETag") == empty.header.Get("ETag") {
		t.Errorf("read back: %s (ETag %s)", got.body, got.header.Get("ETag"))
	}
	wantError(t, c.do("PUT", "/v1/s3/buckets/media/policy", policy, map[string]string{"If-Match": empty.header.Get("ETag")}), http.StatusPreconditionFailed, "rest_precondition_failed_error")
}
