package client

import (
	"cmp"
	"context"

	"github.com/qapitools/qapi/gen"
)

// Starting a reboot cycle answers 202 Accepted with no body; the Reboot
// Manager reports the cycle at /v1/shutdown/reboot/status, whose state is
// REBOOT_IDLE, REBOOT_IN_PROGRESS, REBOOT_PAUSED or
// REBOOT_PAUSED_DUE_TO_ERROR, with error_message
// (docs/rest-api-guide/shutdown/shutdown_reboot_status.md). Assumed from
// those states: the manager is in progress by the time the start is
// answered, a cycle has ended when the manager is idle again, and one
// paused by an error stays so until it is resumed, so a wait fails on it at
// once. A cycle paused on request is waited through. This method is written
// by hand, not by internal/sdkgen, because it returns the handle.

// RebootJob is a handle on the reboot cycle the cluster runs in the
// background. The status is the cluster's, so Shutdown.RebootJob()
// rebuilds a handle, after a restart of the program for instance, from
// nothing.
type RebootJob struct{ s *ShutdownService }

// RebootJob is the handle on the reboot cycle the cluster runs now, or ran
// last. It sends nothing.
func (s *ShutdownService) RebootJob() *RebootJob { return &RebootJob{s: s} }

// Status reads the Reboot Manager's status.
func (j *RebootJob) Status(ctx context.Context, opts ...RequestOption) (*gen.RebootStatus, error) {
	return j.s.GetRebootStatus(ctx, opts...)
}

// Wait polls the status until the cycle has ended, as Wait does: nil once
// the manager is idle, a *JobError (ErrJobFailed) with the status's
// error_message once the cycle paused on an error, and an error that wraps
// ctx.Err() when ctx ends first. A reboot that is not rolling takes down
// the node that answers too: the wait then fails with the error of the
// read, and a new one can begin once the cluster answers again.
func (j *RebootJob) Wait(ctx context.Context, opts ...RequestOption) error {
	return Wait(ctx, func(ctx context.Context) (bool, error) {
		st, err := j.s.GetRebootStatus(ctx, opts...)
		if err != nil {
			return false, err
		}
		switch st.GetState() {
		case gen.RebootIdle:
			return true, nil
		case gen.RebootPausedDueToError:
			return false, &JobError{Message: cmp.Or(st.GetErrorMessage(), string(gen.RebootPausedDueToError))}
		}
		return false, nil
	})
}

// Pause asks the manager to pause the cycle.
func (j *RebootJob) Pause(ctx context.Context, opts ...RequestOption) error {
	return j.s.PauseReboot(ctx, opts...)
}

// Resume asks the manager to resume a paused cycle.
func (j *RebootJob) Resume(ctx context.Context, opts ...RequestOption) error {
	return j.s.ResumeReboot(ctx, opts...)
}

// StartReboot calls StartShutdownReboot, POST /v1/shutdown/reboot/start,
// and returns the job.
//
// Start a reboot cycle with the Reboot Manager system.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish.
func (s *ShutdownService) StartReboot(ctx context.Context, body gen.RebootStartOptions, opts ...RequestOption) (*RebootJob, error) {
	req, err := gen.NewStartShutdownRebootRequest(s.c.server, body)
	if err := s.c.callNone(ctx, "StartShutdownReboot", req, err, opts); err != nil {
		return nil, err
	}
	return s.RebootJob(), nil
}
