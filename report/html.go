package report

import (
	"github.com/qapitools/qapi/check"
	"html/template"
	"io"
	"time"
)

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"seconds": func(d Duration) string { return time.Duration(d).Round(time.Millisecond).String() },
	"failed": func(o *OperationResult) bool {
		for _, c := range o.Results {
			if c.Status == check.Fail {
				return true
			}
		}
		return false
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Title}}{{.Title}}{{else}}qapi contract{{end}} report: {{.Target}}</title>
<style>
:root { --pass: #1a7f37; --fail: #cf222e; --skip: #8c959f; --bg: #f6f8fa; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1f2328; }
header { padding: 20px 32px; background: #24292f; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 0; color: #d0d7de; }
main { padding: 24px 32px; max-width: 1200px; }
.totals { display: flex; gap: 16px; margin-bottom: 24px; }
.total { padding: 12px 20px; border-radius: 8px; background: var(--bg); border: 1px solid var(--line); min-width: 120px; }
.total b { display: block; font-size: 28px; }
.total.pass b { color: var(--pass); } .total.fail b { color: var(--fail); } .total.skip b { color: var(--skip); }
.verdict { font-weight: 600; font-size: 16px; margin-bottom: 16px; }
.verdict.bad { color: var(--fail); } .verdict.good { color: var(--pass); }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
details.op { border: 1px solid var(--line); border-radius: 8px; margin-bottom: 10px; }
details.op > summary { padding: 10px 14px; cursor: pointer; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
details.op[open] > summary { border-bottom: 1px solid var(--line); }
details.op .body { padding: 10px 14px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px; font-family: sans-serif; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); } .badge.skip { background: var(--skip); }
.method { font-weight: 700; }
pre { background: var(--bg); padding: 8px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; margin: 4px 0; }
.failure { border-left: 3px solid var(--fail); padding-left: 10px; margin: 8px 0; }
.reason { color: #57606a; }
table.matrix th span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-family: ui-monospace, monospace; font-weight: 500; }
table.matrix { width: auto; } table.matrix th { vertical-align: bottom; }
td.cell { text-align: center; font-weight: 700; width: 28px; }
tr.notrun td { color: var(--skip); } .badge.notrun { background: #9a6700; } li.notrestored { color: var(--fail); }
td.cell.pass { color: var(--pass); background: #dafbe1; } td.cell.fail { color: #fff; background: var(--fail); } td.cell.skip { color: var(--skip); }
</style>
</head>
<body>
<header>
<h1>{{if .Title}}{{.Title}}{{else}}qapi contract{{end}} report</h1>
<p>{{.Target}} · {{len .Operations}} operations · {{len .Checks}} checks · {{.Requests}} requests · {{seconds .Duration}} · seed {{.Seed}}{{if .Strict}} · strict{{end}}{{if .Access}} · {{.Access}}{{else if .ReadOnly}} · read-only{{end}}</p>
</header>
<main>
{{if .Failed}}<div class="verdict bad">FAILED{{if .Interrupted}} (interrupted){{end}}</div>{{else}}<div class="verdict good">PASSED</div>{{end}}
<div class="totals">
<div class="total pass"><b>{{.Totals.Pass}}</b>passed</div>
<div class="total fail"><b>{{.Totals.Fail}}</b>failed</div>
<div class="total skip"><b>{{.Totals.Skip}}</b>skipped</div>
{{if .Totals.NotServed}}<div class="total skip"><b>{{.Totals.NotServed}}</b>operations not served</div>{{end}}
</div>
{{if .StopReason}}<p class="reason">{{.StopReason}}</p>{{end}}
{{if or .Restored .RestoreErrors}}<h2>Put back</h2>
<ul>{{range .RestoreErrors}}<li class="notrestored">not restored: {{.}}</li>{{end}}{{range .Restored}}<li>restored {{.}}</li>{{end}}</ul>
{{if .Journal}}<p>journal kept in <code>{{.Journal}}</code>: <code>qapi contract --restore {{.Journal}}</code> puts back what is left</p>{{end}}{{end}}
<h2>Operations × checks</h2>
<table class="matrix">
<tr><th>operation</th>{{range .Checks}}<th title="{{.Description}}"><span>{{.Name}}</span></th>{{end}}</tr>
{{range .Operations}}<tr{{if .NotRun}} class="notrun" title="not run: {{.NotRun}}"{{end}}><td><span class="method">{{.Method}}</span> {{.Path}}{{if .NotRun}} <span class="badge notrun">not run</span>{{end}}{{if .NotServed}} <span class="badge notrun" title="{{.NotServed}}">not served</span>{{end}}</td>{{range .Results}}<td class="cell {{.Status}}" title="{{.Check}}: {{.Status}}{{if .Reason}} ({{.Reason}}){{end}}">{{if eq .Status "pass"}}✓{{else if eq .Status "fail"}}✗{{else}}–{{end}}</td>{{end}}</tr>
{{end}}</table>
<h2>Operations</h2>
{{range .Operations}}
<details class="op"{{if failed .}} open{{end}}>
<summary>{{if failed .}}<span class="badge fail">fail</span>{{else if .NotRun}}<span class="badge notrun">not run</span>{{else if .NotServed}}<span class="badge notrun">not served</span>{{else}}<span class="badge pass">ok</span>{{end}} <span class="method">{{.Method}}</span> {{.Path}} <span class="reason">({{.ID}}{{if .Safety}}, {{.Safety}}{{end}})</span></summary>
<div class="body">
{{if .NotRun}}<p class="reason">not run: {{.NotRun}}</p>{{else if .SafetyReason}}<p class="reason">{{.Safety}}: {{.SafetyReason}}</p>{{end}}
<table>
<tr><th>check</th><th>result</th><th>detail</th></tr>
{{range .Results}}<tr><td><code>{{.Check}}</code></td><td><span class="badge {{.Status}}">{{.Status}}</span></td><td>
{{if .Reason}}<span class="reason">{{.Reason}}</span>{{end}}
{{range .Failures}}<div class="failure">
<div>{{.Message}}</div>
{{with .Exchange}}<div>request</div><pre>{{.Method}} {{.URL}}
{{range $k, $v := .RequestHeader}}{{$k}}: {{range $v}}{{.}}{{end}}
{{end}}{{if .RequestBody}}
{{.RequestBody}}{{end}}</pre>
<div>response</div><pre>{{.Status}}
{{range $k, $v := .ResponseHeader}}{{$k}}: {{range $v}}{{.}}{{end}}
{{end}}{{if .ResponseBody}}
{{.ResponseBody}}{{end}}</pre>{{end}}
{{if .Curl}}<div>reproduce</div><pre>{{.Curl}}</pre>{{end}}
</div>{{end}}
</td></tr>
{{end}}</table>
</div>
</details>
{{end}}
<h2>Checks</h2>
<table>
<tr><th>check</th><th>what it asserts</th></tr>
{{range .Checks}}<tr><td><code>{{.Name}}</code></td><td>{{.Description}}</td></tr>
{{end}}</table>
{{if .RestoreErrors}}<h2>Restore failures</h2><ul>{{range .RestoreErrors}}<li>{{.}}</li>{{end}}</ul>{{end}}
</main>
</body>
</html>
`))

// WriteHTML writes one self-contained HTML page: totals, a table per
// operation, and each failure with its request, response and reproduction.
func (rep *Report) WriteHTML(w io.Writer) error {
	return htmlReport.Execute(w, rep)
}
