package mocktest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// New hands out a client that is logged in already and trusts the twin's
// certificate: a login refused after New does not stop it.
func TestNewHandsOutALoggedInClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := mocktest.New(t, mock.WithTLS(), mock.WithCredentials("driver", "s3cret-for-tests"))
	if !strings.HasPrefix(tw.URL, "https://127.0.0.1:") {
		t.Errorf("URL = %s, want https on loopback", tw.URL)
	}
	tw.React(mock.Reaction{Method: "POST", Path: "/v1/session/login", Status: 500})
	if _, err := tw.Client.SMB.ListShares(ctx, nil); err != nil {
		t.Fatalf("a call of the client New handed out: %v", err)
	}
	if c, err := client.New(tw.URL, client.WithCredentials("driver", "s3cret-for-tests")); err != nil {
		t.Fatal(err)
	} else if _, err := c.SMB.ListShares(ctx, nil); err == nil {
		t.Error("a client that does not trust the twin's certificate got through")
	}
}

// A test seeds items by path and a file tree, and reads what the client
// did without the client.
func TestSeedAndInspect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := mocktest.New(t)
	dir := tw.MkdirAll("/projects/alpha")
	tw.WriteFile("/projects/alpha/readme.txt", []byte("hi"))
	tw.Seed("POST", "/v2/smb/shares/", map[string]any{"share_name": "projects", "fs_path": "/projects"})

	share, err := tw.Client.SMB.GetShare(ctx, "projects")
	if err != nil || share.FSPath == nil || *share.FSPath != "/projects" {
		t.Fatalf("the seeded share through the client: %+v, %v", share, err)
	}
	attrs, err := tw.Client.Files.CreateFileEntry(ctx, dir, gen.FilesCreateEntry{Name: client.Ptr("beta"), Action: client.Ptr(gen.CreateDirectory)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/", "/projects/", "/projects/alpha/", "/projects/alpha/beta/", "/projects/alpha/readme.txt"}
	if got := tw.Files(); !slices.Equal(got, want) {
		t.Errorf("Files = %v, want %v", got, want)
	}
	var got struct {
		Path string `json:"path"`
	}
	tw.GetJSON("/v1/files/"+*attrs.ID+"/info/attributes", &got)
	if got.Path != "/projects/alpha/beta/" {
		t.Errorf("the directory the client made reads %+v", got)
	}
	if err := tw.Client.SMB.DeleteShare(ctx, "projects"); err != nil {
		t.Fatal(err)
	}
	if tw.Exists("/v2/smb/shares/projects") {
		t.Error("the share the client deleted still exists")
	}
	if string(tw.ReadFile("/projects/alpha/readme.txt")) != "hi" {
		t.Error("ReadFile lost the file's data")
	}

	// A user seeded by path logs in with a client of its own.
	tw.Seed("POST", "/v1/users/", map[string]any{"name": "alice", "password": "alice-pass-1"})
	alice := tw.NewClient(client.WithCredentials("alice", "alice-pass-1"))
	if who, err := alice.Session.GetWhoAmI(ctx); err != nil || who.Name == nil || *who.Name != "alice" {
		t.Errorf("who-am-i of the seeded user: %+v, %v", who, err)
	}
}

// A reaction makes one operation, or one item of it, fail with the status
// and class the test names; the client sees them as a cluster's.
func TestReactionsThroughTheClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := mocktest.New(t, mock.WithTLS())
	tw.MkdirAll("/a")
	tw.MkdirAll("/b")
	tw.Seed("POST", "/v2/smb/shares/", map[string]any{"share_name": "a", "fs_path": "/a"})
	tw.Seed("POST", "/v2/smb/shares/", map[string]any{"share_name": "b", "fs_path": "/b"})

	tw.React(mock.Reaction{Method: "DELETE", Path: "/v3/smb/shares/{}", Item: "a", Status: http.StatusConflict, Class: "share_busy_error"})
	err := tw.Client.SMB.DeleteShare(ctx, "a")
	var apiErr *client.APIError
	if !client.IsConflict(err) || !errors.As(err, &apiErr) || apiErr.ErrorClass != "share_busy_error" {
		t.Errorf("DELETE of the reacting share: %v, want 409 share_busy_error", err)
	}
	if err := tw.Client.SMB.DeleteShare(ctx, "b"); err != nil {
		t.Errorf("DELETE of another share: %v", err)
	}

	// Once: the client's retry of a GET on 503 gets the twin's answer.
	tw.React(mock.Reaction{Method: "GET", Path: "/v3/smb/shares/{share_id}", Status: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"0"}}, Times: 1})
	if _, err := tw.Client.SMB.GetShare(ctx, "a"); err != nil {
		t.Errorf("GET after one 503: %v", err)
	}
	// A dropped connection: a POST is never retried.
	tw.React(mock.Reaction{Method: "POST", Path: "/v3/smb/shares/", Drop: true, Times: 1})
	if _, err := tw.Client.SMB.CreateShare(ctx, nil, gen.SMBSharePostV3{ShareName: client.Ptr("c"), FSPath: client.Ptr("/")}); err == nil {
		t.Error("a POST whose connection dropped: no error")
	}
	// A stall the caller's deadline ends.
	tw.React(mock.Reaction{Method: "GET", Path: "/v3/smb/shares/", Stall: mock.StallForever})
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := tw.Client.SMB.ListShares(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a stalled list: %v, want the deadline", err)
	}
}

// A fault applies to the twin mocktest serves, as to every other way of
// serving it.
func TestFaultThroughMocktest(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t, mock.WithFault(mock.FaultUndocumentedStatus))
	resp, err := tw.Server.Client().Get(tw.URL + "/v1/version")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNonAuthoritativeInfo {
		t.Errorf("GET /v1/version = %d, want the fault's 203", resp.StatusCode)
	}
}

// Held jobs finish or fail when the test says, and the client's wait sees
// it; the test's clock stamps what the twin does.
func TestJobsAndClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	clk := mocktest.NewClock(start)
	tw := mocktest.New(t, mock.WithHeldJobs(), mock.WithClock(clk.Now), mock.WithTLS())
	tw.WriteFile("/scratch/tmp/f", []byte("x"))
	clk.Advance(time.Minute)
	started, err := tw.Client.TreeDelete.CreateJob(ctx, gen.TreeDeleteJobPost{ID: client.Ptr("/scratch")})
	if err != nil {
		t.Fatal(err)
	}
	id := started.ID()
	if jobs := tw.Mock.Jobs(); len(jobs) != 1 || jobs[0] != id {
		t.Fatalf("the handle's id is %s; the twin runs %v", id, jobs)
	}
	tw.FailJob(id, "file locked: /scratch/tmp/f")
	job, err := tw.Client.TreeDelete.GetJob(ctx, id)
	if err != nil || job.LastErrorMessage == nil || *job.LastErrorMessage != "file locked: /scratch/tmp/f" {
		t.Fatalf("the failed job reads %+v, %v", job, err)
	}
	if job.CreateTime == nil || *job.CreateTime != start.Add(time.Minute).Format(time.RFC3339Nano) {
		t.Errorf("create_time = %v, want the test clock's %s", job.CreateTime, start.Add(time.Minute))
	}
	clk.Advance(time.Hour)
	if _, err := tw.Client.TreeDelete.GetJob(ctx, id); err != nil {
		t.Errorf("a failed job went by itself: %v", err)
	}
	tw.FinishJob(id)
	if err := tw.Client.TreeDelete.WaitJob(ctx, id); err != nil {
		t.Fatalf("wait for the finished job: %v", err)
	}
	if slices.Contains(tw.Files(), "/scratch/") {
		t.Error("the tree is still there")
	}
	// Session tokens expire on the test's clock; the client logs in again.
	clk.Advance(11 * time.Hour)
	if _, err := tw.Client.SMB.ListShares(ctx, nil); err != nil {
		t.Errorf("after the token expired: %v", err)
	}
}

// Twins are isolated: parallel tests write the same paths and each sees
// its own.
func TestParallelTwins(t *testing.T) {
	t.Parallel()
	// Statuses the client neither retries nor logs in again on.
	for i, status := range []int{400, 403, 404, 405, 409, 500} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			tw := mocktest.New(t)
			tw.WriteFile("/same/name", []byte(fmt.Sprint(i)))
			tw.React(mock.Reaction{Method: "GET", Path: "/v1/version", Status: status})
			if got := string(tw.ReadFile("/same/name")); got != fmt.Sprint(i) {
				t.Errorf("twin %d reads %q", i, got)
			}
			_, err := tw.Client.Version.Get(context.Background())
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Errorf("twin %d: version answered %v, want its own reaction's %d", i, err, status)
			}
		})
	}
}

// The clock is safe for concurrent use and moves only when told.
func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Unix(1e9, 0)
	c := mocktest.NewClock(start)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			c.Advance(time.Second)
		}
	}()
	for range 100 {
		_ = c.Now()
	}
	<-done
	if got := c.Now(); !got.Equal(start.Add(100 * time.Second)) {
		t.Errorf("Now = %v", got)
	}
	c.Set(start)
	if !c.Now().Equal(start) {
		t.Error("Set did not set")
	}
}

// A job the cluster reports stopped on an error ends a wait at once with
// the job's own message, rather than at the deadline.
func TestWaitJobFailsFast(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tw := mocktest.New(t, mock.WithHeldJobs())
	tw.MkdirAll("/scratch/a")
	job, err := tw.Client.TreeDelete.CreateJob(ctx, gen.TreeDeleteJobPost{ID: client.Ptr("/scratch")})
	if err != nil {
		t.Fatal(err)
	}
	tw.FailJob(job.ID(), "file locked")
	err = job.Wait(ctx)
	var je *client.JobError
	if !errors.Is(err, client.ErrJobFailed) || !errors.As(err, &je) || je.Message != "file locked" || ctx.Err() != nil {
		t.Fatalf("WaitJob on a failed job: %v (deadline passed: %v)", err, ctx.Err() != nil)
	}
}
