package report

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qapitools/qapi/redact"
)

// Exchange is one request and its response, as sent and received. Bodies and
// headers are redacted before an Exchange leaves the runner.
type Exchange struct {
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	RequestHeader  http.Header `json:"request_header,omitempty"`
	RequestBody    string      `json:"request_body,omitempty"`
	Status         int         `json:"status"`
	ResponseHeader http.Header `json:"response_header,omitempty"`
	ResponseBody   string      `json:"response_body,omitempty"`
	Duration       Duration    `json:"duration"`
	// Error is the transport error when no response came back.
	Error string `json:"error,omitempty"`
}

// MaxExcerpt is how much of a body a report keeps: enough to see what was
// wrong, not what a peer chose to send (an endless body made every report
// hundreds of megabytes).
const MaxExcerpt = 2 << 10

// Excerpt is a body as a report shows it: redacted with red, and cut to
// MaxExcerpt bytes with a note of how much was left out. A body that fits
// is redacted as JSON when it is JSON; a cut one as text.
func Excerpt(red *redact.Redactor, body []byte) string {
	if len(body) <= MaxExcerpt {
		return red.Body(body)
	}
	window := body[:min(len(body), excerptWindow)]
	return clip(red.Text(string(window)), len(body)-len(window))
}

// excerptWindow is how much of a long body is redacted before it is cut: a
// secret that crosses the cut is only recognised whole, so the window
// reaches well past it (past a PEM private key, escaped and base64-encoded).
const excerptWindow = MaxExcerpt + 16<<10

// clip cuts s to MaxExcerpt bytes on a character boundary; dropped is how
// much was cut before.
func clip(s string, dropped int) string {
	if len(s) > MaxExcerpt {
		cut := MaxExcerpt
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s, dropped = s[:cut], dropped+len(s)-cut
	}
	if dropped > 0 {
		s += fmt.Sprintf("… [%d more bytes not kept]", dropped)
	}
	return s
}

// Duration marshals as seconds in JSON reports.
type Duration time.Duration

// MarshalJSON writes the duration in seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).Seconds())
}

// UnmarshalJSON reads a duration in seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s float64
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*d = Duration(s * float64(time.Second))
	return nil
}

// Curl renders a command that replays the exchange's request. The bearer
// token is left to the shell ($QUMULO_TOKEN) and secrets are redacted.
func (e *Exchange) Curl() string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl -sS -k -X %s %s", e.Method, shellQuote(e.URL))
	names := make([]string, 0, len(e.RequestHeader))
	for k := range e.RequestHeader {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range e.RequestHeader[k] {
			if strings.EqualFold(k, "Authorization") && strings.HasPrefix(v, "Bearer "+redact.Marker) {
				v = "Bearer $QUMULO_TOKEN"
				fmt.Fprintf(&b, " -H \"%s: %s\"", k, v)
				continue
			}
			fmt.Fprintf(&b, " -H %s", shellQuote(k+": "+v))
		}
	}
	if e.RequestBody != "" {
		fmt.Fprintf(&b, " --data-raw %s", shellQuote(e.RequestBody))
	}
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
