package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/qapitools/qapi/gen"
)

// adCluster answers the Active Directory actions with 202 and walks the
// monitor through the states it is given, one per read; the last one stays.
type adCluster struct {
	mu     sync.Mutex
	states []map[string]any
	reads  int
	posts  []string
}

func (a *adCluster) serve(w http.ResponseWriter, r *http.Request, _ int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case r.Method == http.MethodPost:
		a.posts = append(a.posts, r.URL.Path)
		w.WriteHeader(http.StatusAccepted)
	case r.URL.Path == "/v1/ad/monitor":
		writeJSON(w, http.StatusOK, a.states[min(a.reads, len(a.states)-1)])
		a.reads++
	default:
		return false
	}
	return true
}

func newADClient(t *testing.T, states ...map[string]any) (*Client, *adCluster) {
	t.Helper()
	ad := &adCluster{states: states}
	return newJobClient(t, ad.serve), ad
}

// newJobClient is a client of a fake cluster whose answers serve gives
// first (see fakeCluster.inject).
func newJobClient(t *testing.T, serve func(w http.ResponseWriter, r *http.Request, n int) bool) *Client {
	t.Helper()
	fake := newFakeCluster()
	fake.inject = serve
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, WithToken("access-v1:long-lived"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkWait fails t unless err is what a job's Wait should end with: nil
// when want is "", else a *JobError with the message want.
func checkWait(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("wait: %v", err)
	case want != "" && (!errors.Is(err, ErrJobFailed) || !jobMessageIs(err, want)):
		t.Errorf("wait: %v, want a *JobError with %q", err, want)
	}
}

func TestADJobWaits(t *testing.T) {
	t.Parallel()
	failed := map[string]any{"status": "JOIN_FAILED", "last_error": map[string]any{"error_class": "ad_join_error", "description": "bad credentials"}}
	for _, tt := range []struct {
		name   string
		start  func(ctx context.Context, c *Client) (*ADJob, error)
		states []map[string]any
		reads  int
		err    string // "" for success
	}{
		{"join succeeds", func(ctx context.Context, c *Client) (*ADJob, error) { return c.AD.Join(ctx, gen.ADDomainJoinArgs{}) },
			[]map[string]any{{"status": "JOIN_IN_PROGRESS"}, {"status": "JOIN_IN_PROGRESS"}, {"status": "JOIN_SUCCEEDED"}}, 3, ""},
		{"join fails at once", func(ctx context.Context, c *Client) (*ADJob, error) { return c.AD.Join(ctx, gen.ADDomainJoinArgs{}) },
			[]map[string]any{{"status": "JOIN_IN_PROGRESS"}, failed}, 2, "bad credentials"},
		// The join that came before does not end the wait of a leave.
		{"leave past a stale join", func(ctx context.Context, c *Client) (*ADJob, error) { return c.AD.Leave(ctx, gen.ADDomainLeaveArgs{}) },
			[]map[string]any{{"status": "JOIN_SUCCEEDED"}, {"status": "LEAVE_IN_PROGRESS"}, {"status": "LEAVE_SUCCEEDED"}}, 3, ""},
		// A reconfigure ends as a join.
		{"reconfigure", func(ctx context.Context, c *Client) (*ADJob, error) {
			return c.AD.Reconfigure(ctx, gen.ADDomainReconfigureArgs{})
		},
			[]map[string]any{{"status": "RECONFIGURE_IN_PROGRESS"}, {"status": "JOIN_SUCCEEDED"}}, 2, ""},
		// A handle rebuilt from nothing waits for whichever action runs.
		{"rebuilt", func(ctx context.Context, c *Client) (*ADJob, error) { return c.AD.Job(), nil },
			[]map[string]any{{"status": "LEAVE_IN_PROGRESS"}, {"status": "LEAVE_FAILED", "last_error": map[string]any{"error_class": "ad_leave_error"}}}, 2, "ad_leave_error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			c, ad := newADClient(t, tt.states...)
			job, err := tt.start(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			checkWait(t, job.Wait(ctx), tt.err)
			if ad.reads != tt.reads {
				t.Errorf("the monitor was read %d times, want %d", ad.reads, tt.reads)
			}
		})
	}
}

// A wait ends with its context when the action never ends.
func TestADJobWaitEndsWithItsContext(t *testing.T) {
	t.Parallel()
	c, _ := newADClient(t, map[string]any{"status": "JOIN_IN_PROGRESS"})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	job, err := c.AD.Join(ctx, gen.ADDomainJoinArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if err := job.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait: %v, want the context's deadline", err)
	}
}

// jobMessageIs tells whether err is a *JobError carrying the message s.
func jobMessageIs(err error, s string) bool {
	var je *JobError
	return errors.As(err, &je) && je.Message == s
}
