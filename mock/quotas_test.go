package mock

import (
	"net/http"
	"testing"
)

// A directory without a quota answers 404
// api_quotas_quota_limit_not_found_error on GET, PUT and DELETE of the
// quota and of its status: the class drivers branch on to create one.
func TestQuotaNotFoundClass(t *testing.T) {
	t.Parallel()
	c := setup(t)
	c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": "data", "action": "CREATE_DIRECTORY"}, nil)
	id, _ := c.do("GET", "/v1/files/%2Fdata/info/attributes", nil, nil).json(t)["id"].(string)
	for _, r := range []reply{
		c.do("GET", "/v1/files/quotas/"+id, nil, nil),
		c.do("PUT", "/v1/files/quotas/"+id, map[string]any{"id": id, "limit": "1000"}, nil),
		c.do("DELETE", "/v1/files/quotas/"+id, nil, nil),
		c.do("GET", "/v1/files/quotas/status/"+id, nil, nil),
	} {
		wantError(t, r, http.StatusNotFound, "api_quotas_quota_limit_not_found_error")
	}
}

// A page answers paging with both next and prev, as clusters do: next
// names the next page until the last, where it is null.
func TestPagingCarriesNextAndPrev(t *testing.T) {
	t.Parallel()
	c := setup(t)
	for _, name := range []string{"a", "b"} {
		c.do("POST", "/v1/files/%2F/entries/", map[string]any{"name": name, "action": "CREATE_DIRECTORY"}, nil)
		id, _ := c.do("GET", "/v1/files/%2F"+name+"/info/attributes", nil, nil).json(t)["id"].(string)
		c.do("POST", "/v1/files/quotas/", map[string]any{"id": id, "limit": "1000"}, nil)
	}
	first := c.do("GET", "/v1/files/quotas/?limit=1", nil, nil).json(t)["paging"].(map[string]any)
	if next, _ := first["next"].(string); next == "" {
		t.Fatalf("first page of quotas: paging %v", first)
	}
	if prev, ok := first["prev"]; !ok || prev != nil {
		t.Errorf("paging.prev = %v (present %v), want null", prev, ok)
	}
	last := c.do("GET", "/v1/files/quotas/?limit=1000", nil, nil).json(t)["paging"].(map[string]any)
	if next, ok := last["next"]; !ok || next != nil {
		t.Errorf("last page: paging %v, want next null", last)
	}
}
