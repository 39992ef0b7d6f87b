package mock

import (
	"net/http"
	"strings"
	"testing"
)

// A snapshot is of a directory that exists, named by its id and suffix,
// listed while it exists, and one set across versions.
func TestSnapshotOfADirectory(t *testing.T) {
	t.Parallel()
	c := setup(t)
	dir := c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "vol", "action": "CREATE_DIRECTORY"}, nil).json(t)["id"].(string)

	snap := c.do("POST", "/v3/snapshots/", map[string]any{"source_file_id": dir, "name_suffix": "nightly"}, nil).json(t)
	id := scalarString(snap["id"])
	if snap["name"] != id+"_nightly" || snap["source_file_id"] != dir || snap["in_delete"] != false || snap["expiration"] != nil {
		t.Errorf("created %v", snap)
	}
	if got := c.do("GET", "/v2/snapshots/"+id, nil, nil).json(t); got["name"] != id+"_nightly" {
		t.Errorf("v2 read of a v3 snapshot = %v", got)
	}
	if root := c.do("POST", "/v3/snapshots/", map[string]any{}, nil).json(t); root["source_file_id"] != "2" || !strings.HasSuffix(root["name"].(string), "_OnDemand") {
		t.Errorf("a snapshot that names nothing = %v, want the root, OnDemand", root)
	}
	wantError(t, c.do("POST", "/v3/snapshots/", map[string]any{"source_file_id": "999999"}, nil), http.StatusNotFound, "fs_no_such_entry_error")
	file := c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "f", "action": "CREATE_FILE"}, nil).json(t)["id"].(string)
	wantError(t, c.do("POST", "/v3/snapshots/", map[string]any{"source_file_id": file}, nil), http.StatusBadRequest, "fs_not_a_directory_error")

	c.do("DELETE", "/v3/snapshots/"+id, nil, nil)
	if r := c.do("GET", "/v3/snapshots/"+id, nil, nil); r.status != http.StatusNotFound {
		t.Errorf("a deleted snapshot answers %d", r.status)
	}
}
