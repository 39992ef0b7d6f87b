package contract

import (
	"net/http"
	"testing"

	"github.com/qapitools/qapi/check"
)

// The id of a created item comes from the answer's body or its Location,
// and never as a dot segment a server chose, which would make the clean-up
// and use-after-free steps act on another resource.
func TestCreatedID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		body, location, want string
	}{
		{`{"id":"7"}`, "", "7"},
		{`12`, "", "12"},
		{``, "/v1/things/a%2Fb", "a/b"},
		{``, "/v1/things/9/", "9"},
		{``, "/v1/things/..", ""},
		{``, "/v1/things/%2E%2E", ""},
		{`{"id":".."}`, "", ""},
		{``, "", ""},
	} {
		s := &sent{traffic: check.Traffic{Body: []byte(tt.body), Header: http.Header{"Location": {tt.location}}}}
		if got := createdID(s, "id"); got != tt.want {
			t.Errorf("body %s, Location %q: id %q, want %q", tt.body, tt.location, got, tt.want)
		}
	}
}
