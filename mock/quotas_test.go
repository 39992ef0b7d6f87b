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
