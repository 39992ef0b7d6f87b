package mock

import (
	"bytes"
	"net/http"
	"testing"
)

var octets = map[string]string{"Content-Type": "application/octet-stream"}

// newFile creates /name through the API and answers its data path.
func (c *client) newFile(name string) string {
	c.t.Helper()
	if r := c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": name, "action": "CREATE_FILE"}, nil); r.status != http.StatusOK {
		c.t.Fatalf("create /%s: %d %s", name, r.status, r.body)
	}
	return "/v1/files/%2F" + name + "/data"
}

// wantData reads path and compares the bytes.
func (c *client) wantData(path string, want []byte) {
	c.t.Helper()
	r := c.do("GET", path, nil, nil)
	if r.status != http.StatusOK || !bytes.Equal(r.body, want) {
		c.t.Fatalf("GET %s = %d %q, want %q", path, r.status, r.body, want)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/octet-stream" {
		c.t.Errorf("GET %s: Content-Type %q", path, ct)
	}
}

func TestFileDataBytesBothWays(t *testing.T) {
	t.Parallel()
	c := setup(t)
	data := c.newFile("a.bin")

	r := c.do("PUT", data, "hello world", octets)
	if r.status != http.StatusOK || r.json(t)["size"] != "11" {
		t.Fatalf("PUT = %d %s, want the attributes with size 11", r.status, r.body)
	}
	c.wantData(data, []byte("hello world"))
	c.wantData(data+"?offset=6&length=3", []byte("wor"))
	c.wantData(data+"?offset=6", []byte("world"))
	c.wantData(data+"?length=99", []byte("hello world"))
	c.wantData(data+"?offset=99", []byte{})

	// PATCH writes at offset, zero-extending up to it.
	if r := c.do("PATCH", data+"?offset=13", "XY", octets); r.status != http.StatusOK || r.json(t)["size"] != "15" {
		t.Fatalf("PATCH = %d %s, want size 15", r.status, r.body)
	}
	c.wantData(data, []byte("hello world\x00\x00XY"))
	if r := c.do("PATCH", data, "J", octets); r.status != http.StatusOK {
		t.Fatalf("PATCH at 0 = %d %s", r.status, r.body)
	}
	c.wantData(data, []byte("Jello world\x00\x00XY"))

	// The size attribute cuts the data and reads as zeros when it grows.
	attrs := "/v1/files/%2Fa.bin/info/attributes"
	c.do("PATCH", attrs, map[string]any{"size": "5"}, nil)
	c.wantData(data, []byte("Jello"))
	c.do("PATCH", attrs, map[string]any{"size": "8"}, nil)
	c.wantData(data, []byte("Jello\x00\x00\x00"))
	c.wantData(data+"?offset=2&length=9223372036854775807", []byte("llo\x00\x00\x00"))

	// A file a test cannot hold whole reads in ranges, as zeros.
	c.do("PATCH", attrs, map[string]any{"size": "1099511627776"}, nil)
	c.wantData(data+"?offset=549755813888&length=4", make([]byte, 4))
}

func TestFileDataRefusals(t *testing.T) {
	t.Parallel()
	c := setup(t)
	data := c.newFile("a.bin")
	wantError(t, c.do("PUT", data, `{"x":1}`, nil), http.StatusUnsupportedMediaType, "http_unsupported_media_type_error")
	wantError(t, c.do("PUT", "/v1/files/%2Fmissing/data", "x", octets), http.StatusNotFound, "fs_no_such_entry_error")
	wantError(t, c.do("GET", "/v1/files/%2Fmissing/data", nil, nil), http.StatusNotFound, "fs_no_such_entry_error")
	wantError(t, c.do("PUT", "/v1/files/%2F/data", "x", octets), http.StatusBadRequest, "")
	wantError(t, c.do("GET", data+"?offset=-1", nil, nil), http.StatusBadRequest, "")
	wantError(t, c.do("PUT", data, "x", map[string]string{"Content-Type": "application/octet-stream", "If-Match": `"qapi-999"`}), http.StatusPreconditionFailed, "")
}

func TestFileDataBounds(t *testing.T) {
	t.Parallel()
	c := setup(t, WithMaxFileData(16, 24))
	a, b := c.newFile("a"), c.newFile("b")

	wantError(t, c.do("PUT", a, string(make([]byte, 17)), octets), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	wantError(t, c.do("PATCH", a+"?offset=16", "x", octets), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	wantError(t, c.do("PATCH", a+"?offset=9223372036854775807", "x", octets), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	if r := c.do("PUT", a, string(make([]byte, 16)), octets); r.status != http.StatusOK {
		t.Fatalf("PUT of the bound = %d %s", r.status, r.body)
	}
	// All files hold 24 bytes at most: a holds 16.
	wantError(t, c.do("PUT", b, string(make([]byte, 9)), octets), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	if r := c.do("PUT", b, "12345678", octets); r.status != http.StatusOK {
		t.Fatalf("PUT within the total = %d %s", r.status, r.body)
	}
	// Replacing a file's data counts what it held no more, and so does
	// deleting it.
	if r := c.do("PUT", a, "0123456789abcdef", octets); r.status != http.StatusOK {
		t.Fatalf("PUT over its own data = %d %s", r.status, r.body)
	}
	c.do("DELETE", "/v1/files/%2Fa", nil, nil)
	if r := c.do("PUT", b, "0123456789abcdef", octets); r.status != http.StatusOK {
		t.Fatalf("PUT after the delete = %d %s", r.status, r.body)
	}
}

// newStream creates a named stream of /file and answers its path.
func (c *client) newStream(file string) string {
	c.t.Helper()
	r := c.do("POST", "/v1/files/%2F"+file+"/streams/", map[string]any{"stream_name": "s"}, nil)
	if r.status != http.StatusOK {
		c.t.Fatalf("create a stream of /%s: %d %s", file, r.status, r.body)
	}
	return "/v1/files/%2F" + file + "/streams/" + r.json(c.t)["id"].(string)
}

func TestStreamDataBytesBothWays(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.newFile("a")
	stream := c.newStream("a")
	data := stream + "/data"
	if a := c.do("GET", stream+"/attributes", nil, nil).json(t); a["name"] != "s" || a["size"] != "0" {
		t.Errorf("a new stream's attributes are %v, want its stream_name as its name and size 0", a)
	}
	if list := c.do("GET", "/v1/files/%2Fa/streams/", nil, nil); !bytes.Contains(list.body, []byte(`"name":"s"`)) {
		t.Errorf("the list of streams is %s, want the stream named s", list.body)
	}

	c.wantData(data, []byte{})
	r := c.do("PUT", data, "hello", octets)
	if r.status != http.StatusOK || r.json(t)["size"] != "5" {
		t.Fatalf("PUT = %d %s, want the stream's attributes with size 5", r.status, r.body)
	}
	c.wantData(data, []byte("hello"))
	c.wantData(data+"?offset=1&length=3", []byte("ell"))
	c.wantData(data+"?offset=99", []byte{})
	if r := c.do("PATCH", data+"?offset=7", "XY", octets); r.status != http.StatusOK || r.json(t)["size"] != "9" {
		t.Fatalf("PATCH = %d %s, want size 9", r.status, r.body)
	}
	c.wantData(data, []byte("hello\x00\x00XY"))
	if got := c.do("GET", stream+"/attributes", nil, nil).json(t)["size"]; got != "9" {
		t.Errorf("the stream's size is %v after its data was written, want 9", got)
	}
	// The data's ETag guards its writes, and moves with them.
	etag := c.do("GET", data, nil, nil).header.Get("ETag")
	wantError(t, c.do("PUT", data, "x", map[string]string{"Content-Type": "application/octet-stream", "If-Match": `"qapi-999"`}), http.StatusPreconditionFailed, "")
	if r := c.do("PUT", data, "x", map[string]string{"Content-Type": "application/octet-stream", "If-Match": etag}); r.status != http.StatusOK {
		t.Fatalf("PUT under the current ETag = %d %s", r.status, r.body)
	}
	if c.do("GET", data, nil, nil).header.Get("ETag") == etag {
		t.Error("the ETag did not move with a write")
	}
	wantError(t, c.do("PUT", data, `{"x":1}`, nil), http.StatusUnsupportedMediaType, "http_unsupported_media_type_error")
	wantError(t, c.do("GET", "/v1/files/%2Fa/streams/999/data", nil, nil), http.StatusNotFound, "")

	// Setting the size cuts the data or zero-extends it.
	if r := c.do("PATCH", stream+"/attributes", map[string]any{"size": "2"}, nil); r.status != http.StatusOK || r.json(t)["size"] != "2" {
		t.Fatalf("PATCH size 2 = %d %s", r.status, r.body)
	}
	c.wantData(data, []byte("x\x00"))
	c.do("PATCH", stream+"/attributes", map[string]any{"size": "4"}, nil)
	c.wantData(data, []byte("x\x00\x00\x00"))
	// A size is bounded as the data is: a GET of the whole stream writes
	// every zero.
	wantError(t, c.do("PATCH", stream+"/attributes", map[string]any{"size": "1099511627776"}, nil), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	wantError(t, c.do("PATCH", stream+"/attributes", map[string]any{"size": "1"}, map[string]string{"If-Match": `"qapi-999"`}), http.StatusPreconditionFailed, "")
}

// A stream's data counts with the files' against the twin's bounds, and
// deleting the stream or its file gives the room back.
func TestStreamDataBounds(t *testing.T) {
	t.Parallel()
	c := setup(t, WithMaxFileData(16, 24))
	c.newFile("a")
	b := c.newFile("b")
	stream := c.newStream("a")

	wantError(t, c.do("PUT", stream+"/data", string(make([]byte, 17)), octets), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	wantError(t, c.do("PATCH", stream+"/data?offset=9223372036854775807", "x", octets), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	if r := c.do("PUT", stream+"/data", string(make([]byte, 16)), octets); r.status != http.StatusOK {
		t.Fatalf("PUT of the bound = %d %s", r.status, r.body)
	}
	wantError(t, c.do("PUT", b, string(make([]byte, 9)), octets), http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error")
	c.do("DELETE", stream, nil, nil)
	if r := c.do("PUT", b, string(make([]byte, 9)), octets); r.status != http.StatusOK {
		t.Fatalf("PUT after the stream's delete = %d %s", r.status, r.body)
	}
	stream = c.newStream("a")
	if r := c.do("PUT", stream+"/data", string(make([]byte, 15)), octets); r.status != http.StatusOK {
		t.Fatalf("PUT into a new stream = %d %s", r.status, r.body)
	}
	c.do("DELETE", "/v1/files/%2Fa", nil, nil)
	if r := c.do("PUT", b, string(make([]byte, 16)), octets); r.status != http.StatusOK {
		t.Fatalf("PUT after the file's delete = %d %s", r.status, r.body)
	}
}
