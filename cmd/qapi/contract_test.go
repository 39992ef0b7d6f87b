package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	code := m.Exec(context.Background(), args)
	return code, out.String(), errOut.String()
}

// tlsCluster starts the mock over HTTPS, as a real target: the suite must
// trust its certificate through QUMULO_CA_CERT and log in over TLS.
func tlsCluster(t *testing.T, opts ...mock.Option) map[string]string {
	t.Helper()
	srv := mocktest.NewServer(t, append([]mock.Option{mock.WithTLS()}, opts...)...)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"QUMULO_URL": srv.URL, "QUMULO_USERNAME": "admin", "QUMULO_PASSWORD": "admin", "QUMULO_CA_CERT": ca}
}

func TestContractAgainstTLSTarget(t *testing.T) {
	t.Parallel()
	env := tlsCluster(t)
	dir := t.TempDir()
	report := filepath.Join(dir, "report.json")
	journal := filepath.Join(dir, "journal")
	code, stdout, stderr := runEnv(t, env, "contract", "--allow-writes", "--journal", journal, "--json", report, "--junit", filepath.Join(dir, "r.xml"), "--html", filepath.Join(dir, "r.html"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "restored PATCH /v1/s3/settings") || !strings.Contains(stderr, "journalling each change in "+journal) {
		t.Errorf("a run with writes does not restore what it changed:\n%s\n%s", stdout, stderr)
	}
	if _, err := os.Stat(journal); !os.IsNotExist(err) {
		t.Errorf("the journal is kept after everything was put back: %v", err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Totals struct{ Pass, Fail int }
	}
	if err := json.Unmarshal(data, &rep); err != nil || rep.Totals.Pass == 0 || rep.Totals.Fail != 0 {
		t.Errorf("JSON report totals %+v (err %v)", rep.Totals, err)
	}
	for _, f := range []string{"r.xml", "r.html"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("report %s not written: %v", f, err)
		}
	}
	if strings.Contains(stdout+stderr, "admin\"") || strings.Contains(string(data), `"password":"admin"`) {
		t.Error("the password shows in the output or the report")
	}
}

func TestContractIsReadOnlyAgainstAClusterByDefault(t *testing.T) {
	t.Parallel()
	env := tlsCluster(t)
	code, stdout, stderr := runEnv(t, env, "contract")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "restored") {
		t.Errorf("a read-only run changed state:\n%s", stdout)
	}
	code, stdout, _ = runEnv(t, env, "contract", "--json", "-")
	_ = stdout
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
}

func TestContractUntrustedCertificateIsASetupError(t *testing.T) {
	t.Parallel()
	env := tlsCluster(t)
	delete(env, "QUMULO_CA_CERT")
	code, _, stderr := runEnv(t, env, "contract")
	if code != exitUsage || !strings.Contains(stderr, "certificate") {
		t.Fatalf("exit %d, stderr %q; want exit 2 naming the certificate problem", code, stderr)
	}
}

func TestContractFailsAgainstAFaultyTarget(t *testing.T) {
	t.Parallel()
	env := tlsCluster(t, mock.WithFault(mock.FaultWrongFieldType))
	code, stdout, _ := runEnv(t, env, "contract", "--allow-writes", "--journal", filepath.Join(t.TempDir(), "journal"))
	if code != exitFail || !strings.Contains(stdout, "FAIL response_schema_conformance") || !strings.Contains(stdout, "reproduce: curl") {
		t.Fatalf("exit %d, stdout:\n%s", code, stdout)
	}
}

func TestContractUsage(t *testing.T) {
	t.Parallel()
	code, _, stderr := runEnv(t, nil, "contract", "--checks", "no_such_check")
	if code != exitUsage || !strings.Contains(stderr, `unknown check "no_such_check"`) {
		t.Errorf("bad check: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runEnv(t, map[string]string{"QUMULO_URL": "https://127.0.0.1:1"}, "contract")
	if code != exitUsage || !strings.Contains(stderr, "QUMULO_TOKEN") {
		t.Errorf("URL without credentials: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runEnv(t, nil, "contract", "--spec", "/no/such/spec.yaml")
	if code != exitUsage || !strings.Contains(stderr, "spec /no/such/spec.yaml: no such file or directory") {
		t.Errorf("missing spec: exit %d, stderr %q", code, stderr)
	}
	code, stdout, _ := runEnv(t, nil, "contract", "--list")
	if code != exitOK || !strings.Contains(stdout, "etag_respected") {
		t.Errorf("--list: exit %d, stdout %q", code, stdout)
	}
}

func TestContractListUnsafe(t *testing.T) {
	t.Parallel()
	code, stdout, _ := runEnv(t, nil, "contract", "--list-unsafe")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"disruptive   POST   /v1/shutdown/halt", "irreversible POST   /v1/tree-delete/jobs/", "reversible (--allow-writes)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--list-unsafe does not show %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "PATCH  /v1/s3/settings") {
		t.Error("--list-unsafe lists a reversible operation")
	}
}

func TestContractRestoreUsage(t *testing.T) {
	t.Parallel()
	code, _, stderr := runEnv(t, nil, "contract", "--restore", "j")
	if code != exitUsage || !strings.Contains(stderr, "set QUMULO_URL") {
		t.Errorf("--restore without a cluster: exit %d, stderr %q", code, stderr)
	}
	env := tlsCluster(t)
	missing := filepath.Join(t.TempDir(), "missing")
	code, _, stderr = runEnv(t, env, "contract", "--restore", missing)
	if code != exitUsage || !strings.Contains(stderr, missing) {
		t.Errorf("--restore of a missing journal: exit %d, stderr %q", code, stderr)
	}
	taken := filepath.Join(t.TempDir(), "journal")
	if err := os.WriteFile(taken, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runEnv(t, env, "contract", "--allow-writes", "--journal", taken)
	if code != exitUsage || !strings.Contains(stderr, "qapi contract --restore "+taken) {
		t.Errorf("a run over an existing journal: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runEnv(t, env, "contract", "--restore", taken)
	if code != exitUsage || !strings.Contains(stderr, taken+":1: not a qapi contract journal") {
		t.Errorf("--restore of a file that is no journal: exit %d, stderr %q", code, stderr)
	}
}
