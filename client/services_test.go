package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/qapitools/qapi/gen"
)

// serveQuotas makes the fake cluster list five quotas, q1 to q5, in pages
// of limit entries with paging.next as a cluster writes it. fail, when set,
// answers the nth page request instead.
func serveQuotas(t *testing.T, e *env, fail func(w http.ResponseWriter, n int) bool) {
	t.Helper()
	all := []string{"q1", "q2", "q3", "q4", "q5"}
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/files/quotas/" {
			return false
		}
		if fail != nil && fail(w, n) {
			return true
		}
		q := r.URL.Query()
		limit, err := strconv.Atoi(q.Get("limit"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, qErr("http_bad_request_error", "limit"))
			return true
		}
		start := 0
		if after := q.Get("after"); after != "" {
			start = slices.Index(all, after) + 1
		}
		end := min(start+limit, len(all))
		var quotas []map[string]any
		for _, id := range all[start:end] {
			quotas = append(quotas, map[string]any{"id": id, "limit": "1000"})
		}
		var next any
		if end < len(all) {
			next = fmt.Sprintf("/v1/files/quotas/?after=%s&limit=%d", all[end-1], limit)
		}
		writeJSON(w, http.StatusOK, map[string]any{"quotas": quotas, "paging": map[string]any{"next": next}})
		return true
	})
}

func TestSeqFetchesPagesLazily(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		take      int // stop after this many items; 0 takes all
		wantIDs   []string
		wantPages int
	}{
		{"all", 0, []string{"q1", "q2", "q3", "q4", "q5"}, 3},
		{"stop inside the first page", 1, []string{"q1"}, 1},
		{"stop at the end of the first page", 2, []string{"q1", "q2"}, 1},
		{"stop inside the second page", 3, []string{"q1", "q2", "q3"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			serveQuotas(t, e, nil)
			params := &gen.ListFilesQuotasParams{Limit: Ptr(2)}
			var ids []string
			for q, err := range e.c.Files.ListQuotasSeq(t.Context(), params) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, *q.ID)
				if len(ids) == tt.take {
					break
				}
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("items %v, want %v", ids, tt.wantIDs)
			}
			if n := e.fake.count(http.MethodGet, "/v1/files/quotas/"); n != tt.wantPages {
				t.Errorf("%d pages fetched, want %d", n, tt.wantPages)
			}
			if params.After != nil || *params.Limit != 2 {
				t.Errorf("the caller's params changed: after %v, limit %d", params.After, *params.Limit)
			}
		})
	}
}

func TestSeqYieldsTheErrorOfAPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		page2 func(w http.ResponseWriter)
		check func(t *testing.T, err error)
	}{
		{"a Qumulo error", func(w http.ResponseWriter) {
			writeJSON(w, http.StatusNotFound, qErr("fs_no_such_entry_error", "gone"))
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorClass != "fs_no_such_entry_error" {
				t.Errorf("err = %v, want the *APIError of page 2", err)
			}
		}},
		{"an empty page that names a page never seen", func(w http.ResponseWriter) {
			writeJSON(w, http.StatusOK, map[string]any{"quotas": []any{}, "paging": map[string]any{"next": "/v1/files/quotas/?after=zz&limit=2"}})
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			if errors.As(err, &apiErr) || err == nil {
				t.Errorf("err = %v, want a decode error", err)
			}
		}},
		{"a page that names itself as next", func(w http.ResponseWriter) {
			writeJSON(w, http.StatusOK, map[string]any{"quotas": []any{}, "paging": map[string]any{"next": "/v1/files/quotas/?after=q2&limit=2"}})
		}, func(t *testing.T, err error) {
			var apiErr *APIError
			if errors.As(err, &apiErr) || err == nil {
				t.Errorf("err = %v, want a decode error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			serveQuotas(t, e, func(w http.ResponseWriter, n int) bool {
				if n == 2 {
					tt.page2(w)
					return true
				}
				return false
			})
			var ids []string
			var errs []error
			for q, err := range e.c.Files.ListQuotasSeq(t.Context(), &gen.ListFilesQuotasParams{Limit: Ptr(2)}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, *q.ID)
			}
			if !slices.Equal(ids, []string{"q1", "q2"}) {
				t.Errorf("items %v, want the first page's", ids)
			}
			if len(errs) != 1 {
				t.Fatalf("errors %v, want one", errs)
			}
			tt.check(t, errs[0])
			if n := e.fake.count(http.MethodGet, "/v1/files/quotas/"); n != 2 {
				t.Errorf("%d pages fetched after the error, want 2", n)
			}
		})
	}
}

// A read saves its ETag and a write sends it back; a stale one is refused
// with ErrPreconditionFailed.
func TestSaveETagThenIfMatch(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path != "/v3/smb/shares/7" {
			return false
		}
		switch {
		case r.Method == http.MethodGet:
			w.Header().Set("ETag", `"v1"`)
			writeJSON(w, http.StatusOK, map[string]any{"id": "7", "share_name": "projects"})
		case r.Header.Get("If-Match") != `"v1"`:
			writeJSON(w, http.StatusPreconditionFailed, qErr("http_precondition_failed_error", "stale"))
		default:
			w.Header().Set("ETag", `"v2"`)
			writeJSON(w, http.StatusOK, map[string]any{"id": "7", "share_name": "renamed"})
		}
		return true
	})
	ctx := t.Context()
	var etag string
	share, err := e.c.SMB.GetShare(ctx, "7", SaveETag(&etag))
	if err != nil {
		t.Fatal(err)
	}
	if etag != `"v1"` || *share.ShareName != "projects" {
		t.Fatalf("etag %q, share %+v", etag, share)
	}
	share.ShareName = Ptr("renamed")
	if _, err := e.c.SMB.ReplaceShare(ctx, "7", nil, *share, IfMatch(`"v0"`)); !IsPreconditionFailed(err) {
		t.Fatalf("a write with a stale ETag: err = %v, want a precondition failure", err)
	}
	got, err := e.c.SMB.ReplaceShare(ctx, "7", nil, *share, IfMatch(etag), SaveETag(&etag))
	if err != nil {
		t.Fatal(err)
	}
	if etag != `"v2"` || *got.ShareName != "renamed" {
		t.Errorf("after the write: etag %q, share %+v", etag, got)
	}

	// Do has no answer to give SaveETag: applied to a request of its own,
	// it says so instead of leaving the ETag empty.
	var unused string
	req, err := gen.NewGetSMBShareRequest(e.c.BaseURL(), "7")
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveETag(&unused)(ctx, req); err == nil {
		t.Error("SaveETag outside the services' methods did not fail")
	}
}

// SaveHeader hands over the headers of a successful answer, ETag among
// them, and leaves them alone when the call fails.
func TestSaveHeader(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.URL.Path != "/v3/smb/shares/7" {
			return false
		}
		if n > 1 {
			writeJSON(w, http.StatusNotFound, qErr("smb_share_doesnt_exist_error", "gone"))
			return true
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("X-Trace", "abc")
		writeJSON(w, http.StatusOK, map[string]any{"id": "7", "share_name": "projects"})
		return true
	})
	ctx := t.Context()
	var h http.Header
	if _, err := e.c.SMB.GetShare(ctx, "7", SaveHeader(&h)); err != nil {
		t.Fatal(err)
	}
	if h.Get("ETag") != `"v1"` || h.Get("X-Trace") != "abc" {
		t.Fatalf("headers %v, want the answer's ETag and X-Trace", h)
	}
	if _, err := e.c.SMB.GetShare(ctx, "7", SaveHeader(&h)); !IsNotFound(err) {
		t.Fatalf("err = %v, want 404", err)
	}
	if h.Get("X-Trace") != "abc" {
		t.Errorf("a failed call changed the saved headers: %v", h)
	}
	var unused http.Header
	req, err := gen.NewGetSMBShareRequest(e.c.BaseURL(), "7")
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveHeader(&unused)(ctx, req); err == nil {
		t.Error("SaveHeader outside the services' methods did not fail")
	}
}

// WaitJob polls the job until the cluster forgets it (404), as it does once
// a tree delete has finished.
func TestWaitJob(t *testing.T) {
	t.Parallel()
	running := map[string]any{"id": "42", "create_time": "2026-11-28T10:00:00Z"}
	tests := []struct {
		name      string
		answer    func(w http.ResponseWriter, n int, cancel context.CancelFunc)
		wantPolls int
		check     func(t *testing.T, err error)
	}{
		{"finishes", func(w http.ResponseWriter, n int, _ context.CancelFunc) {
			if n < 3 {
				writeJSON(w, http.StatusOK, running)
				return
			}
			writeJSON(w, http.StatusNotFound, qErr("fs_no_such_entry_error", "no tree-delete job"))
		}, 3, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("err = %v, want nil", err)
			}
		}},
		{"fails", func(w http.ResponseWriter, n int, _ context.CancelFunc) {
			if n < 2 {
				writeJSON(w, http.StatusOK, running)
				return
			}
			writeJSON(w, http.StatusForbidden, qErr("auth_privilege_error", "no"))
		}, 2, func(t *testing.T, err error) {
			if !errors.Is(err, ErrForbidden) {
				t.Errorf("err = %v, want the 403", err)
			}
		}},
		{"context ends", func(w http.ResponseWriter, n int, cancel context.CancelFunc) {
			if n == 2 {
				cancel()
			}
			writeJSON(w, http.StatusOK, running)
		}, 2, func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want one that wraps context.Canceled", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.Method != http.MethodGet || r.URL.Path != "/v1/tree-delete/jobs/42" {
					return false
				}
				tt.answer(w, n, cancel)
				return true
			})
			tt.check(t, e.c.TreeDelete.WaitJob(ctx, "42"))
			if n := e.fake.count(http.MethodGet, "/v1/tree-delete/jobs/42"); n != tt.wantPolls {
				t.Errorf("%d polls, want %d", n, tt.wantPolls)
			}
		})
	}
}

// A method returns an *APIError for a Qumulo error, and says when a 2xx
// answer is not what the contract documents.
func TestMethodErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch r.URL.Path {
		case "/v3/smb/shares/404":
			writeJSON(w, http.StatusNotFound, qErr("smb_share_doesnt_exist_error", "no such share"))
		case "/v3/smb/shares/bad":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"share_name": 7}`))
		case "/v3/smb/shares/empty":
			w.WriteHeader(http.StatusOK)
		default:
			return false
		}
		return true
	})
	ctx := t.Context()
	_, err := e.c.SMB.GetShare(ctx, "404")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorClass != "smb_share_doesnt_exist_error" || !IsNotFound(err) {
		t.Errorf("a 404: err = %v, want its *APIError", err)
	}
	if _, err := e.c.SMB.GetShare(ctx, "bad"); err == nil || errors.As(err, &apiErr) {
		t.Errorf("a body of the wrong type: err = %v, want a decode error", err)
	}
	if share, err := e.c.SMB.GetShare(ctx, "empty"); err != nil || share == nil || share.ID != nil {
		t.Errorf("an empty 200: share %+v, err %v; want the zero share", share, err)
	}
}
