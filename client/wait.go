package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// How often Wait asks: first after firstPoll, then twice as long each time,
// up to maxPoll. A job of a second is seen finished within about a second;
// an hour-long one costs one request every ten seconds.
const (
	firstPoll = 100 * time.Millisecond
	maxPoll   = 10 * time.Second
)

// Wait calls done until it reports true, then returns nil. It calls it at
// once, then after 100ms, and then twice as long each time, up to 10s. An
// error from done ends the wait with that error; the end of ctx ends it with
// an error that wraps ctx.Err(), so the context's deadline bounds the wait:
//
//	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
//	defer cancel()
//	err := client.Wait(ctx, func(ctx context.Context) (bool, error) {
//		s, err := c.Upgrade.GetStatus(ctx)
//		return err == nil && s.State != nil && *s.State == gen.UpgradeStatePrepared, err
//	})
//
// Operations that start a job answer 202 Accepted; where the cluster
// reports the job at a URL of its own and forgets it once it has finished,
// the service has a Wait method built on WaitGone (TreeDelete.WaitJob).
func Wait(ctx context.Context, done func(ctx context.Context) (bool, error)) error {
	return poll(ctx, done, firstPoll, maxPoll)
}

// WaitGone is Wait until get fails with a 404 answer (IsNotFound): the
// cluster reports a job while it runs and answers 404 once it has finished,
// as it does for a tree delete, and a resource deleted in the background
// answers 404 once it is gone. A nil error means the job still runs.
func WaitGone(ctx context.Context, get func(ctx context.Context) error) error {
	return Wait(ctx, func(ctx context.Context) (bool, error) {
		err := get(ctx)
		if IsNotFound(err) {
			return true, nil
		}
		return false, err
	})
}

func poll(ctx context.Context, done func(ctx context.Context) (bool, error), interval, limit time.Duration) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for polls := 0; ; polls++ {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait: not done after %d polls: %w", polls, ctx.Err())
		case <-t.C:
		}
		ok, err := done(ctx)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		t.Reset(interval)
		interval = min(2*interval, limit)
	}
}

// ErrJobFailed matches a *JobError with errors.Is.
var ErrJobFailed = errors.New("job failed")

// JobError is a job the cluster reports stopped on an error: a tree delete
// that hit a file lock answers the message in last_error_message and stays
// until it is restarted or cancelled, so waiting on would only wait for the
// deadline.
type JobError struct {
	// Message is the cluster's, as it sent it.
	Message string
}

// Error returns the message, bounded and printable.
func (e *JobError) Error() string {
	return "job stopped on an error: " + printable(e.Message, maxDescription)
}

// Is makes errors.Is(err, ErrJobFailed) hold.
func (e *JobError) Is(target error) bool { return target == ErrJobFailed }

// jobFailed is what a poll of a job's status tells a wait: the error of
// the read, a *JobError when the status carries a last_error_message (null
// or "" while the job is healthy), or nil.
func jobFailed(status any, err error) error {
	if err != nil || status == nil {
		return err
	}
	data, err := json.Marshal(status)
	if err != nil {
		return nil
	}
	var v struct {
		LastErrorMessage *string `json:"last_error_message"`
	}
	if json.Unmarshal(data, &v) == nil && v.LastErrorMessage != nil && *v.LastErrorMessage != "" {
		return &JobError{Message: *v.LastErrorMessage}
	}
	return nil
}
