package client

import (
	"context"
	"fmt"

	"github.com/qapitools/qapi/gen"
)

// Starting a tree delete answers 202 Accepted with no body: the job's id is
// the directory's file id ("Job ID (uint64)" on the pages of
// /v1/tree-delete/jobs/{id}; the twin and Qumulo's own qq client read a job
// by it). These methods are written by hand, not by internal/sdkgen,
// because the handle needs that id, which a body naming the directory by
// path does not give.

// TreeDeleteJob is a handle on a tree delete the cluster runs in the
// background. It holds nothing but its id, so TreeDelete.Job(id) rebuilds
// it, after a restart of the program for instance, from the id alone.
type TreeDeleteJob struct {
	s  *TreeDeleteService
	id string
}

// ID is the job's id, the directory's file id.
func (j *TreeDeleteJob) ID() string { return j.id }

// Wait waits for the job to finish, as TreeDelete.WaitJob does: nil once the
// cluster has forgotten the job (404), a *JobError (ErrJobFailed) at once
// when the job reports an error in last_error_message, and an error that
// wraps ctx.Err() when ctx ends first.
func (j *TreeDeleteJob) Wait(ctx context.Context, opts ...RequestOption) error {
	return j.s.WaitJob(ctx, j.id, opts...)
}

// Status reads the job as the cluster reports it while it runs; once it
// has finished, the answer is 404 (IsNotFound).
func (j *TreeDeleteJob) Status(ctx context.Context, opts ...RequestOption) (*gen.TreeDeleteJobStatus, error) {
	return j.s.GetJob(ctx, j.id, opts...)
}

// Restart runs a job that stopped on an error (a file lock) again.
func (j *TreeDeleteJob) Restart(ctx context.Context, opts ...RequestOption) error {
	_, err := j.s.RestartJob(ctx, j.id, opts...)
	return err
}

// Cancel stops the job; what it deleted stays deleted.
func (j *TreeDeleteJob) Cancel(ctx context.Context, opts ...RequestOption) error {
	return j.s.DeleteJob(ctx, j.id, opts...)
}

// Job is the handle on the tree delete with this id (the directory's file
// id), to wait for a job started earlier, by this program or another. It
// sends nothing.
func (s *TreeDeleteService) Job(id string) *TreeDeleteJob { return &TreeDeleteJob{s: s, id: id} }

// CreateJob calls CreateTreeDeleteJob, POST /v1/tree-delete/jobs/, and
// returns the job.
//
// Start unlinking this directory and all its contents.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish. A directory named by
// its path (body.ID "/scratch") is first read (GET
// /v1/files/{ref}/info/attributes) for its file id, the job's id, since
// the path names nothing once the tree is gone. opts apply to the POST.
func (s *TreeDeleteService) CreateJob(ctx context.Context, body gen.TreeDeleteJobPost, opts ...RequestOption) (*TreeDeleteJob, error) {
	var id string
	if body.ID != nil {
		id = *body.ID
	}
	if id == "" {
		return nil, fmt.Errorf("CreateTreeDeleteJob: %w: body.ID names the directory", ErrMissingParams)
	}
	if !isFileID(id) {
		dir, err := s.c.Files.GetFileInfoAttributes(ctx, id, nil)
		if err != nil {
			return nil, fmt.Errorf("tree delete of %q: read its file id: %w", id, err)
		}
		if dir.ID == nil {
			return nil, fmt.Errorf("tree delete of %q: the attributes carry no file id", id)
		}
		id = *dir.ID
	}
	req, err := gen.NewCreateTreeDeleteJobRequest(s.c.server, body)
	if err := s.c.callNone(ctx, "CreateTreeDeleteJob", req, err, opts); err != nil {
		return nil, err
	}
	return s.Job(id), nil
}

// RestartJob calls RestartTreeDeleteJob, POST
// /v1/tree-delete/jobs/restart/{id}, and returns the job.
//
// Restart execution of a directory tree deletion job that has hit an error on a
// filelock.
//
// The cluster answers 202 Accepted and finishes the work in the background:
// the job's Wait waits for it to finish.
func (s *TreeDeleteService) RestartJob(ctx context.Context, id string, opts ...RequestOption) (*TreeDeleteJob, error) {
	req, err := gen.NewRestartTreeDeleteJobRequest(s.c.server, id)
	if err := s.c.callNone(ctx, "RestartTreeDeleteJob", req, err, opts); err != nil {
		return nil, err
	}
	return s.Job(id), nil
}

// isFileID tells whether ref is a file id (decimal digits) rather than a
// path.
func isFileID(ref string) bool {
	if ref == "" {
		return false
	}
	for _, r := range ref {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
