package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// Starting a tree delete returns a handle that knows the job's id (the
// directory's file id, looked up when the body names a path), whose Wait
// fails at once with the job's own error, and that a fresh client rebuilds
// from the id alone to restart the job and wait for it.
func TestTreeDeleteJobHandle(t *testing.T) {
	t.Parallel()
	// A bound against a Wait that does not fail fast, which would poll a
	// held job for ever; a passing run takes milliseconds.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tw := mocktest.New(t, mock.WithHeldJobs())
	tw.MkdirAll("/scratch/a")
	tw.WriteFile("/scratch/a/f", []byte("x"))
	scratch, err := tw.Client.Files.GetFileInfoAttributes(ctx, "/scratch", nil)
	if err != nil {
		t.Fatal(err)
	}

	job, err := tw.Client.TreeDelete.CreateJob(ctx, gen.TreeDeleteJobPost{ID: client.Ptr("/scratch")})
	if err != nil {
		t.Fatal(err)
	}
	if job.ID() != *scratch.ID {
		t.Fatalf("job id %q, want the directory's file id %s", job.ID(), *scratch.ID)
	}
	if s, err := job.Status(ctx); err != nil || s.ID == nil || *s.ID != job.ID() {
		t.Fatalf("status of the running job: %+v, %v", s, err)
	}

	tw.FailJob(job.ID(), "file locked: /scratch/a/f")
	err = job.Wait(ctx)
	var je *client.JobError
	if !errors.Is(err, client.ErrJobFailed) || !errors.As(err, &je) || je.Message != "file locked: /scratch/a/f" || ctx.Err() != nil {
		t.Fatalf("Wait on a failed job: %v (bound ran out: %v)", err, ctx.Err() != nil)
	}

	// After a restart of the program: a fresh client, and the id alone.
	fresh := tw.NewClient()
	resumed := fresh.TreeDelete.Job(job.ID())
	if err := resumed.Wait(ctx); !errors.Is(err, client.ErrJobFailed) {
		t.Fatalf("the resumed handle's Wait: %v, want the job's error", err)
	}
	if err := resumed.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if st, err := resumed.Status(ctx); err != nil || st.LastErrorMessage != nil {
		t.Fatalf("the restarted job: %+v, %v; want it running without an error", st, err)
	}
	tw.FinishJob(job.ID())
	if err := resumed.Wait(ctx); err != nil {
		t.Fatalf("Wait on the finished job: %v", err)
	}
	if tw.Exists("/v1/files/%2Fscratch/info/attributes") {
		t.Error("the tree is still there")
	}
	if _, err := resumed.Status(ctx); !client.IsNotFound(err) {
		t.Errorf("status of a finished job: %v, want 404", err)
	}
}

// A body naming no directory is refused before anything is sent; one
// naming a missing directory says which.
func TestTreeDeleteJobRefusals(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	if _, err := tw.Client.TreeDelete.CreateJob(t.Context(), gen.TreeDeleteJobPost{}); !errors.Is(err, client.ErrMissingParams) {
		t.Errorf("no directory: %v, want ErrMissingParams", err)
	}
	if _, err := tw.Client.TreeDelete.CreateJob(t.Context(), gen.TreeDeleteJobPost{ID: client.Ptr("/missing")}); !client.IsNotFound(err) {
		t.Errorf("a missing directory: %v, want 404", err)
	}
	if len(tw.Mock.Jobs()) != 0 {
		t.Errorf("jobs %v after refusals", tw.Mock.Jobs())
	}
}
