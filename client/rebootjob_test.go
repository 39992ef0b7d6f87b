package client

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/qapitools/qapi/gen"
)

func TestRebootJobWaits(t *testing.T) {
	t.Parallel()
	state := func(s string) map[string]any { return map[string]any{"state": s} }
	for _, tt := range []struct {
		name   string
		states []map[string]any
		reads  int
		err    string // "" for success
	}{
		{"a rolling reboot ends", []map[string]any{state("REBOOT_IN_PROGRESS"), state("REBOOT_IN_PROGRESS"), state("REBOOT_IDLE")}, 3, ""},
		// A cycle paused on request is waited through.
		{"paused and resumed", []map[string]any{state("REBOOT_PAUSED"), state("REBOOT_IN_PROGRESS"), state("REBOOT_IDLE")}, 3, ""},
		{"paused by an error", []map[string]any{state("REBOOT_IN_PROGRESS"), {"state": "REBOOT_PAUSED_DUE_TO_ERROR", "error_message": "node 2 did not come back"}}, 2, "node 2 did not come back"},
		{"paused by an unnamed error", []map[string]any{{"state": "REBOOT_PAUSED_DUE_TO_ERROR", "error_message": ""}}, 1, "REBOOT_PAUSED_DUE_TO_ERROR"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			var mu sync.Mutex
			var reads, starts int
			c := newJobClient(t, func(w http.ResponseWriter, r *http.Request, _ int) bool {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.Method == http.MethodPost && r.URL.Path == "/v1/shutdown/reboot/start":
					starts++
					w.WriteHeader(http.StatusAccepted)
				case r.Method == http.MethodGet && r.URL.Path == "/v1/shutdown/reboot/status":
					writeJSON(w, http.StatusOK, tt.states[min(reads, len(tt.states)-1)])
					reads++
				default:
					return false
				}
				return true
			})
			job, err := c.Shutdown.StartReboot(ctx, gen.RebootStartOptions{IsRolling: Ptr(true)})
			if err != nil {
				t.Fatal(err)
			}
			checkWait(t, job.Wait(ctx), tt.err)
			mu.Lock()
			defer mu.Unlock()
			if starts != 1 || reads != tt.reads {
				t.Errorf("%d starts and %d reads of the status, want 1 and %d", starts, reads, tt.reads)
			}
		})
	}
}
