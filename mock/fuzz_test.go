package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

var (
	fuzzOnce  sync.Once
	fuzzMock  *Mock
	fuzzToken string
)

// FuzzMock sends arbitrary methods, paths, headers and bodies, with or
// without a valid token; no answer may be a 5xx or a panic, and every 4xx
// must be a Qumulo error.
func FuzzMock(f *testing.F) {
	f.Add("GET", "/v2/encryption/key-store", "", "", "", "", true)
	f.Add("PUT", "/v2/encryption/key-store", "application/json", `{"type":"KMS","kms_store":{"port":0}}`, "If-Match", `"qapi-0"`, true)
	f.Add("PUT", "/v2/encryption/key-store", "application/json", `{"type":"Local"}`, "", "", false)
	f.Add("POST", "/v1/session/login", "application/json", `{"username":"admin","password":1}`, "", "", false)
	f.Add("PATCH", "/v1/things/a", "application/json; charset=utf-8", `{"size":null,"tags":[1]}`, "", "", true)
	f.Add("DELETE", "/v1/things/%2F..%2F", "", "", "Authorization", "Bearer session-v1:x", true)
	f.Add("BREW", "//v1/things/?x=%zz", "text/plain", "\x00\xff", "Content-Length", "-1", true)
	f.Fuzz(func(t *testing.T, method, path, contentType, body, hname, hvalue string, auth bool) {
		fuzzOnce.Do(func() {
			m, err := New(WithSpec(combinedSpec(t)), WithMaxBodyBytes(4096))
			if err != nil {
				panic(err)
			}
			fuzzMock = m
			fuzzToken, _, _ = m.auth.login(DefaultUser, DefaultPassword)
		})
		req := fuzzRequest(t, method, path, body)
		if req == nil {
			return
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if auth {
			req.Header.Set("Authorization", "Bearer "+fuzzToken)
		}
		if hname != "" && !strings.ContainsAny(hname, " \r\n:") {
			req.Header.Set(hname, hvalue)
		}
		serveFuzzed(t, fuzzMock, req)
	})
}

// fuzzRequest builds a request as a server reads it off the wire, or nil
// when path is not a request URI.
func fuzzRequest(t *testing.T, method, path, body string) *http.Request {
	u, err := url.ParseRequestURI(path)
	if err != nil || method == "" {
		return nil
	}
	req := &http.Request{Method: method, URL: u, RequestURI: path, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{}, Host: "127.0.0.1", Body: http.NoBody, ContentLength: int64(len(body))}
	if body != "" {
		req.Body = httpBody(body)
	}
	return req.WithContext(t.Context())
}

// serveFuzzed answers a fuzzed request: never a 5xx or a panic, and every
// 4xx a Qumulo error.
func serveFuzzed(t *testing.T, m *Mock, req *http.Request) {
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s: status %d: %s", req.Method, req.RequestURI, rec.Code, rec.Body.Bytes())
	}
	if rec.Code >= 400 {
		var e map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatalf("%s %s: %d answer is not JSON: %v: %s", req.Method, req.RequestURI, rec.Code, err, rec.Body.Bytes())
		}
		for _, k := range []string{"module", "error_class", "description"} {
			if s, _ := e[k].(string); s == "" {
				t.Fatalf("%s %s: %d answer lacks %s: %s", req.Method, req.RequestURI, rec.Code, k, rec.Body.Bytes())
			}
		}
	}
}

type bodyReader struct{ *bytes.Reader }

func (bodyReader) Close() error { return nil }

func httpBody(s string) bodyReader { return bodyReader{bytes.NewReader([]byte(s))} }

var (
	twinOnce  sync.Once
	twinMock  *Mock
	twinToken string
)

// FuzzTwin sends arbitrary requests to the modules of the twin serving the
// whole guide: the file system by id or encoded path, entries, tree
// deletes, buckets, uploads, access keys, quotas, users, passwords, roles
// and their members, paging. No answer may be a 5xx or
// a panic, and every 4xx must be a Qumulo error.
func FuzzTwin(f *testing.F) {
	f.Add("POST", "/v1/files/%2F/entries/", `{"name":"a","action":"CREATE_DIRECTORY"}`, "", "")
	f.Add("POST", "/v1/files/%2Fa/entries/", `{"name":"..","action":"CREATE_FILE"}`, "", "")
	f.Add("POST", "/v1/files/2/entries/", `{"name":"b","action":"RENAME","old_path":"/a","clobber":true}`, "", "")
	f.Add("POST", "/v1/files/2/entries/", `{"name":"l","action":"CREATE_LINK","old_path":"/"}`, "", "")
	f.Add("PATCH", "/v1/files/%2Fa/info/attributes", `{"size":"-1","mode":7}`, "If-Match", `W/"qapi-1"`)
	f.Add("GET", "/v1/files/%2F/entries/?limit=0&after=%00", "", "", "")
	f.Add("PUT", "/v1/files/%2Fa/data", `{"x":1}`, "", "")
	f.Add("GET", "/v1/files/%2Fa/data?offset=99&length=-4", "", "", "")
	f.Add("POST", "/v1/tree-delete/jobs/", `{"id":"/"}`, "", "")
	f.Add("GET", "/v1/tree-delete/jobs/%2Fa", "", "", "")
	f.Add("POST", "/v1/s3/buckets/", `{"name":"b","path":"/a/../b","create_fs_path":true}`, "", "")
	f.Add("DELETE", "/v1/s3/buckets/b?delete-root-dir=true", "", "", "")
	f.Add("POST", "/v1/s3/access-keys/", `{"user":{"auth_id":500}}`, "", "")
	f.Add("POST", "/v1/files/quotas/", `{"id":"/","limit":"x"}`, "", "")
	f.Add("GET", "/v2/nfs/exports/%2F", "", "If-Match", "qapi-0")
	f.Add("PUT", "/v2/smb/shares/nope", `{"share_name":null}`, "", "")
	f.Add("POST", "/v1/groups/513/members/", `{"member_id":"500"}`, "", "")
	f.Add("POST", "/v1/users/", `{"name":"u","primary_group":"513","password":"p"}`, "", "")
	f.Add("POST", "/v1/session/login", `{"username":"u","password":"p"}`, "", "")
	f.Add("POST", "/v1/users/1000/setpassword", `{"new_password":""}`, "", "")
	f.Add("PUT", "/v1/users/guest", `{"name":"admin","password":"x"}`, "", "")
	f.Add("POST", "/v1/auth/roles/", `{"name":"OBSERVERS","privileges":["PRIVILEGE_QUOTA_READ"]}`, "", "")
	f.Add("POST", "/v1/auth/roles/observers/members", `{"name":"Guests","auth_id":""}`, "", "")
	f.Add("DELETE", "/v1/auth/roles/Observers/members/514", "", "", "")
	f.Add("GET", "/v1/s3/buckets/b/uploads/?after=x", "", "", "")
	f.Add("DELETE", "/v1/s3/buckets/b/uploads/0000000000000001", "", "", "")
	f.Add("POST", "/v1/auth/access-tokens/", `{"user":{"name":"guest"},"expiration_time":"2000-01-01T00:00:00+25:00"}`, "", "")
	f.Add("PATCH", "/v1/auth/access-tokens/1", `{"enabled":null}`, "", "")
	f.Add("GET", "/v1/session/who-am-i", "", "Authorization", "Bearer access-v1:")
	f.Add("POST", "/v2/nfs/exports/", `{"export_path":"/","fs_path":"/"}`, "", "")
	f.Add("POST", "/v1/auth/access-tokens/", `{"user":{"name":"guest"}}`, "", "")
	f.Fuzz(func(t *testing.T, method, path, body, hname, hvalue string) {
		twinOnce.Do(func() {
			m, err := New(WithMaxBodyBytes(4096))
			if err != nil {
				panic(err)
			}
			twinMock = m
			twinToken, _, _ = m.auth.login(DefaultUser, DefaultPassword)
		})
		if twinMock == nil {
			t.Skip("no corpus")
		}
		req := fuzzRequest(t, method, path, body)
		if req == nil {
			return
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+twinToken)
		if hname != "" && !strings.ContainsAny(hname, " \r\n:") {
			req.Header.Set(hname, hvalue)
		}
		serveFuzzed(t, twinMock, req)
	})
}
