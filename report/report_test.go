package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/redact"
)

// passingReport is a finished report of three operations whose checks all
// passed or did not apply.
func passingReport() *Report {
	rep := &Report{Target: "https://cluster:8000", Seed: 7, Checks: check.Active(), Requests: 12}
	for _, o := range []struct{ id, method, path string }{
		{"LoginSession", "post", "/v1/session/login"},
		{"GetEncryptionKeyStore", "get", "/v2/encryption/key-store"},
		{"ReplaceEncryptionKeyStore", "put", "/v2/encryption/key-store"},
	} {
		t := rep.Operation(o.id, o.method, o.path)
		for i, c := range check.Active() {
			if i%3 == 2 {
				t.Skip(c.Name, "not applicable here")
				continue
			}
			t.Record(check.Outcome{Check: c.Name, Status: check.Pass}, nil)
		}
	}
	rep.Finish()
	return rep
}

func TestReportsAgree(t *testing.T) {
	t.Parallel()
	rep := passingReport()
	if rep.Failed() || rep.Totals.Pass == 0 || rep.Totals.Skip == 0 {
		var b strings.Builder
		_ = rep.WriteText(&b)
		t.Fatalf("the sample report:\n%s", b.String())
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
	for _, want := range []string{"<!DOCTYPE html>", "PASSED", "GetEncryptionKeyStore", "<table>"} {
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
	r := redact.New()
	r.Add("hunter2-password")
	r.Add("session-v1:abcdef")
	ex := &Exchange{
		Method: "PUT", URL: "https://cluster:8000/v2/encryption/key-store",
		RequestHeader: r.Header(map[string][]string{"Authorization": {"Bearer session-v1:abcdef"}}),
		RequestBody:   r.Body([]byte(`{"kms_store":{"client_private_key":"-----BEGIN PRIVATE KEY-----x","hostname":"kms"},"note":"pw hunter2-password"}`)),
		ResponseBody:  r.Body([]byte(`{"bearer_token":"session-v1:abcdef","admin_password_hint":"none"}`)),
	}
	rep := &Report{Checks: check.Active()[:1]}
	rep.Operation("ReplaceEncryptionKeyStore", "put", "/v2/encryption/key-store").Fail(check.NotAServerError, "answered 500", ex)
	rep.Finish()
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

// A secret that crosses the cut of a long body is redacted before the cut,
// not left half-recognisable after it.
func TestExcerptRedactsAcrossTheCut(t *testing.T) {
	t.Parallel()
	r := redact.New()
	r.Add("Sup3rSecretPassw0rd")
	for _, body := range []string{
		strings.Repeat("c", MaxExcerpt-5) + "Sup3rSecretPassw0rd" + strings.Repeat("c", 100),
		strings.Repeat("c", MaxExcerpt-30) + `{"password":"not-known-to-the-redactor-but-a-password"}` + strings.Repeat("c", 100),
	} {
		got := Excerpt(r, []byte(body))
		for _, part := range []string{"Sup3r", "not-known"} {
			if strings.Contains(got, part) {
				t.Errorf("excerpt keeps %q of a secret: …%s", part, got[len(got)-80:])
			}
		}
		if !strings.HasSuffix(got, "more bytes not kept]") {
			t.Errorf("excerpt does not say it was cut: …%s", got[len(got)-80:])
		}
	}
}

// An operation a run may not send shows as not run, with the reason, in
// every report, and what was not put back fails the run.
func TestNotRunAndNotRestored(t *testing.T) {
	t.Parallel()
	rep := &Report{Target: "https://cluster:8000", Checks: check.Active(), Access: "read-only"}
	tally := rep.Operation("HaltCluster", "post", "/v1/shutdown/halt")
	tally.Classify("disruptive", "powers nodes off")
	tally.NotRun("disruptive: powers nodes off (needs --allow-disruptive)")
	rep.Finish()
	if rep.Failed() || rep.Totals.Skip != len(check.Active()) {
		t.Fatalf("a run that did not send an operation: failed %v, totals %+v", rep.Failed(), rep.Totals)
	}
	var text, html bytes.Buffer
	_ = rep.WriteText(&text)
	_ = rep.WriteHTML(&html)
	if !strings.Contains(text.String(), "not run: 1 operations that this run may not send (read-only") {
		t.Errorf("text:\n%s", text.String())
	}
	if !strings.Contains(html.String(), `class="notrun" title="not run: disruptive: powers nodes off (needs --allow-disruptive)"`) {
		t.Errorf("HTML does not mark the operation not run with its reason")
	}
	rep.RestoreErrors = []string{"PUT /v1/cluster/settings: status 500"}
	rep.Journal = "qapi-contract.journal"
	text.Reset()
	_ = rep.WriteText(&text)
	if !rep.Failed() || !strings.Contains(text.String(), "NOT RESTORED PUT /v1/cluster/settings") || !strings.Contains(text.String(), "qapi contract --restore qapi-contract.journal") {
		t.Errorf("failed %v, text:\n%s", rep.Failed(), text.String())
	}
}
