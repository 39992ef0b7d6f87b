package qapi_test

import (
	"testing"

	qapi "github.com/qapitools/qapi"
)

// api.yaml takes the nulls clusters send, and only those: an identity known
// only by its auth_id, a healthy tree-delete job, a snapshot no policy made.
func TestContractTakesClusterNulls(t *testing.T) {
	t.Parallel()
	doc, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		schema, prop string
		want         bool
	}{
		{"Identity", "uid", true},
		{"Identity", "gid", true},
		{"Identity", "name", true},
		{"Identity", "sid", true},
		{"Identity", "domain", true},
		{"Identity", "auth_id", false},
		{"TreeDeleteJobStatus", "last_error_message", true},
		{"TreeDeleteJobStatus", "initial_path", false},
		{"SnapshotInfo", "policy_id", true},
		{"FilesAttributes", "name", false},
	} {
		s := doc.Components.Schemas[c.schema]
		if s == nil || s.Value == nil || s.Value.Properties[c.prop] == nil {
			t.Errorf("%s.%s is not in api.yaml", c.schema, c.prop)
			continue
		}
		if got := s.Value.Properties[c.prop].Value.Nullable; got != c.want {
			t.Errorf("%s.%s nullable = %v, want %v", c.schema, c.prop, got, c.want)
		}
	}
}
