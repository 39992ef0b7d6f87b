package client_test

import (
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock/mocktest"
)

// countingTransport counts the requests per method and path.
type countingTransport struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n[req.Method+" "+req.URL.EscapedPath()]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (c *countingTransport) count(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// Against the twin, as against a cluster: an iterator follows paging.next
// across pages, and WaitJob sees a tree delete to its end, after which the
// directory is gone.
func TestSeqAndWaitAgainstTheTwin(t *testing.T) {
	t.Parallel()
	srv := mocktest.NewServer(t)
	counts := &countingTransport{n: map[string]int{}}
	c, err := client.New(srv.URL, client.WithCredentials("admin", "admin"), client.WithHTTPClient(&http.Client{Transport: counts}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	var want []string
	var dirA string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		d, err := c.Files.CreateFileEntry(ctx, "/", gen.FilesCreateEntry{Name: client.Ptr(name), Action: client.Ptr(gen.CreateDirectory)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Files.CreateQuota(ctx, gen.FilesQuota{ID: d.ID, Limit: client.Ptr("1000")}); err != nil {
			t.Fatal(err)
		}
		want = append(want, *d.ID)
		if name == "a" {
			dirA = *d.ID
		}
	}
	var got []string
	for q, err := range c.Files.ListQuotasSeq(ctx, &gen.ListFilesQuotasParams{Limit: client.Ptr(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *q.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("quotas %v, want %v", got, want)
	}
	if n := counts.count("GET /v1/files/quotas/"); n != 3 {
		t.Errorf("%d pages of 2 for 5 quotas, want 3", n)
	}

	job, err := c.TreeDelete.CreateJob(ctx, gen.TreeDeleteJobPost{ID: client.Ptr("/a")})
	if err != nil {
		t.Fatal(err)
	}
	if job.ID() != dirA {
		t.Errorf("the job of /a has id %s, want its file id %s", job.ID(), dirA)
	}
	if err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := counts.count("GET /v1/tree-delete/jobs/" + dirA); n < 2 {
		t.Errorf("WaitJob asked %d times; the twin reports a job running once", n)
	}
	if _, err := c.Files.GetFileInfoAttributes(ctx, "/a", nil); !client.IsNotFound(err) {
		t.Errorf("after the tree delete /a answers %v, want 404", err)
	}
}

// A snapshot's id comes back as the int64 the snapshot methods take: one Go
// type for one id, from create through read, change and delete.
func TestIntegerIDsRoundTripAgainstTheTwin(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	ctx := t.Context()
	created, err := tw.Client.Snapshots.Create(ctx, gen.SnapshotCreate{NameSuffix: client.Ptr("nightly")})
	if err != nil {
		t.Fatal(err)
	}
	id := created.GetID()
	got, err := tw.Client.Snapshots.Get(ctx, id)
	if err != nil {
		t.Fatalf("get snapshot %d: %v", id, err)
	}
	if got.GetID() != id || got.GetName() != created.GetName() {
		t.Errorf("got snapshot %d %q, want %d %q", got.GetID(), got.GetName(), id, created.GetName())
	}
	if err := tw.Client.Snapshots.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Client.Snapshots.Get(ctx, id); !client.IsNotFound(err) {
		t.Errorf("get deleted snapshot %d: %v, want not found", id, err)
	}
}
