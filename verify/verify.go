// Package verify checks recorded traffic offline: every exchange of a HAR
// file against the passive checks, with the same reports as qapi contract.
package verify

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/har"
	"github.com/qapitools/qapi/report"
)

// OutsideSpec counts recorded exchanges whose path or method the spec does
// not have.
type OutsideSpec struct {
	Method, Path string
	Count        int
}

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
// (check.Passive), in recorded order, and builds a report like qapi
// contract's: one operation result per operation seen. target names the
// recording in the report.
func Archive(spec *openapi3.T, h *har.Archive, target string, strict bool) (*Verification, error) {
	c, err := check.NewChecker(spec, check.WithStrict(strict))
	if err != nil {
		return nil, err
	}
	rep := &report.Report{Title: "qapi verify", Target: target, Checks: slices.Clone(check.Passive), Started: time.Now().UTC(), Strict: strict}
	v := &Verification{Report: rep, Exchanges: len(h.Log.Entries)}
	byOp := map[string]*report.Tally{}
	outside := map[[2]string]int{}
	var first, last time.Time
	for i := range h.Log.Entries {
		e := &h.Log.Entries[i]
		if t, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err == nil {
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if end := t.Add(time.Duration(e.Time * float64(time.Millisecond))); end.After(last) {
				last = end
			}
		}
		t, err := e.Traffic()
		if err != nil {
			return nil, fmt.Errorf("%s: log.entries[%d]: %w", target, i, err)
		}
		rep.Requests++
		res := c.Check(t)
		if !res.Known {
			path := t.Request.URL.Path
			outside[[2]string{strings.ToUpper(t.Request.Method), path}]++
			continue
		}
		tally := byOp[res.Operation.ID]
		if tally == nil {
			tally = rep.Operation(res.Operation.ID, res.Operation.Method, res.Operation.Path)
			byOp[res.Operation.ID] = tally
		}
		ex := exchange(e)
		for _, oc := range res.Outcomes {
			tally.Record(oc, ex)
		}
	}
	if !first.IsZero() {
		rep.Started = first
		rep.Duration = report.Duration(last.Sub(first))
	}
	sort.SliceStable(rep.Operations, func(i, j int) bool {
		a, b := rep.Operations[i], rep.Operations[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Method < b.Method
	})
	for k, n := range outside {
		v.Outside = append(v.Outside, OutsideSpec{Method: k[0], Path: k[1], Count: n})
	}
	sort.Slice(v.Outside, func(i, j int) bool {
		if v.Outside[i].Path != v.Outside[j].Path {
			return v.Outside[i].Path < v.Outside[j].Path
		}
		return v.Outside[i].Method < v.Outside[j].Method
	})
	rep.Finish()
	return v, nil
}

// exchange is the entry as a report shows it; a recording is redacted
// already.
func exchange(e *har.Entry) *report.Exchange {
	ex := &report.Exchange{Method: e.Request.Method, URL: e.Request.URL, Status: e.Response.Status, RequestHeader: http.Header{}, ResponseHeader: http.Header{}}
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
	if e.Request.PostData != nil {
		ex.RequestBody = e.Request.PostData.Text
	}
	ex.ResponseBody = e.Response.Content.Text
	ex.Duration = report.Duration(time.Duration(e.Time * float64(time.Millisecond)))
	return ex
}
