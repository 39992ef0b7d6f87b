package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/mock"
)

// healthyReport runs the suite against a healthy embedded mock.
func healthyReport(t *testing.T) *Report {
	t.Helper()
	spec, err := qapi.Spec()
	if err != nil {
		t.Fatal(err)
	}
	srv := mock.NewServer(t, mock.WithSpec(spec))
	rep, err := Run(context.Background(), Config{Spec: spec, BaseURL: srv.URL, HTTPClient: srv.Client(), Username: mock.DefaultUser, Password: mock.DefaultPassword, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestReportsAgree(t *testing.T) {
	t.Parallel()
	rep := healthyReport(t)
	if rep.Failed() {
		var b strings.Builder
		_ = rep.WriteText(&b)
		t.Fatalf("healthy mock failed the suite:\n%s", b.String())
	}
	var text, js, junit, html bytes.Buffer
	for _, w := range []func() error{
		func() error { return rep.WriteText(&text) },
		func() error { return rep.WriteJSON(&js) },
		func() error { return rep.WriteJUnit(&junit) },
		func() error { return rep.WriteHTML(&html) },
	} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(text.String(), "PASSED: ") {
		t.Errorf("text summary has no verdict:\n%s", text.String())
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("JSON report does not parse: %v", err)
	}
	if back.Totals != rep.Totals || len(back.Operations) != len(rep.Operations) {
		t.Errorf("JSON totals %+v / %d ops, want %+v / %d", back.Totals, len(back.Operations), rep.Totals, len(rep.Operations))
	}
	var suites junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit report does not parse: %v", err)
	}
	if suites.Tests != rep.Totals.Pass+rep.Totals.Fail+rep.Totals.Skip || suites.Failures != rep.Totals.Fail || suites.Skipped != rep.Totals.Skip {
		t.Errorf("JUnit counts tests=%d failures=%d skipped=%d disagree with %+v", suites.Tests, suites.Failures, suites.Skipped, rep.Totals)
	}
	for _, want := range []string{"<!DOCTYPE html>", "PASSED", "getV2EncryptionKeyStore", "<table>"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(html.String(), "<script src") || strings.Contains(html.String(), "<link ") {
		t.Error("HTML report loads external resources; it must be self-contained")
	}
}

func TestFailureReportsRedactSecrets(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Add("hunter2-password")
	r.Add("session-v1:abcdef")
	ex := &Exchange{
		Method: "PUT", URL: "https://cluster:8000/v2/encryption/key-store",
		RequestHeader: r.Header(map[string][]string{"Authorization": {"Bearer session-v1:abcdef"}}),
		RequestBody:   r.Body([]byte(`{"kms_store":{"client_private_key":"-----BEGIN PRIVATE KEY-----x","hostname":"kms"},"note":"pw hunter2-password"}`)),
		ResponseBody:  r.Body([]byte(`{"bearer_token":"session-v1:abcdef","admin_password_hint":"none"}`)),
	}
	rep := &Report{Checks: Checks[:1]}
	res := rep.operation(op{ID: "putV2EncryptionKeyStore", Method: "put", Path: "/v2/encryption/key-store"})
	res.fail(NotAServerError, "answered 500", ex)
	rep.finish()
	var out bytes.Buffer
	_ = rep.WriteText(&out)
	_ = rep.WriteJSON(&out)
	_ = rep.WriteJUnit(&out)
	_ = rep.WriteHTML(&out)
	for _, secret := range []string{"hunter2-password", "session-v1:abcdef", "BEGIN PRIVATE KEY"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("a report shows the secret %q", secret)
		}
	}
	if !strings.Contains(out.String(), "admin_password_hint") {
		t.Error("redaction removed a field name, not just secret values")
	}
	if !strings.Contains(ex.Curl(), `-H "Authorization: Bearer $QUMULO_TOKEN"`) {
		t.Errorf("curl does not take the token from the shell: %s", ex.Curl())
	}
}

func TestUnknownCheckIsASetupError(t *testing.T) {
	t.Parallel()
	spec, _ := qapi.Spec()
	_, err := Run(context.Background(), Config{Spec: spec, BaseURL: "http://127.0.0.1:1", Checks: []string{"no_such_check"}})
	if err == nil || !strings.Contains(err.Error(), `unknown check "no_such_check"`) {
		t.Fatalf("err = %v", err)
	}
}
