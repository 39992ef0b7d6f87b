package client

import (
	"cmp"
	"context"
	"strings"

	"github.com/qapitools/qapi/gen"
)

// Joining, leaving and reconfiguring Active Directory answer 202 Accepted
// with no body; the cluster runs one such action at a time and reports it
// at /v1/ad/monitor, whose status names the action and its state
// (JOIN_IN_PROGRESS, JOIN_SUCCEEDED, JOIN_FAILED, LEAVE_…,
// RECONFIGURE_IN_PROGRESS; docs/rest-api-guide/active-directory/ad_monitor.md)
// and, on a failure, last_error. A reconfigure has no state of its own once
// it has ended: the cluster stays joined, so it ends as a join does
// (assumed from the monitor's enum). These methods are written by hand, not
// by internal/sdkgen, because they return the handle.

// ADJob is a handle on the Active Directory action the cluster runs in the
// background. The monitor is the cluster's, so AD.Job() rebuilds a handle,
// after a restart of the program for instance, from nothing.
type ADJob struct {
	s *ADService
	// action is the monitor's word for what the job does (JOIN, LEAVE),
	// or "" for a handle that waits for whichever action runs.
	action string
}

// Job is the handle on the Active Directory action the cluster runs now,
// or ran last. It sends nothing.
func (s *ADService) Job() *ADJob { return &ADJob{s: s} }

// Status reads the monitor.
func (j *ADJob) Status(ctx context.Context, opts ...RequestOption) (*gen.ADDomainMonitor, error) {
	return j.s.GetMonitor(ctx, opts...)
}

// Wait polls the monitor until the action has ended, as Wait does: nil
// once it succeeded, a *JobError (ErrJobFailed) with the monitor's
// last_error once it failed, and an error that wraps ctx.Err() when ctx
// ends first. A state left over from an earlier action (JOIN_SUCCEEDED
// while a leave starts) does not end the wait of a handle that knows its
// action.
func (j *ADJob) Wait(ctx context.Context, opts ...RequestOption) error {
	return Wait(ctx, func(ctx context.Context) (bool, error) {
		m, err := j.s.GetMonitor(ctx, opts...)
		if err != nil {
			return false, err
		}
		action, state, _ := strings.Cut(string(m.GetStatus()), "_")
		if action == "RECONFIGURE" {
			action = "JOIN"
		}
		if j.action != "" && action != j.action {
			return false, nil
		}
		switch state {
		case "SUCCEEDED":
			return true, nil
		case "FAILED":
			e := m.GetLastError()
			return false, &JobError{Message: cmp.Or(e.GetDescription(), e.GetErrorClass(), string(m.GetStatus()))}
		}
		return false, nil
	})
}

// Cancel asks the cluster to stop the action.
func (j *ADJob) Cancel(ctx context.Context, opts ...RequestOption) error {
	return j.s.Cancel(ctx, opts...)
}

// Join calls JoinAD, POST /v1/ad/join, and returns the job.
//
// Joins the cluster to an Active Directory domain.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish.
func (s *ADService) Join(ctx context.Context, body gen.ADDomainJoinArgs, opts ...RequestOption) (*ADJob, error) {
	req, err := gen.NewJoinADRequest(s.c.server, body)
	if err := s.c.callNone(ctx, "JoinAD", req, err, opts); err != nil {
		return nil, err
	}
	return &ADJob{s: s, action: "JOIN"}, nil
}

// Leave calls LeaveAD, POST /v1/ad/leave, and returns the job.
//
// Removes the cluster from Active Directory.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish.
func (s *ADService) Leave(ctx context.Context, body gen.ADDomainLeaveArgs, opts ...RequestOption) (*ADJob, error) {
	req, err := gen.NewLeaveADRequest(s.c.server, body)
	if err := s.c.callNone(ctx, "LeaveAD", req, err, opts); err != nil {
		return nil, err
	}
	return &ADJob{s: s, action: "LEAVE"}, nil
}

// Reconfigure calls ReconfigureAD, POST /v1/ad/reconfigure, and returns the
// job.
//
// Enables/disables POSIX attributes, sets Base DN.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish.
func (s *ADService) Reconfigure(ctx context.Context, body gen.ADDomainReconfigureArgs, opts ...RequestOption) (*ADJob, error) {
	req, err := gen.NewReconfigureADRequest(s.c.server, body)
	if err := s.c.callNone(ctx, "ReconfigureAD", req, err, opts); err != nil {
		return nil, err
	}
	return &ADJob{s: s, action: "JOIN"}, nil
}
