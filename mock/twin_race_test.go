package mock

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentTwin runs 64 goroutines against the modules at once: all
// race to create the same directory, quota, bucket and access keys, and
// mix creates, deletes, reads and tree deletes of a small tree. Every
// contested create succeeds exactly as often as a cluster allows (once; a
// user's two keys), no answer is a 5xx or outside what the operation can
// answer, and the file system is coherent afterwards: every entry listed
// reads back by id at its path, and child counts match the listings.
func TestConcurrentTwin(t *testing.T) {
	t.Parallel()
	c := setup(t)
	root := c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "race", "action": "CREATE_DIRECTORY"}, nil).json(t)["id"].(string)
	quotaDir := c.do("POST", "/v1/files/"+root+"/entries/", map[string]any{"name": "quota", "action": "CREATE_DIRECTORY"}, nil).json(t)["id"].(string)
	c.do("POST", "/v1/users/", map[string]any{"name": "racer", "primary_group": "513"}, nil)

	const workers, perWorker = 64, 25
	var (
		mu     sync.Mutex
		counts = map[string]int{} // successes of the contested creates
		failed []string
		wg     sync.WaitGroup
	)
	record := func(what string, r reply, allowed ...int) {
		mu.Lock()
		defer mu.Unlock()
		if r.status/100 == 2 {
			counts[what]++
		}
		if r.status >= 500 || !slices.Contains(allowed, r.status) {
			failed = append(failed, fmt.Sprintf("%s: status %d: %s", what, r.status, r.body))
		}
	}
	dir := func(n int) string { return url.PathEscape(fmt.Sprintf("/race/d%d", n)) }
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 11))
			try := func(what, method, path string, body any, allowed ...int) {
				r, err := c.try(method, path, body, nil)
				if err != nil {
					mu.Lock()
					failed = append(failed, err.Error())
					mu.Unlock()
					return
				}
				record(what, r, allowed...)
			}
			// The contested creates, once per worker.
			try("mkdir", "POST", "/v1/files/"+root+"/entries/", map[string]any{"name": "once", "action": "CREATE_DIRECTORY"}, 200, 409)
			try("quota", "POST", "/v1/files/quotas/", map[string]any{"id": quotaDir, "limit": "1000000"}, 200, 409)
			try("bucket", "POST", "/v1/s3/buckets/", map[string]any{"name": "race-bucket", "path": "/race/bucket", "create_fs_path": true}, 200, 409)
			try("key", "POST", "/v1/s3/access-keys/", map[string]any{"user": map[string]any{"name": "racer"}}, 200, 409)
			for range perWorker {
				d, f := rng.IntN(4), rng.IntN(4)
				switch rng.IntN(8) {
				case 0:
					try("mkdir d", "POST", "/v1/files/"+root+"/entries/", map[string]any{"name": fmt.Sprintf("d%d", d), "action": "CREATE_DIRECTORY"}, 200, 409)
				case 1:
					try("create f", "POST", "/v1/files/"+dir(d)+"/entries/", map[string]any{"name": fmt.Sprintf("f%d", f), "action": "CREATE_FILE"}, 200, 404, 409)
				case 2:
					try("rm f", "DELETE", "/v1/files/"+dir(d)+url.PathEscape(fmt.Sprintf("/f%d", f)), nil, 200, 404)
				case 3:
					try("rmdir d", "DELETE", "/v1/files/"+dir(d), nil, 200, 404, 409)
				case 4:
					try("stat d", "GET", "/v1/files/"+dir(d)+"/info/attributes", nil, 200, 404)
				case 5:
					try("list", "GET", "/v1/files/"+root+"/entries/?limit=2", nil, 200)
				case 6:
					try("tree delete", "POST", "/v1/tree-delete/jobs/", map[string]any{"id": fmt.Sprintf("/race/d%d", d)}, 202, 400, 404)
				case 7:
					try("job", "GET", "/v1/tree-delete/jobs/"+dir(d), nil, 200, 404)
				}
			}
		}()
	}
	wg.Wait()
	for _, f := range failed {
		t.Error(f)
	}
	for what, want := range map[string]int{"mkdir": 1, "quota": 1, "bucket": 1, "key": maxAccessKeys} {
		if counts[what] != want {
			t.Errorf("%d of %d concurrent %s creates succeeded, want %d", counts[what], workers, what, want)
		}
	}
	checkTree(t, c, "/race/")
	t.Logf("%d requests; successes: %v", workers*(perWorker+4), counts)
}

// checkTree walks a directory through its listings: each entry reads back
// by id with the path the listing gave, and a directory's child count is
// the length of its listing.
func checkTree(t *testing.T, c *client, path string) {
	t.Helper()
	list := c.do("GET", "/v1/files/"+url.PathEscape(path)+"/entries/", nil, nil)
	if list.status != http.StatusOK {
		t.Fatalf("list %s: %d %s", path, list.status, list.body)
	}
	files, _ := list.json(t)["files"].([]any)
	if n := list.json(t)["child_count"]; n != float64(len(files)) {
		t.Errorf("%s: child_count %v, listing has %d entries", path, n, len(files))
	}
	for _, f := range files {
		e := f.(map[string]any)
		got := c.do("GET", "/v1/files/"+e["id"].(string)+"/info/attributes", nil, nil).json(t)
		if got["path"] != e["path"] || !strings.HasPrefix(e["path"].(string), path) {
			t.Errorf("entry %v of %s reads back as %v", e["path"], path, got["path"])
		}
		if e["type"] == typeDirectory {
			checkTree(t, c, e["path"].(string))
		}
	}
}
