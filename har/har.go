// Package har reads and writes HTTP Archive 1.2 files
// (http://www.softwareishard.com/blog/har-12-spec/), as browsers and HAR
// tools import and export them: qapi proxy records its traffic in one, and
// qapi verify checks one offline. What is recorded is redacted first.
package har

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/fileio"
	"github.com/qapitools/qapi/redact"
)

// Archive is an HTTP Archive 1.2 document (http://www.softwareishard.com/blog/har-12-spec/),
// as browsers and HAR tools import and export it.
type Archive struct {
	Log Log `json:"log"`
}

// Log is the archive's root object.
type Log struct {
	Version string  `json:"version"`
	Creator Creator `json:"creator"`
	Entries []Entry `json:"entries"`
	Comment string  `json:"comment,omitempty"`
}

// Creator names the program that wrote the archive.
type Creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Entry is one exchange.
type Entry struct {
	StartedDateTime string   `json:"startedDateTime"`
	Time            float64  `json:"time"`
	Request         Request  `json:"request"`
	Response        Response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         Timings  `json:"timings"`
	ServerIPAddress string   `json:"serverIPAddress,omitempty"`
	Comment         string   `json:"comment,omitempty"`
}

// Request is a recorded request.
type Request struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []NameValue `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	QueryString []NameValue `json:"queryString"`
	PostData    *PostData   `json:"postData,omitempty"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
	Comment     string      `json:"comment,omitempty"`
}

// Response is a recorded response.
type Response struct {
	Status      int         `json:"status"`
	StatusText  string      `json:"statusText"`
	HTTPVersion string      `json:"httpVersion"`
	Cookies     []NameValue `json:"cookies"`
	Headers     []NameValue `json:"headers"`
	Content     Content     `json:"content"`
	RedirectURL string      `json:"redirectURL"`
	HeadersSize int         `json:"headersSize"`
	BodySize    int         `json:"bodySize"`
	Comment     string      `json:"comment,omitempty"`
}

// NameValue is a header, query parameter or cookie.
type NameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PostData is a request body.
type PostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Comment  string `json:"comment,omitempty"`
}

// Content is a response body.
type Content struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// Timings are the phases of an exchange in milliseconds.
type Timings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// NewEntry records one exchange, redacted with red. The request's URL
// should be absolute (the server talked to). Bodies cut short, or not
// UTF-8, are not recorded; the entry says so in a comment.
func NewEntry(red *redact.Redactor, started time.Time, took time.Duration, t check.Traffic) Entry {
	req := t.Request
	u := *req.URL
	e := Entry{
		StartedDateTime: started.UTC().Format("2006-01-02T15:04:05.000Z"),
		Time:            ms(took),
		Timings:         Timings{Send: 0, Wait: ms(took), Receive: 0},
	}
	proto := req.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	e.Request = Request{
		Method: req.Method, URL: red.Text(u.String()), HTTPVersion: proto,
		Cookies: []NameValue{}, Headers: headers(red.Header(req.Header)), QueryString: []NameValue{},
		HeadersSize: -1, BodySize: len(t.RequestBody),
	}
	for _, k := range slices.Sorted(maps.Keys(u.Query())) {
		for _, v := range u.Query()[k] {
			if redact.SecretField(k) {
				v = redact.Marker // whatever shape it has (?api_key=…)
			}
			e.Request.QueryString = append(e.Request.QueryString, NameValue{Name: k, Value: red.Text(v)})
		}
	}
	if len(t.RequestBody) > 0 || t.RequestBodyTruncated {
		pd := &PostData{MimeType: req.Header.Get("Content-Type")}
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
	e.Response = Response{
		Status: t.Status, StatusText: http.StatusText(t.Status), HTTPVersion: proto,
		Cookies: []NameValue{}, Headers: headers(red.Header(t.Header)),
		Content:     Content{Size: len(t.Body), MimeType: t.Header.Get("Content-Type")},
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

func headers(h http.Header) []NameValue {
	out := []NameValue{}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			out = append(out, NameValue{Name: k, Value: v})
		}
	}
	return out
}

// tail closes the entries list and the document; Writer keeps it at
// the end of the file so the file is a whole archive after every entry.
const tail = "\n]}}\n"

// Writer writes an archive one entry at a time. After each Add the file
// is a complete, valid archive, so a crash or Ctrl-C loses at most the
// exchange in flight. It is safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	f    *os.File
	path string
	// off is where the tail starts.
	off int64
	n   int
}

// Create creates (or truncates) path and writes an empty archive.
func Create(path, creatorVersion string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", path, fileio.PathError(err))
	}
	creator, _ := json.Marshal(Creator{Name: "qapi", Version: creatorVersion})
	head := `{"log":{"version":"1.2","creator":` + string(creator) + `,"entries":[`
	if _, err := f.WriteString(head + tail); err != nil {
		f.Close()
		return nil, fmt.Errorf("recording %s: %w", path, err)
	}
	return &Writer{f: f, path: path, off: int64(len(head))}, nil
}

// Add appends an entry.
func (w *Writer) Add(e Entry) error {
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
	buf.WriteString(tail)
	if _, err := w.f.WriteAt(buf.Bytes(), w.off); err != nil {
		return fmt.Errorf("recording %s: %w", w.path, err)
	}
	w.off += int64(entryLen)
	w.n++
	return nil
}

// Entries is how many entries were written.
func (w *Writer) Entries() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Close flushes the archive to disk and closes it.
func (w *Writer) Close() error {
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

// MaxEntryBytes bounds one entry of an archive read: the archive itself is
// read one entry at a time, so its size does not matter.
const MaxEntryBytes = 64 << 20

// Read reads an archive whole. Errors name the file and, for bad JSON, the
// line and column and what was wrong there.
func Read(path string) (*Archive, error) {
	var h Archive
	lg, err := ScanFile(path, func(_ int, e *Entry) error {
		h.Log.Entries = append(h.Log.Entries, *e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	h.Log.Version, h.Log.Creator, h.Log.Comment = lg.Version, lg.Creator, lg.Comment
	return &h, nil
}

// Parse decodes an archive; name is used in errors.
func Parse(data []byte, name string) (*Archive, error) {
	var h Archive
	lg, err := scan(bytes.NewReader(data), name, func(_ int, e *Entry) error {
		h.Log.Entries = append(h.Log.Entries, *e)
		return nil
	}, func(off int64) string { return lineColumn(bytes.NewReader(data), off) })
	if err != nil {
		return nil, err
	}
	h.Log.Version, h.Log.Creator, h.Log.Comment = lg.Version, lg.Creator, lg.Comment
	return &h, nil
}

// ScanFile reads the archive at path one entry at a time, calling fn with
// each in order, and returns the rest of its log (Entries left empty): a
// recording of any size is read in the memory of its largest entry, which
// MaxEntryBytes bounds. An error from fn stops the scan and is returned.
func ScanFile(path string, fn func(i int, e *Entry) error) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", path, fileio.PathError(err))
	}
	defer f.Close()
	return scan(bufio.NewReaderSize(f, 64<<10), path, fn, func(off int64) string {
		g, err := os.Open(path)
		if err != nil {
			return fmt.Sprintf("byte %d", off)
		}
		defer g.Close()
		return lineColumn(bufio.NewReader(g), off)
	})
}

// scan walks the archive with a streaming decoder; where turns a byte
// offset into a position for messages.
func scan(r io.Reader, name string, fn func(int, *Entry) error, where func(int64) string) (*Log, error) {
	cr := &countingReader{r: r}
	dec := json.NewDecoder(cr)
	fail := func(what string, err error) error {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, errEntryTooLarge):
			return fmt.Errorf("recording %s: %s: %w", name, what, err)
		case errors.As(err, &se):
			return fmt.Errorf("recording %s: not a HAR file: %s: %v", name, where(se.Offset), err)
		case errors.As(err, &te):
			if te.Field != "" {
				what += "." + te.Field
			}
			return fmt.Errorf("recording %s: not a HAR 1.2 file: %s: %s holds a JSON %s, want %s", name, where(te.Offset), what, te.Value, te.Type)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("recording %s: not a HAR file: %s: unexpected end of the file", name, where(cr.n))
		}
		return fmt.Errorf("recording %s: %w", name, err)
	}
	// delim reads the token that must open or close a value.
	delim := func(want json.Delim, what string) error {
		at := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(what, err)
		}
		if tok != want {
			return fmt.Errorf("recording %s: not a HAR 1.2 file: %s: %s is not a JSON %s", name, where(at), what, map[json.Delim]string{'{': "object", '[': "array"}[want])
		}
		return nil
	}
	key := func() (string, error) {
		tok, err := dec.Token()
		if err != nil {
			return "", fail("key", err)
		}
		k, _ := tok.(string)
		return k, nil
	}
	// decode reads one value into v, within MaxEntryBytes.
	decode := func(v any, what string) error {
		cr.mark = cr.n
		at := dec.InputOffset()
		if err := dec.Decode(v); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				te.Offset += at
			}
			return fail(what, err)
		}
		return nil
	}
	if err := delim('{', "the document"); err != nil {
		return nil, err
	}
	var lg *Log
	for dec.More() {
		k, err := key()
		if err != nil {
			return nil, err
		}
		if k != "log" {
			if err := decode(&json.RawMessage{}, k); err != nil {
				return nil, err
			}
			continue
		}
		lg = &Log{}
		if err := delim('{', "log"); err != nil {
			return nil, err
		}
		for dec.More() {
			k, err := key()
			if err != nil {
				return nil, err
			}
			switch k {
			case "version":
				err = decode(&lg.Version, "log.version")
			case "creator":
				err = decode(&lg.Creator, "log.creator")
			case "comment":
				err = decode(&lg.Comment, "log.comment")
			case "entries":
				err = entries(dec, delim, decode, name, fn)
			default:
				err = decode(&json.RawMessage{}, "log."+k)
			}
			if err != nil {
				return nil, err
			}
		}
		if err := delim('}', "log"); err != nil {
			return nil, err
		}
	}
	if err := delim('}', "the document"); err != nil {
		return nil, err
	}
	if dec.More() {
		rest, _ := io.ReadAll(io.LimitReader(dec.Buffered(), 1<<10))
		at := dec.InputOffset() + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
		return nil, fmt.Errorf("recording %s: not a HAR file: %s: data after the archive", name, where(at))
	}
	if lg == nil {
		return nil, fmt.Errorf("recording %s: not a HAR file: no \"log\" object at the top level", name)
	}
	return lg, nil
}

// entries reads log.entries one at a time.
func entries(dec *json.Decoder, delim func(json.Delim, string) error, decode func(any, string) error, name string, fn func(int, *Entry) error) error {
	if err := delim('[', "log.entries"); err != nil {
		return err
	}
	for i := 0; dec.More(); i++ {
		var e Entry
		what := fmt.Sprintf("log.entries[%d]", i)
		if err := decode(&e, what); err != nil {
			return err
		}
		if e.Request.Method == "" || e.Request.URL == "" {
			return fmt.Errorf("recording %s: %s.request needs a method and a url", name, what)
		}
		if err := fn(i, &e); err != nil {
			return err
		}
	}
	return delim(']', "log.entries")
}

var errEntryTooLarge = fmt.Errorf("larger than %d MiB", MaxEntryBytes>>20)

// countingReader counts what the decoder read and refuses to read more than
// MaxEntryBytes past the mark, set at the start of each value decoded.
type countingReader struct {
	r       io.Reader
	n, mark int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	left := MaxEntryBytes - (c.n - c.mark)
	if left < 0 {
		return 0, errEntryTooLarge
	}
	if int64(len(p)) > left+1 {
		p = p[:left+1]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// lineColumn says where offset off of r is, as line:column.
func lineColumn(r io.Reader, off int64) string {
	line, col := 1, int64(1)
	br := bufio.NewReader(io.LimitReader(r, off))
	for {
		b, err := br.ReadByte()
		if err != nil {
			break
		}
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// Traffic turns an entry back into the exchange it records.
func (e *Entry) Traffic() (check.Traffic, error) {
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return check.Traffic{}, fmt.Errorf("bad url: %w", err)
	}
	var reqBody []byte
	truncated := false
	if pd := e.Request.PostData; pd != nil {
		reqBody = []byte(pd.Text)
		truncated = pd.Text == "" && e.Request.BodySize != 0
	}
	req, err := http.NewRequest(e.Request.Method, u.String(), bytes.NewReader(reqBody))
	if err != nil {
		return check.Traffic{}, err
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
	return check.Traffic{Request: req, RequestBody: reqBody, RequestBodyTruncated: truncated,
		Status: e.Response.Status, Header: header, Body: body, BodyTruncated: bodyTruncated}, nil
}
