// Package verify checks recorded traffic offline: every exchange of a HAR
// file against the passive checks, with the same reports as qapi contract.
package verify

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/har"
	"github.com/qapitools/qapi/redact"
	"github.com/qapitools/qapi/report"
)

// OutsideSpec counts recorded exchanges whose path or method the spec does
// not have.
type OutsideSpec = check.OutsideSpec

// Verification is what Archive found.
type Verification struct {
	Report *report.Report
	// Exchanges is the number of entries in the recording.
	Exchanges int
	// Outside lists what the spec does not cover; it is counted, not failed.
	Outside []OutsideSpec
}

// WriteOutside lists the exchanges outside the spec, for the text summary.
func (v *Verification) WriteOutside(w io.Writer) error {
	if len(v.Outside) == 0 {
		return nil
	}
	n := 0
	for _, o := range v.Outside {
		n += o.Count
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d of %d exchanges are outside the spec (not checked):\n", n, v.Exchanges)
	for _, o := range v.Outside {
		fmt.Fprintf(&b, "  %-7s %s  (%d)\n", o.Method, o.Path, o.Count)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Archive checks every exchange of a recording with the passive checks
// (check.Passive()), in recorded order, and builds a report like qapi
// contract's: one operation result per operation seen. target names the
// recording in the report.
func Archive(spec *openapi3.T, h *har.Archive, target string, strict bool) (*Verification, error) {
	v, err := newVerifier(spec, target, strict)
	if err != nil {
		return nil, err
	}
	for i := range h.Log.Entries {
		if err := v.add(i, &h.Log.Entries[i]); err != nil {
			return nil, err
		}
	}
	return v.finish(), nil
}

// File is Archive on the recording at path, read one exchange at a time:
// memory follows the largest entry (har.MaxEntryBytes), not the file.
func File(spec *openapi3.T, path string, strict bool) (*Verification, error) {
	v, err := newVerifier(spec, "recording "+path, strict)
	if err != nil {
		return nil, err
	}
	if _, err := har.ScanFile(path, v.add); err != nil {
		return nil, err
	}
	out := v.finish()
	out.Report.Target = fmt.Sprintf("recording %s (%d exchanges)", path, out.Exchanges)
	return out, nil
}

// verifier checks a recording's exchanges as they come.
type verifier struct {
	c           *check.Checker
	v           *Verification
	byOp        map[string]*report.Tally
	outside     check.Outside
	first, last time.Time
}

func newVerifier(spec *openapi3.T, target string, strict bool) (*verifier, error) {
	c, err := check.NewChecker(spec, check.WithStrict(strict))
	if err != nil {
		return nil, err
	}
	rep := &report.Report{Title: "qapi verify", Target: target, Checks: check.Passive(), Started: time.Now().UTC(), Strict: strict}
	return &verifier{c: c, v: &Verification{Report: rep}, byOp: map[string]*report.Tally{}}, nil
}

func (vr *verifier) add(i int, e *har.Entry) error {
	rep := vr.v.Report
	vr.v.Exchanges++
	if t, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err == nil {
		if vr.first.IsZero() || t.Before(vr.first) {
			vr.first = t
		}
		if end := t.Add(time.Duration(e.Time * float64(time.Millisecond))); end.After(vr.last) {
			vr.last = end
		}
	}
	t, err := e.Traffic()
	if err != nil {
		return fmt.Errorf("%s: log.entries[%d]: %w", rep.Target, i, err)
	}
	rep.Requests++
	// A recording from another tool is not redacted: what a report shows
	// of it is.
	t.Redactor = vr.c.Scope(t)
	res := vr.c.Check(t)
	if !res.Known {
		vr.outside.Add(t.Request.Method, t.Request.URL.EscapedPath())
		return nil
	}
	tally := vr.byOp[res.Operation.ID]
	if tally == nil {
		tally = rep.Operation(res.Operation.ID, res.Operation.Method, res.Operation.Path)
		vr.byOp[res.Operation.ID] = tally
	}
	var ex *report.Exchange
	for _, oc := range res.Outcomes {
		if oc.Status == check.Fail && ex == nil {
			ex = exchange(e, t.Redactor)
		}
		tally.Record(oc, ex)
	}
	return nil
}

func (vr *verifier) finish() *Verification {
	rep := vr.v.Report
	if !vr.first.IsZero() {
		rep.Started = vr.first
		rep.Duration = report.Duration(vr.last.Sub(vr.first))
	}
	sort.SliceStable(rep.Operations, func(i, j int) bool {
		a, b := rep.Operations[i], rep.Operations[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	vr.v.Outside = vr.outside.List()
	rep.Finish()
	return vr.v
}

// exchange is the entry as a report shows it, redacted with red.
func exchange(e *har.Entry, red *redact.Redactor) *report.Exchange {
	ex := &report.Exchange{Method: e.Request.Method, URL: red.Text(e.Request.URL), Status: e.Response.Status, RequestHeader: http.Header{}, ResponseHeader: http.Header{}}
	for _, h := range e.Request.Headers {
		// curl computes these itself; a redacted body has another length.
		if strings.EqualFold(h.Name, "Content-Length") || strings.EqualFold(h.Name, "Host") || strings.HasPrefix(h.Name, ":") {
			continue
		}
		ex.RequestHeader.Add(h.Name, h.Value)
	}
	for _, h := range e.Response.Headers {
		ex.ResponseHeader.Add(h.Name, h.Value)
	}
	ex.RequestHeader, ex.ResponseHeader = red.Header(ex.RequestHeader), red.Header(ex.ResponseHeader)
	if e.Request.PostData != nil {
		ex.RequestBody = report.Excerpt(red, []byte(e.Request.PostData.Text))
	}
	ex.ResponseBody = report.Excerpt(red, []byte(e.Response.Content.Text))
	ex.Duration = report.Duration(time.Duration(e.Time * float64(time.Millisecond)))
	return ex
}
