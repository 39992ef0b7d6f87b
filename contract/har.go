package contract

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Redactor hides secrets in what is recorded or logged: the values it was
// told about, the values of secret-named JSON fields (password,
// private_key, token, ...), Authorization and cookie headers. Values sent
// in write-only fields become numbered markers ("[REDACTED write-only #1]")
// rather than plain [REDACTED], so that a recording still shows where the
// same secret came back without holding it. It is safe for concurrent use.
type Redactor struct {
	mu        sync.RWMutex
	secrets   map[string]bool
	writeOnly []string
}

// NewRedactor returns a Redactor that knows no secret values yet.
func NewRedactor() *Redactor { return &Redactor{secrets: map[string]bool{}} }

// Add registers a secret value (a password, a token); values shorter than
// four characters are ignored so common words are not blanked out.
func (r *Redactor) Add(secret string) {
	if len(secret) < 4 {
		return
	}
	r.mu.Lock()
	r.secrets[secret] = true
	r.mu.Unlock()
}

func (r *Redactor) addWriteOnly(secret string) {
	r.mu.Lock()
	r.writeOnly = appendUnique(r.writeOnly, secret)
	r.mu.Unlock()
	r.Add(secret)
}

const writeOnlyMarker = "[REDACTED write-only #%d]"

func isWriteOnlyMarker(s string) bool {
	var n int
	k, err := fmt.Sscanf(s, writeOnlyMarker, &n)
	return err == nil && k == 1 && fmt.Sprintf(writeOnlyMarker, n) == s
}

// Text redacts the secret values in s.
func (r *Redactor) Text(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for i, secret := range r.writeOnly {
		marker := fmt.Sprintf(writeOnlyMarker, i+1)
		if s == secret {
			return marker
		}
		if len(secret) >= minEmbeddedSecret {
			s = strings.ReplaceAll(s, secret, marker)
		}
	}
	for secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, redactedText)
	}
	return s
}

// Body redacts a body: JSON string values (and secret-named fields
// entirely), or the whole text when it is not JSON.
func (r *Redactor) Body(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) == nil {
		if out, err := json.Marshal(r.value(v)); err == nil {
			return string(out)
		}
	}
	return r.Text(string(b))
}

func (r *Redactor) value(v any) any {
	switch t := v.(type) {
	case string:
		return r.Text(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if s, isString := e.(string); isString && isSecretField(k) {
				if m := r.Text(s); isWriteOnlyMarker(m) {
					out[k] = m
				} else {
					out[k] = redactedText
				}
				continue
			}
			out[k] = r.value(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = r.value(e)
		}
		return out
	}
	return v
}

// Header redacts header values; Authorization keeps its scheme only.
func (r *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			switch {
			case strings.EqualFold(k, "Authorization"), strings.EqualFold(k, "Proxy-Authorization"):
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " " + redactedText
			case strings.EqualFold(k, "Cookie"), strings.EqualFold(k, "Set-Cookie"):
				v = redactedText
			default:
				v = r.Text(v)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

// HAR is an HTTP Archive 1.2 document (http://www.softwareishard.com/blog/har-12-spec/),
// as browsers and HAR tools import and export it.
type HAR struct {
	Log HARLog `json:"log"`
}

// HARLog is the archive's root object.
type HARLog struct {
	Version string     `json:"version"`
	Creator HARCreator `json:"creator"`
	Entries []HAREntry `json:"entries"`
	Comment string     `json:"comment,omitempty"`
}

// HARCreator names the program that wrote the archive.
type HARCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// HAREntry is one exchange.
type HAREntry struct {
	StartedDateTime string      `json:"startedDateTime"`
	Time            float64     `json:"time"`
	Request         HARRequest  `json:"request"`
	Response        HARResponse `json:"response"`
	Cache           struct{}    `json:"cache"`
	Timings         HARTimings  `json:"timings"`
	ServerIPAddress string      `json:"serverIPAddress,omitempty"`
	Comment         string      `json:"comment,omitempty"`
}

// HARRequest is a recorded request.
type HARRequest struct {
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []HARNameValue `json:"cookies"`
	Headers     []HARNameValue `json:"headers"`
	QueryString []HARNameValue `json:"queryString"`
	PostData    *HARPostData   `json:"postData,omitempty"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
	Comment     string         `json:"comment,omitempty"`
}

// HARResponse is a recorded response.
type HARResponse struct {
	Status      int            `json:"status"`
	StatusText  string         `json:"statusText"`
	HTTPVersion string         `json:"httpVersion"`
	Cookies     []HARNameValue `json:"cookies"`
	Headers     []HARNameValue `json:"headers"`
	Content     HARContent     `json:"content"`
	RedirectURL string         `json:"redirectURL"`
	HeadersSize int            `json:"headersSize"`
	BodySize    int            `json:"bodySize"`
	Comment     string         `json:"comment,omitempty"`
}

// HARNameValue is a header, query parameter or cookie.
type HARNameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HARPostData is a request body.
type HARPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Comment  string `json:"comment,omitempty"`
}

// HARContent is a response body.
type HARContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// HARTimings are the phases of an exchange in milliseconds.
type HARTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// NewHAREntry records one exchange, redacted with red. The request's URL
// should be absolute (the server talked to). Bodies cut short, or not
// UTF-8, are not recorded; the entry says so in a comment.
func NewHAREntry(red *Redactor, started time.Time, took time.Duration, t Traffic) HAREntry {
	req := t.Request
	u := *req.URL
	e := HAREntry{
		StartedDateTime: started.UTC().Format("2006-01-02T15:04:05.000Z"),
		Time:            ms(took),
		Timings:         HARTimings{Send: 0, Wait: ms(took), Receive: 0},
	}
	proto := req.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	e.Request = HARRequest{
		Method: req.Method, URL: red.Text(u.String()), HTTPVersion: proto,
		Cookies: []HARNameValue{}, Headers: harHeaders(red.Header(req.Header)), QueryString: []HARNameValue{},
		HeadersSize: -1, BodySize: len(t.RequestBody),
	}
	for _, k := range sortedKeys(u.Query()) {
		for _, v := range u.Query()[k] {
			e.Request.QueryString = append(e.Request.QueryString, HARNameValue{Name: k, Value: red.Text(v)})
		}
	}
	if len(t.RequestBody) > 0 || t.RequestBodyTruncated {
		pd := &HARPostData{MimeType: req.Header.Get("Content-Type")}
		if t.RequestBodyTruncated {
			pd.Comment = "body not recorded: larger than the proxy keeps"
			e.Request.BodySize = -1
		} else if !utf8.Valid(t.RequestBody) {
			pd.Comment = "binary body not recorded"
		} else {
			pd.Text = red.Body(t.RequestBody)
		}
		e.Request.PostData = pd
	}
	e.Response = HARResponse{
		Status: t.Status, StatusText: http.StatusText(t.Status), HTTPVersion: proto,
		Cookies: []HARNameValue{}, Headers: harHeaders(red.Header(t.Header)),
		Content:     HARContent{Size: len(t.Body), MimeType: t.Header.Get("Content-Type")},
		HeadersSize: -1, BodySize: len(t.Body),
	}
	if e.Response.Content.MimeType == "" {
		e.Response.Content.MimeType = "x-unknown"
	}
	switch {
	case t.BodyTruncated:
		e.Response.Content.Comment = "body not recorded: larger than the proxy keeps"
		e.Response.BodySize, e.Response.Content.Size = -1, 0
	case !utf8.Valid(t.Body):
		e.Response.Content.Comment = "binary body not recorded"
	case len(t.Body) > 0:
		e.Response.Content.Text = red.Body(t.Body)
	}
	return e
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func harHeaders(h http.Header) []HARNameValue {
	out := []HARNameValue{}
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			out = append(out, HARNameValue{Name: k, Value: v})
		}
	}
	return out
}

// harTail closes the entries list and the document; HARWriter keeps it at
// the end of the file so the file is a whole archive after every entry.
const harTail = "\n]}}\n"

// HARWriter writes an archive one entry at a time. After each Add the file
// is a complete, valid archive, so a crash or Ctrl-C loses at most the
// exchange in flight. It is safe for concurrent use.
type HARWriter struct {
	mu   sync.Mutex
	f    *os.File
	path string
	// off is where the tail starts.
	off int64
	n   int
}

// CreateHAR creates (or truncates) path and writes an empty archive.
func CreateHAR(path, creatorVersion string) (*HARWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", path, unwrapPathErr(err))
	}
	creator, _ := json.Marshal(HARCreator{Name: "qapi", Version: creatorVersion})
	head := `{"log":{"version":"1.2","creator":` + string(creator) + `,"entries":[`
	if _, err := f.WriteString(head + harTail); err != nil {
		f.Close()
		return nil, fmt.Errorf("recording %s: %w", path, err)
	}
	return &HARWriter{f: f, path: path, off: int64(len(head))}, nil
}

// Add appends an entry.
func (w *HARWriter) Add(e HAREntry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("recording %s: closed", w.path)
	}
	var buf bytes.Buffer
	if w.n > 0 {
		buf.WriteString(",")
	}
	buf.WriteString("\n")
	buf.Write(data)
	entryLen := buf.Len()
	buf.WriteString(harTail)
	if _, err := w.f.WriteAt(buf.Bytes(), w.off); err != nil {
		return fmt.Errorf("recording %s: %w", w.path, err)
	}
	w.off += int64(entryLen)
	w.n++
	return nil
}

// Entries is how many entries were written.
func (w *HARWriter) Entries() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Close flushes the archive to disk and closes it.
func (w *HARWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadHAR reads an archive. Errors name the file and, for bad JSON, the
// line and column and what was wrong there.
func ReadHAR(path string) (*HAR, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", path, unwrapPathErr(err))
	}
	return ParseHAR(data, path)
}

// ParseHAR decodes an archive; name is used in errors.
func ParseHAR(data []byte, name string) (*HAR, error) {
	var raw struct {
		Log *json.RawMessage `json:"log"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("recording %s: not a HAR file: %s", name, jsonProblem(data, err))
	}
	if raw.Log == nil {
		return nil, fmt.Errorf("recording %s: not a HAR file: no \"log\" object at the top level", name)
	}
	var h HAR
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("recording %s: not a HAR 1.2 file: %s", name, jsonProblem(data, err))
	}
	for i, e := range h.Log.Entries {
		if e.Request.Method == "" || e.Request.URL == "" {
			return nil, fmt.Errorf("recording %s: log.entries[%d].request needs a method and a url", name, i)
		}
	}
	return &h, nil
}

// jsonProblem says where JSON went wrong, as line:column.
func jsonProblem(data []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		err = fmt.Errorf("%s holds a JSON %s, want %s", te.Field, te.Value, te.Type)
	}
	if off < 0 {
		return err.Error()
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// Traffic turns an entry back into the exchange it records.
func (e *HAREntry) Traffic() (Traffic, error) {
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return Traffic{}, fmt.Errorf("bad url: %w", err)
	}
	var reqBody []byte
	truncated := false
	if pd := e.Request.PostData; pd != nil {
		reqBody = []byte(pd.Text)
		truncated = pd.Text == "" && e.Request.BodySize != 0
	}
	req, err := http.NewRequest(e.Request.Method, u.String(), bytes.NewReader(reqBody))
	if err != nil {
		return Traffic{}, err
	}
	for _, h := range e.Request.Headers {
		if strings.HasPrefix(h.Name, ":") { // HTTP/2 pseudo-headers from browsers
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	header := http.Header{}
	for _, h := range e.Response.Headers {
		if !strings.HasPrefix(h.Name, ":") {
			header.Add(h.Name, h.Value)
		}
	}
	if header.Get("Content-Type") == "" && e.Response.Content.MimeType != "" && e.Response.Content.MimeType != "x-unknown" {
		header.Set("Content-Type", e.Response.Content.MimeType)
	}
	body := []byte(e.Response.Content.Text)
	if e.Response.Content.Encoding == "base64" {
		if b, err := base64.StdEncoding.DecodeString(e.Response.Content.Text); err == nil {
			body = b
		}
	}
	bodyTruncated := len(body) == 0 && e.Response.Content.Size > 0
	return Traffic{Request: req, RequestBody: reqBody, RequestBodyTruncated: truncated,
		Status: e.Response.Status, Header: header, Body: body, BodyTruncated: bodyTruncated}, nil
}

// OutsideSpec counts recorded exchanges whose path or method the spec does
// not have.
type OutsideSpec struct {
	Method, Path string
	Count        int
}

// Verification is what VerifyHAR found.
type Verification struct {
	Report *Report
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

// VerifyHAR checks every exchange of a recording with the exchange checks
// (ExchangeChecks), in recorded order, and builds a report like qapi
// contract's: one operation result per operation seen. target names the
// recording in the report.
func VerifyHAR(spec *openapi3.T, h *HAR, target string, opts ...CheckerOption) (*Verification, error) {
	c, err := NewChecker(spec, opts...)
	if err != nil {
		return nil, err
	}
	rep := &Report{Title: "qapi verify", Target: target, Checks: append([]Check(nil), ExchangeChecks...), Started: time.Now().UTC(), Strict: c.strict}
	v := &Verification{Report: rep, Exchanges: len(h.Log.Entries)}
	byOp := map[string]*opResult{}
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
		or := byOp[res.Operation.ID]
		if or == nil {
			or = rep.operation(op{ID: res.Operation.ID, Method: res.Operation.Method, Path: res.Operation.Path})
			byOp[res.Operation.ID] = or
		}
		ex := e.exchange()
		for _, oc := range res.Outcomes {
			switch oc.Status {
			case Pass:
				or.pass(oc.Check)
			case Fail:
				or.fail(oc.Check, oc.Reason, ex)
			case Skip:
				or.skip(oc.Check, oc.Reason)
			}
		}
	}
	if !first.IsZero() {
		rep.Started = first
		rep.Duration = Duration(last.Sub(first))
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
	rep.finish()
	return v, nil
}

// exchange is the entry as a report shows it; a recording is redacted
// already.
func (e *HAREntry) exchange() *Exchange {
	ex := &Exchange{Method: e.Request.Method, URL: e.Request.URL, Status: e.Response.Status, RequestHeader: http.Header{}, ResponseHeader: http.Header{}}
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
	ex.Duration = Duration(time.Duration(e.Time * float64(time.Millisecond)))
	return ex
}
