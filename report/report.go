// Package report renders what a contract run or a verification found: a
// terminal summary (WriteText), JSON (WriteJSON), JUnit XML (WriteJUnit) and
// one self-contained HTML page (WriteHTML). Every failure keeps the exchange
// that shows it and a curl command that replays it, secrets redacted.
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/qapitools/qapi/check"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is the result of a run.
type Report struct {
	// Title names the run in summaries: "qapi contract" or "qapi verify".
	Title    string `json:"title"`
	Target   string `json:"target"`
	Seed     uint64 `json:"seed"`
	Strict   bool   `json:"strict"`
	ReadOnly bool   `json:"read_only"`
	// Access says what the run was allowed to change: "read-only",
	// "reversible writes", "all writes" or "twin".
	Access      string    `json:"access,omitempty"`
	Started     time.Time `json:"started"`
	Duration    Duration  `json:"duration"`
	Requests    int       `json:"requests"`
	Interrupted bool      `json:"interrupted,omitempty"`
	// StopReason says why an interrupted run stopped.
	StopReason string             `json:"stop_reason,omitempty"`
	Checks     []check.Check      `json:"checks"`
	Operations []*OperationResult `json:"operations"`
	Totals     Totals             `json:"totals"`
	// Restored lists the paths whose state was put back after the run.
	Restored      []string `json:"restored,omitempty"`
	RestoreErrors []string `json:"restore_errors,omitempty"`
	// Journal is the journal file kept because not everything was put
	// back: qapi contract --restore FILE finishes the job.
	Journal string `json:"journal,omitempty"`
}

// Totals count check outcomes over all operations.
type Totals struct {
	Pass int `json:"pass"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
	// NotServed counts the operations the target does not serve; their
	// checks count as skipped.
	NotServed int `json:"not_served"`
}

// OperationResult holds every check's outcome for one operation.
type OperationResult struct {
	ID     string `json:"operation_id"`
	Method string `json:"method"`
	Path   string `json:"path"`
	// Safety is the operation's safety class and SafetyReason why.
	Safety       string `json:"safety,omitempty"`
	SafetyReason string `json:"safety_reason,omitempty"`
	// NotRun says why the operation was not sent at all.
	NotRun string `json:"not_run,omitempty"`
	// NotServed says how the target showed it does not serve the
	// operation (a 404 from its routing, not from a missing item).
	NotServed string         `json:"not_served,omitempty"`
	Results   []*CheckResult `json:"checks"`
}

// CheckResult is one check on one operation.
type CheckResult struct {
	Check    string       `json:"check"`
	Status   check.Status `json:"status"`
	Reason   string       `json:"reason,omitempty"`
	Failures []Failure    `json:"failures,omitempty"`
	passed   int
}

// Failure is one violation with the exchange that shows it and a command
// that reproduces it.
type Failure struct {
	Message  string    `json:"message"`
	Exchange *Exchange `json:"exchange,omitempty"`
	Curl     string    `json:"curl,omitempty"`
}

// Tally is how a run records the outcomes of one operation's checks.
type Tally struct {
	op      *OperationResult
	byCheck map[string]*CheckResult
}

// Operation adds an operation to the report, every check of the report
// not yet run on it.
func (rep *Report) Operation(id, method, path string) *Tally {
	res := &OperationResult{ID: id, Method: strings.ToUpper(method), Path: path}
	rep.Operations = append(rep.Operations, res)
	t := &Tally{op: res, byCheck: map[string]*CheckResult{}}
	for _, c := range rep.Checks {
		cr := &CheckResult{Check: c.Name}
		res.Results = append(res.Results, cr)
		t.byCheck[c.Name] = cr
	}
	return t
}

// Record records a check's outcome on one exchange, shown by ex.
func (t *Tally) Record(o check.Outcome, ex *Exchange) {
	switch o.Status {
	case check.Pass:
		t.Pass(o.Check)
	case check.Fail:
		t.Fail(o.Check, o.Reason, ex)
	case check.Skip:
		t.Skip(o.Check, o.Reason)
	}
}

// maxFailures bounds the failures kept per check and operation.
const maxFailures = 5

// Fail records a failure of a check with the exchange that shows it (nil
// when no answer came back).
func (t *Tally) Fail(name, msg string, ex *Exchange) {
	cr := t.byCheck[name]
	if cr == nil {
		return
	}
	cr.Status = check.Fail
	if len(cr.Failures) >= maxFailures {
		return
	}
	f := Failure{Message: clip(msg, 0)}
	if ex != nil {
		// Bodies are cut where the exchange is built (Excerpt); this holds
		// for callers that did not.
		kept := *ex
		kept.RequestBody, kept.ResponseBody = clip(ex.RequestBody, 0), clip(ex.ResponseBody, 0)
		f.Exchange, f.Curl = &kept, kept.Curl()
	}
	cr.Failures = append(cr.Failures, f)
}

// Pass records that a check passed once.
func (t *Tally) Pass(name string) {
	if cr := t.byCheck[name]; cr != nil {
		cr.passed++
	}
}

// Classify records the operation's safety class and why it has it.
func (t *Tally) Classify(safety, reason string) {
	t.op.Safety, t.op.SafetyReason = safety, reason
}

// NotRun records that the operation was not sent, and why: every check is
// skipped with that reason.
func (t *Tally) NotRun(reason string) {
	t.op.NotRun = reason
	for _, cr := range t.byCheck {
		if cr.Reason == "" {
			cr.Reason = reason
		}
	}
}

// NotServed records that the target does not serve the operation: what
// its checks recorded does not count, and each is skipped with the reason.
func (t *Tally) NotServed(reason string) {
	t.op.NotServed = reason
	for _, cr := range t.byCheck {
		cr.Status, cr.passed, cr.Failures, cr.Reason = "", 0, nil, "not served: "+reason
	}
}

// Skip records why a check did not apply; the first reason stays.
func (t *Tally) Skip(name, reason string) {
	if cr := t.byCheck[name]; cr != nil && cr.Reason == "" {
		cr.Reason = reason
	}
}

// Finish settles each check: failed if anything failed, passed if it ran,
// skipped (with its reason) if it never applied.
func (rep *Report) Finish() {
	rep.Totals = Totals{}
	for _, o := range rep.Operations {
		if o.NotServed != "" {
			rep.Totals.NotServed++
		}
		for _, cr := range o.Results {
			switch {
			case cr.Status == check.Fail:
				cr.Reason = ""
			case cr.passed > 0:
				cr.Status, cr.Reason = check.Pass, ""
			default:
				cr.Status = check.Skip
				if cr.Reason == "" {
					cr.Reason = "not applicable"
				}
			}
			switch cr.Status {
			case check.Pass:
				rep.Totals.Pass++
			case check.Fail:
				rep.Totals.Fail++
			case check.Skip:
				rep.Totals.Skip++
			}
		}
	}
}

// Failed says whether any check failed, the run was cut short, or
// something it changed was not put back.
func (rep *Report) Failed() bool {
	return rep.Totals.Fail > 0 || rep.Interrupted || len(rep.RestoreErrors) > 0
}

// WriteText writes the terminal summary: a line per check with its counts
// over operations, then each failure with its reproduction.
func (rep *Report) WriteText(w io.Writer) error {
	type counts struct{ pass, fail, skip, unserved int }
	per := map[string]*counts{}
	for _, c := range rep.Checks {
		per[c.Name] = &counts{}
	}
	for _, o := range rep.Operations {
		for _, cr := range o.Results {
			c := per[cr.Check]
			if o.NotServed != "" {
				c.unserved++
				continue
			}
			switch cr.Status {
			case check.Pass:
				c.pass++
			case check.Fail:
				c.fail++
			case check.Skip:
				c.skip++
			}
		}
	}
	var b strings.Builder
	title := rep.Title
	if title == "" {
		title = "qapi contract"
	}
	fmt.Fprintf(&b, "%s: %s, %d operations, %d checks, %d requests in %s", title,
		rep.Target, len(rep.Operations), len(rep.Checks), rep.Requests, time.Duration(rep.Duration).Round(time.Millisecond))
	if rep.Title == "" || rep.Seed != 0 {
		fmt.Fprintf(&b, " (seed %d)", rep.Seed)
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "  %-30s %6s %6s %6s %9s\n", "check", "pass", "fail", "skip", "unserved")
	for _, c := range rep.Checks {
		n := per[c.Name]
		mark := "ok  "
		if n.fail > 0 {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %-30s %6d %6d %6d %9d\n", mark, c.Name, n.pass, n.fail, n.skip, n.unserved)
	}
	failures := 0
	for _, o := range rep.Operations {
		for _, cr := range o.Results {
			for _, f := range cr.Failures {
				failures++
				fmt.Fprintf(&b, "\nFAIL %s %s (%s) %s\n  %s\n", o.Method, o.Path, o.ID, cr.Check, f.Message)
				if f.Curl != "" {
					fmt.Fprintf(&b, "  reproduce: %s\n", f.Curl)
				}
			}
		}
	}
	notRun := 0
	for _, o := range rep.Operations {
		if o.NotRun != "" {
			notRun++
		}
	}
	if rep.Totals.NotServed > 0 {
		fmt.Fprintf(&b, "\nnot served: %d operations of the contract answered as unknown to the target:\n", rep.Totals.NotServed)
		for _, o := range rep.Operations {
			if o.NotServed != "" {
				fmt.Fprintf(&b, "  %s %s (%s)\n", o.Method, o.Path, o.NotServed)
			}
		}
	}
	if notRun > 0 {
		fmt.Fprintf(&b, "\nnot run: %d operations that this run may not send (%s; the reports say why for each)\n", notRun, rep.Access)
	}
	if rep.Interrupted {
		b.WriteString("\ninterrupted: the run did not finish\n")
		if rep.StopReason != "" {
			fmt.Fprintf(&b, "  %s\n", rep.StopReason)
		}
	}
	for _, p := range rep.Restored {
		fmt.Fprintf(&b, "restored %s\n", p)
	}
	for _, e := range rep.RestoreErrors {
		fmt.Fprintf(&b, "NOT RESTORED %s\n", e)
	}
	if rep.Journal != "" {
		fmt.Fprintf(&b, "journal kept in %s: qapi contract --restore %s puts back what is left\n", rep.Journal, rep.Journal)
	}
	verdict := "PASSED"
	if rep.Failed() {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "\n%s: %d passed, %d failed, %d skipped\n", verdict, rep.Totals.Pass, rep.Totals.Fail, rep.Totals.Skip)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the whole report as JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// WriteJUnit writes JUnit XML: a suite per operation, a case per check.
func (rep *Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{Name: "qapi contract", Time: fmt.Sprintf("%.3f", time.Duration(rep.Duration).Seconds())}
	for _, o := range rep.Operations {
		s := junitSuite{Name: o.ID}
		for _, cr := range o.Results {
			c := junitCase{Name: cr.Check, ClassName: o.Method + " " + o.Path}
			switch cr.Status {
			case check.Fail:
				var text strings.Builder
				for _, f := range cr.Failures {
					text.WriteString(f.Message + "\n")
					if f.Curl != "" {
						text.WriteString("reproduce: " + f.Curl + "\n")
					}
				}
				c.Failure = &junitFailure{Message: cr.Failures[0].Message, Text: text.String()}
				s.Failures++
			case check.Skip:
				c.Skipped = &junitSkipped{Message: cr.Reason}
				s.Skipped++
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Suites = append(out.Suites, s)
	}
	sort.SliceStable(out.Suites, func(i, j int) bool { return out.Suites[i].Name < out.Suites[j].Name })
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
