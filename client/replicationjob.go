package client

import (
	"context"
	"time"

	"github.com/qapitools/qapi/gen"
)

// Replicating a source relationship answers 202 Accepted with no body; the
// relationship's status (GET /v2/replication/source-relationships/{id}/status,
// docs/rest-api-guide/replication/v2_replication_source-relationships_id_status.md) says whether a job runs
// (job_state REPLICATION_RUNNING or REPLICATION_NOT_RUNNING), "the time that
// the last successful job started" (recovery_point) and "the error message
// from the previous job", empty when it succeeded (error_from_last_job).
// job_state reads REPLICATION_NOT_RUNNING both before a job starts and after
// it ends, so a handle that started the job remembers the recovery point
// and the error it saw before: the job succeeded once the recovery point
// moves, and failed once it is no longer running with an error it did not
// see before or after it was seen running. A handle rebuilt from the id
// alone knows neither, and waits for the job that runs now, or ran last,
// to be no longer running. This method is written by hand, not by
// internal/sdkgen, because it returns the handle.

// ReplicationJob is a handle on a replication job of a source relationship.
type ReplicationJob struct {
	s  *ReplicationService
	id string
	// started tells a handle that started the job, with what the status
	// said before: the recovery point and the last job's error.
	started   bool
	recovered time.Time
	lastError string
}

// ID returns the relationship's id.
func (j *ReplicationJob) ID() string { return j.id }

// ReplicationJob is the handle on the job of relationship id that runs
// now, or ran last. It sends nothing.
func (s *ReplicationService) ReplicationJob(id string) *ReplicationJob {
	return &ReplicationJob{s: s, id: id}
}

// Status reads the relationship's status.
func (j *ReplicationJob) Status(ctx context.Context, opts ...RequestOption) (*gen.SourceRelationshipStatus, error) {
	return j.s.GetSourceRelationshipStatus(ctx, j.id, opts...)
}

// Wait polls the relationship's status until the job has ended, as Wait
// does: nil once it succeeded, a *JobError (ErrJobFailed) with
// error_from_last_job once it failed, and an error that wraps ctx.Err()
// when ctx ends first.
func (j *ReplicationJob) Wait(ctx context.Context, opts ...RequestOption) error {
	seenRunning := false
	return Wait(ctx, func(ctx context.Context) (bool, error) {
		st, err := j.Status(ctx, opts...)
		if err != nil {
			return false, err
		}
		if st.GetJobState() == gen.ReplicationRunning {
			seenRunning = true
			return false, nil
		}
		msg := st.GetErrorFromLastJob()
		switch {
		case !j.started && msg != "":
			return false, &JobError{Message: msg}
		case !j.started:
			return true, nil
		case st.GetRecoveryPoint().After(j.recovered):
			return true, nil
		case msg != "" && (seenRunning || msg != j.lastError):
			return false, &JobError{Message: msg}
		}
		return false, nil
	})
}

// ReplicateSourceRelationship reads the status of the relationship (without
// opts, which go with the replicate), calls
// ReplicateReplicationSourceRelationship, POST
// /v2/replication/source-relationships/{id}/replicate, and returns the job.
//
// Replicate from the source to the target of the specified replication
// relationship where this cluster is the source.
//
// The cluster answers 202 Accepted and finishes the work in the
// background: the job's Wait waits for it to finish.
func (s *ReplicationService) ReplicateSourceRelationship(ctx context.Context, id string, opts ...RequestOption) (*ReplicationJob, error) {
	before, err := s.GetSourceRelationshipStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	req, err := gen.NewReplicateReplicationSourceRelationshipRequest(s.c.server, id)
	if err := s.c.callNone(ctx, "ReplicateReplicationSourceRelationship", req, err, opts); err != nil {
		return nil, err
	}
	return &ReplicationJob{s: s, id: id, started: true, recovered: before.GetRecoveryPoint(), lastError: before.GetErrorFromLastJob()}, nil
}
