package client

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestReplicationJobWaits(t *testing.T) {
	t.Parallel()
	const old, fresh = "2026-12-01T10:00:00Z", "2026-12-06T10:00:00Z"
	status := func(state, recovery, lastError string) map[string]any {
		return map[string]any{"id": "r1", "job_state": state, "recovery_point": recovery, "error_from_last_job": lastError}
	}
	idle := func(recovery, lastError string) map[string]any {
		return status("REPLICATION_NOT_RUNNING", recovery, lastError)
	}
	running := status("REPLICATION_RUNNING", old, "")
	for _, tt := range []struct {
		name    string
		rebuilt bool
		// before is the status the replicate reads first; states are what
		// the wait reads, one per poll, the last one staying.
		before map[string]any
		states []map[string]any
		reads  int // polls of the wait
		err    string
	}{
		{"succeeds", false, idle(old, ""), []map[string]any{running, running, idle(fresh, "")}, 3, ""},
		// NOT_RUNNING before the job starts does not end the wait.
		{"not started yet", false, idle(old, ""), []map[string]any{idle(old, ""), running, idle(fresh, "")}, 3, ""},
		// A job too quick to be seen running ends with the recovery point.
		{"too quick to see", false, idle(old, ""), []map[string]any{idle(fresh, "")}, 1, ""},
		{"fails", false, idle(old, ""), []map[string]any{running, idle(old, "target unreachable")}, 2, "target unreachable"},
		// The error of the job before is not this one's, until this one
		// was seen running.
		{"past an earlier error", false, idle(old, "disk full"), []map[string]any{idle(old, "disk full"), running, idle(fresh, "")}, 3, ""},
		{"fails as the one before", false, idle(old, "disk full"), []map[string]any{idle(old, "disk full"), running, idle(old, "disk full")}, 3, "disk full"},
		{"a new error unseen running", false, idle(old, "disk full"), []map[string]any{idle(old, "target unreachable")}, 1, "target unreachable"},
		{"rebuilt while running", true, nil, []map[string]any{running, idle(fresh, "")}, 2, ""},
		{"rebuilt after a failure", true, nil, []map[string]any{idle(old, "target unreachable")}, 1, "target unreachable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			var mu sync.Mutex
			replicated, reads := 0, 0
			c := newJobClient(t, func(w http.ResponseWriter, r *http.Request, _ int) bool {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.Method == http.MethodPost && r.URL.Path == "/v2/replication/source-relationships/r1/replicate":
					replicated++
					w.WriteHeader(http.StatusAccepted)
				case r.Method == http.MethodGet && r.URL.Path == "/v2/replication/source-relationships/r1/status":
					if replicated == 0 && !tt.rebuilt {
						writeJSON(w, http.StatusOK, tt.before)
						return true
					}
					writeJSON(w, http.StatusOK, tt.states[min(reads, len(tt.states)-1)])
					reads++
				default:
					return false
				}
				return true
			})
			job := c.Replication.ReplicationJob("r1")
			if !tt.rebuilt {
				var err error
				if job, err = c.Replication.ReplicateSourceRelationship(ctx, "r1"); err != nil {
					t.Fatal(err)
				}
			}
			checkWait(t, job.Wait(ctx), tt.err)
			mu.Lock()
			defer mu.Unlock()
			if want := map[bool]int{false: 1, true: 0}[tt.rebuilt]; replicated != want || reads != tt.reads {
				t.Errorf("%d replicates and %d polls, want %d and %d", replicated, reads, want, tt.reads)
			}
		})
	}
}
