package contract

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Status is the outcome of one check on one operation.
type Status string

// Outcomes.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Report is the result of a run.
type Report struct {
	// Title names the run in summaries: "qapi contract" or "qapi verify".
	Title       string             `json:"title"`
	Target      string             `json:"target"`
	Seed        uint64             `json:"seed"`
	Strict      bool               `json:"strict"`
	ReadOnly    bool               `json:"read_only"`
	Started     time.Time          `json:"started"`
	Duration    Duration           `json:"duration"`
	Requests    int                `json:"requests"`
	Interrupted bool               `json:"interrupted,omitempty"`
	Checks      []Check            `json:"checks"`
	Operations  []*OperationResult `json:"operations"`
	Totals      Totals             `json:"totals"`
	// Restored lists the paths whose state was put back after the run.
	Restored      []string `json:"restored,omitempty"`
	RestoreErrors []string `json:"restore_errors,omitempty"`
	saves         []saved
}

type saved struct {
	path   string
	params map[string]string
	body   []byte
}

// Totals count check outcomes over all operations.
type Totals struct {
	Pass int `json:"pass"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
}

// OperationResult holds every check's outcome for one operation.
type OperationResult struct {
	ID      string         `json:"operation_id"`
	Method  string         `json:"method"`
	Path    string         `json:"path"`
	Results []*CheckResult `json:"checks"`
}

// CheckResult is one check on one operation.
type CheckResult struct {
	Check    string    `json:"check"`
	Status   Status    `json:"status"`
	Reason   string    `json:"reason,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
	passed   int
}

// Failure is one violation with the exchange that shows it and a command
// that reproduces it.
type Failure struct {
	Message  string    `json:"message"`
	Exchange *Exchange `json:"exchange,omitempty"`
	Curl     string    `json:"curl,omitempty"`
}

// opResult is the runner's handle on an OperationResult.
type opResult struct {
	r       *Report
	res     *OperationResult
	byCheck map[string]*CheckResult
}

func (rep *Report) operation(o op) *opResult {
	res := &OperationResult{ID: o.ID, Method: strings.ToUpper(o.Method), Path: o.Path}
	rep.Operations = append(rep.Operations, res)
	or := &opResult{r: rep, res: res, byCheck: map[string]*CheckResult{}}
	for _, c := range rep.Checks {
		cr := &CheckResult{Check: c.Name}
		res.Results = append(res.Results, cr)
		or.byCheck[c.Name] = cr
	}
	return or
}

// maxFailures bounds the failures kept per check and operation.
const maxFailures = 5

func (o *opResult) fail(check, msg string, ex *Exchange) {
	cr := o.byCheck[check]
	if cr == nil {
		return
	}
	cr.Status = Fail
	if len(cr.Failures) >= maxFailures {
		return
	}
	f := Failure{Message: msg, Exchange: ex}
	if ex != nil {
		f.Curl = ex.Curl()
	}
	cr.Failures = append(cr.Failures, f)
}

func (o *opResult) pass(check string) {
	if cr := o.byCheck[check]; cr != nil {
		cr.passed++
	}
}

func (o *opResult) skip(check, reason string) {
	if cr := o.byCheck[check]; cr != nil && cr.Reason == "" {
		cr.Reason = reason
	}
}

// finish settles each check: failed if anything failed, passed if it ran,
// skipped (with its reason) if it never applied.
func (rep *Report) finish() {
	rep.Totals = Totals{}
	for _, o := range rep.Operations {
		for _, cr := range o.Results {
			switch {
			case cr.Status == Fail:
				cr.Reason = ""
			case cr.passed > 0:
				cr.Status, cr.Reason = Pass, ""
			default:
				cr.Status = Skip
				if cr.Reason == "" {
					cr.Reason = "not applicable"
				}
			}
			switch cr.Status {
			case Pass:
				rep.Totals.Pass++
			case Fail:
				rep.Totals.Fail++
			case Skip:
				rep.Totals.Skip++
			}
		}
	}
}

// Failed says whether any check failed or the run was cut short.
func (rep *Report) Failed() bool { return rep.Totals.Fail > 0 || rep.Interrupted }

// WriteText writes the terminal summary: a line per check with its counts
// over operations, then each failure with its reproduction.
func (rep *Report) WriteText(w io.Writer) error {
	type counts struct{ pass, fail, skip int }
	per := map[string]*counts{}
	for _, c := range rep.Checks {
		per[c.Name] = &counts{}
	}
	for _, o := range rep.Operations {
		for _, cr := range o.Results {
			c := per[cr.Check]
			switch cr.Status {
			case Pass:
				c.pass++
			case Fail:
				c.fail++
			case Skip:
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
	fmt.Fprintf(&b, "  %-30s %6s %6s %6s\n", "check", "pass", "fail", "skip")
	for _, c := range rep.Checks {
		n := per[c.Name]
		mark := "ok  "
		if n.fail > 0 {
			mark = "FAIL"
		}
		fmt.Fprintf(&b, "%s %-30s %6d %6d %6d\n", mark, c.Name, n.pass, n.fail, n.skip)
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
	if rep.Interrupted {
		b.WriteString("\ninterrupted: the run did not finish\n")
	}
	for _, p := range rep.Restored {
		fmt.Fprintf(&b, "restored %s\n", p)
	}
	for _, e := range rep.RestoreErrors {
		fmt.Fprintf(&b, "RESTORE FAILED %s\n", e)
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
			case Fail:
				var text strings.Builder
				for _, f := range cr.Failures {
					text.WriteString(f.Message + "\n")
					if f.Curl != "" {
						text.WriteString("reproduce: " + f.Curl + "\n")
					}
				}
				c.Failure = &junitFailure{Message: cr.Failures[0].Message, Text: text.String()}
				s.Failures++
			case Skip:
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
