package client

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/qapitools/qapi/gen"
)

// upgradeCluster answers prepare and commit with 202 and walks the status
// through the states it is given, one per read; the last one stays.
type upgradeCluster struct {
	mu     sync.Mutex
	states []map[string]any
	reads  int
	posts  []string
}

func (u *upgradeCluster) serve(w http.ResponseWriter, r *http.Request, _ int) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && (r.URL.Path == "/v2/upgrade/prepare" || r.URL.Path == "/v2/upgrade/commit"):
		u.posts = append(u.posts, r.URL.Path)
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodGet && r.URL.Path == "/v3/upgrade/status":
		writeJSON(w, http.StatusOK, u.states[min(u.reads, len(u.states)-1)])
		u.reads++
	default:
		return false
	}
	return true
}

func TestUpgradeJobWaits(t *testing.T) {
	t.Parallel()
	state := func(s string) map[string]any { return map[string]any{"state": s, "error_info": ""} }
	failed := func(s, info string) map[string]any { return map[string]any{"state": s, "error_info": info} }
	prepare := func(ctx context.Context, c *Client) (*UpgradeJob, error) {
		return c.Upgrade.Prepare(ctx, gen.UpgradePrepareRequest{ImagePath: Ptr("/upgrade/image.qimg")})
	}
	commit := func(ctx context.Context, c *Client) (*UpgradeJob, error) { return c.Upgrade.Commit(ctx) }
	for _, tt := range []struct {
		name   string
		start  func(ctx context.Context, c *Client) (*UpgradeJob, error)
		post   string // the request the start sends, or ""
		states []map[string]any
		reads  int
		err    string // "" for success
	}{
		{"prepare succeeds", prepare, "/v2/upgrade/prepare",
			[]map[string]any{state("UPGRADE_STATE_PREPARING"), state("UPGRADE_STATE_PREPARING"), state("UPGRADE_STATE_PREPARED")}, 3, ""},
		// With auto_commit the prepare goes on to commit without a stop.
		{"prepare goes on to commit", prepare, "/v2/upgrade/prepare",
			[]map[string]any{state("UPGRADE_STATE_PREPARING"), state("UPGRADE_STATE_COMMITTING")}, 2, ""},
		{"prepare fails at once", prepare, "/v2/upgrade/prepare",
			[]map[string]any{state("UPGRADE_STATE_PREPARING"), failed("UPGRADE_STATE_IDLE", "image is corrupt")}, 2, "image is corrupt"},
		// The error of an earlier prepare does not end this one.
		{"prepare past a stale error", prepare, "/v2/upgrade/prepare",
			[]map[string]any{failed("UPGRADE_STATE_PREPARING", "earlier failure"), state("UPGRADE_STATE_PREPARED")}, 2, ""},
		{"commit succeeds", commit, "/v2/upgrade/commit",
			[]map[string]any{state("UPGRADE_STATE_COMMITTING"), state("UPGRADE_STATE_REBOOTING")}, 2, ""},
		// A prepared upgrade is not yet a committed one.
		{"commit does not end at prepared", commit, "/v2/upgrade/commit",
			[]map[string]any{state("UPGRADE_STATE_PREPARED"), state("UPGRADE_STATE_COMMITTING"), state("UPGRADE_STATE_COMMITTED")}, 3, ""},
		{"commit fails", commit, "/v2/upgrade/commit",
			[]map[string]any{state("UPGRADE_STATE_COMMITTING"), failed("UPGRADE_STATE_PREPARED", "node 3 unreachable")}, 2, "node 3 unreachable"},
		// A handle rebuilt from nothing sends nothing and waits as well.
		{"rebuilt", func(ctx context.Context, c *Client) (*UpgradeJob, error) { return c.Upgrade.PrepareJob(), nil }, "",
			[]map[string]any{state("UPGRADE_STATE_PREPARING"), state("UPGRADE_STATE_PREPARED")}, 2, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			u := &upgradeCluster{states: tt.states}
			c := newJobClient(t, u.serve)
			job, err := tt.start(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			checkWait(t, job.Wait(ctx), tt.err)
			if u.reads != tt.reads {
				t.Errorf("the status was read %d times, want %d", u.reads, tt.reads)
			}
			want := []string{}
			if tt.post != "" {
				want = append(want, tt.post)
			}
			if !slices.Equal(u.posts, want) {
				t.Errorf("sent %v, want %v", u.posts, want)
			}
		})
	}
}
