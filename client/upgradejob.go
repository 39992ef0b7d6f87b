package client

import (
	"context"

	"github.com/qapitools/qapi/gen"
)

// Preparing and committing an upgrade answer 202 Accepted with no body; the
// cluster reports the upgrade at /v3/upgrade/status, whose state walks
// IDLE, PREPARING, PREPARED, COMMITTING, COMMITTED and REBOOTING
// (docs/rest-api-guide/upgrade/v3_upgrade_status.md) and whose error_info
// says what went wrong. A prepare with auto_commit goes on to commit
// ("the system will automatically commit when prepare is complete",
// v2_upgrade_prepare.md), so a prepare has ended at PREPARED or any later
// state. Assumed, as the pages give no failure state: a failed action
// leaves the upgrade out of its running state with error_info set, and an
// error_info seen while the action runs is an earlier one's. These methods
// are written by hand, not by internal/sdkgen, because they return the
// handle.

// UpgradeJob is a handle on an upgrade the cluster prepares or commits in
// the background. The status is the cluster's, so Upgrade.PrepareJob()
// and Upgrade.CommitJob() rebuild a handle, after a restart of the
// program for instance, from nothing.
type UpgradeJob struct {
	s *UpgradeService
	// running is the state of the action while it runs; done are the
	// states it has ended in.
	running gen.UpgradeState
	done    []gen.UpgradeState
}

var (
	prepareDone = []gen.UpgradeState{gen.UpgradeStatePrepared, gen.UpgradeStateCommitting, gen.UpgradeStateCommitted, gen.UpgradeStateRebooting}
	commitDone  = []gen.UpgradeState{gen.UpgradeStateCommitted, gen.UpgradeStateRebooting}
)

// PrepareJob is the handle on the prepare the cluster runs now, or ran
// last. It sends nothing.
func (s *UpgradeService) PrepareJob() *UpgradeJob {
	return &UpgradeJob{s: s, running: gen.UpgradeStatePreparing, done: prepareDone}
}

// CommitJob is the handle on the commit the cluster runs now, or ran last.
// It sends nothing.
func (s *UpgradeService) CommitJob() *UpgradeJob {
	return &UpgradeJob{s: s, running: gen.UpgradeStateCommitting, done: commitDone}
}

// Status reads the upgrade's status.
func (j *UpgradeJob) Status(ctx context.Context, opts ...RequestOption) (*gen.UpgradeStatus, error) {
	return j.s.GetStatus(ctx, opts...)
}

// Wait polls the status until the action has ended, as Wait does: nil once
// it reached a state it ends in (PREPARED or later for a prepare,
// COMMITTED or REBOOTING for a commit), a *JobError (ErrJobFailed) with the
// status's error_info once the upgrade has left the action's running state
// with an error, and an error that wraps ctx.Err() when ctx ends first. A
// commit's cluster reboots: wait for it to answer again with a context of
// its own.
func (j *UpgradeJob) Wait(ctx context.Context, opts ...RequestOption) error {
	return Wait(ctx, func(ctx context.Context) (bool, error) {
		st, err := j.s.GetStatus(ctx, opts...)
		if err != nil {
			return false, err
		}
		state := st.GetState()
		for _, d := range j.done {
			if state == d {
				return true, nil
			}
		}
		if msg := st.GetErrorInfo(); msg != "" && state != j.running {
			return false, &JobError{Message: msg}
		}
		return false, nil
	})
}

// Prepare calls PrepareUpgrade, POST /v2/upgrade/prepare, and returns the
// job.
//
// Prepare for upgrade.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish.
func (s *UpgradeService) Prepare(ctx context.Context, body gen.UpgradePrepareRequest, opts ...RequestOption) (*UpgradeJob, error) {
	req, err := gen.NewPrepareUpgradeRequest(s.c.server, body)
	if err := s.c.callNone(ctx, "PrepareUpgrade", req, err, opts); err != nil {
		return nil, err
	}
	return s.PrepareJob(), nil
}

// Commit calls CommitUpgrade, POST /v2/upgrade/commit, and returns the job.
//
// Commit a prepared upgrade.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish.
func (s *UpgradeService) Commit(ctx context.Context, opts ...RequestOption) (*UpgradeJob, error) {
	req, err := gen.NewCommitUpgradeRequest(s.c.server)
	if err := s.c.callNone(ctx, "CommitUpgrade", req, err, opts); err != nil {
		return nil, err
	}
	return s.CommitJob(), nil
}
