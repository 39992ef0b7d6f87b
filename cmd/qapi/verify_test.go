package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Usage errors and unreadable recordings exit 2 with a message that names
// the file and, for bad JSON, where it went wrong.
func TestVerifyUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.har")
	if err := os.WriteFile(broken, []byte("{\"log\": {\"entries\": [\n  {\"request\": }\n]}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verify"}, "name the recording"},
		{[]string{"verify", "a.har", "b.har"}, "unexpected argument"},
		{[]string{"verify", filepath.Join(dir, "missing.har")}, "missing.har"},
		{[]string{"verify", broken}, "broken.har: not a HAR file: line 2, column"},
	} {
		code, _, stderr := runEnv(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// An empty recording verifies: nothing was seen, nothing failed.
func TestVerifyEmptyRecording(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "empty.har")
	if err := os.WriteFile(path, []byte(`{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runEnv(t, nil, "verify", path); code != exitOK {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}
