package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qapitools/qapi/mock"
	"github.com/qapitools/qapi/mock/mocktest"
)

// TestMain lets a test run qapi as a process of its own, to kill it: with
// QAPI_TEST_MAIN=1 the test binary is qapi, its arguments in QAPI_TEST_ARGS.
func TestMain(m *testing.M) {
	if os.Getenv("QAPI_TEST_MAIN") == "1" {
		os.Args = append([]string{"qapi"}, strings.Fields(os.Getenv("QAPI_TEST_ARGS"))...)
		main()
	}
	os.Exit(m.Run())
}

// A run with writes killed with SIGKILL, which no process can catch,
// leaves its journal; qapi contract --restore puts back everything the
// journal holds. Killed with SIGTERM, the run puts everything back itself.
func TestKilledRunIsRestoredFromItsJournal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			srv := mocktest.NewServer(t)
			env := map[string]string{"QUMULO_URL": srv.URL, "QUMULO_USERNAME": "admin", "QUMULO_PASSWORD": "admin"}
			before := settings(t, srv)
			journal := filepath.Join(t.TempDir(), "journal")
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), "QAPI_TEST_MAIN=1", "QAPI_TEST_ARGS=contract --allow-writes --journal "+journal,
				"QUMULO_URL="+srv.URL, "QUMULO_USERNAME=admin", "QUMULO_PASSWORD=admin")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it once it has journalled some changes, well before it
			// ends.
			deadline := time.Now().Add(60 * time.Second)
			for lines(journal) < 40 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if sig == syscall.SIGKILL {
				if lines(journal) < 40 {
					t.Fatalf("no journal to restore from:\n%s", out.String())
				}
				code, stdout, stderr := runEnv(t, env, "contract", "--restore", journal)
				if code != exitOK || !strings.Contains(stdout, "is put back") {
					t.Fatalf("--restore: exit %d\n%s\n%s", code, stdout, stderr)
				}
			} else if !strings.Contains(out.String(), "restored ") || strings.Contains(out.String(), "NOT RESTORED") {
				t.Errorf("after SIGTERM the run did not put everything back:\n%s", out.String())
			}
			if _, err := os.Stat(journal); !os.IsNotExist(err) {
				t.Errorf("journal left: %v", err)
			}
			after := settings(t, srv)
			for path, was := range before {
				if after[path] != was {
					t.Errorf("GET %s changed:\nbefore %.200s\nafter  %.200s", path, was, after[path])
				}
			}
		})
	}
}

// lines counts the lines of a file (0 when it is missing).
func lines(path string) int {
	data, _ := os.ReadFile(path)
	return bytes.Count(data, []byte("\n"))
}

// settings reads every GET of the twin's spec that takes no parameter.
func settings(t *testing.T, srv *mock.Server) map[string]string {
	t.Helper()
	resp, err := http.Post(srv.URL+"/v1/session/login", "application/json", strings.NewReader(`{"username":"admin","password":"admin"}`))
	if err != nil {
		t.Fatal(err)
	}
	var cred struct {
		BearerToken string `json:"bearer_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&cred)
	resp.Body.Close()
	out := map[string]string{}
	for path, item := range srv.Mock.Spec().Paths.Map() {
		if item.Get == nil || strings.Contains(path, "{") || len(item.Get.Parameters) > 0 {
			continue
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+cred.BearerToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out[path] = resp.Status + " " + string(body)
	}
	return out
}
