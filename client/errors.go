package client

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qapitools/qapi/internal/qerror"
	"github.com/qapitools/qapi/redact"
)

// Sentinel errors for the statuses callers branch on. An *APIError matches
// the sentinel for its status with errors.Is, so
//
//	errors.Is(err, client.ErrNotFound)
//
// holds for any error that wraps a 404 answer.
var (
	// ErrUnauthorized matches 401 answers: a missing, expired or refused token,
	// or a failed login.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrBadRequest matches 400 answers: the request was refused as
	// malformed or invalid.
	ErrBadRequest = errors.New("bad request")
	// ErrForbidden matches 403 answers: the user lacks the privilege.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound matches 404 answers, such as fs_no_such_entry_error.
	ErrNotFound = errors.New("not found")
	// ErrConflict matches 409 answers, such as fs_entry_exists_error.
	ErrConflict = errors.New("conflict")
	// ErrPreconditionFailed matches 412 answers: the If-Match ETag is stale
	// because someone else changed the resource since it was read.
	ErrPreconditionFailed = errors.New("precondition failed")
)

var statusSentinels = map[int]error{
	http.StatusBadRequest:         ErrBadRequest,
	http.StatusUnauthorized:       ErrUnauthorized,
	http.StatusForbidden:          ErrForbidden,
	http.StatusNotFound:           ErrNotFound,
	http.StatusConflict:           ErrConflict,
	http.StatusPreconditionFailed: ErrPreconditionFailed,
}

// IsUnauthorized reports whether err wraps a 401 answer.
func IsUnauthorized(err error) bool { return errors.Is(err, ErrUnauthorized) }

// IsBadRequest reports whether err wraps a 400 answer.
func IsBadRequest(err error) bool { return errors.Is(err, ErrBadRequest) }

// IsForbidden reports whether err wraps a 403 answer: the user lacks the
// privilege.
func IsForbidden(err error) bool { return errors.Is(err, ErrForbidden) }

// IsNotFound reports whether err wraps a 404 answer.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsConflict reports whether err wraps a 409 answer.
func IsConflict(err error) bool { return errors.Is(err, ErrConflict) }

// IsPreconditionFailed reports whether err wraps a 412 answer (a stale If-Match).
func IsPreconditionFailed(err error) bool { return errors.Is(err, ErrPreconditionFailed) }

// APIError is a non-2xx answer from the cluster. Qumulo answers errors with a
// JSON body {module, error_class, description, stack, user_visible}; those
// fields are decoded here. When the body is not such JSON (a proxy's HTML
// page, an empty body), Error still reports the status and the start of the
// body. Secrets are redacted from every field before the error is built.
//
// Use errors.As to get at the fields:
//
//	var apiErr *client.APIError
//	if errors.As(err, &apiErr) && apiErr.ErrorClass == "fs_entry_exists_error" { … }
type APIError struct {
	// StatusCode is the HTTP status, such as 404.
	StatusCode int
	// Method and URL name the request (the URL without its query).
	Method, URL string

	// Module is the server module that raised the error.
	Module string
	// ErrorClass is the error class, such as fs_no_such_entry_error.
	ErrorClass string
	// Description says what went wrong, for people: the server's text
	// whole (redacted), which Error shows bounded and with control
	// characters quoted.
	Description string
	// Stack is the server's stack trace. Clusters send a list of strings on
	// most errors and a single string on some; a string becomes its lines.
	Stack []string
	// UserVisible reports whether Description is meant for end users.
	UserVisible bool

	// Body is the start of the response body (at most 512 bytes, redacted)
	// when it was not a Qumulo error document; it is empty otherwise.
	Body string

	// Response is the raw answer. Its body has been read and closed; its
	// Request is the caller's request without the body or the bearer token.
	Response *http.Response
}

// maxSnippet bounds how much of a non-JSON body an error message quotes.
const maxSnippet = 512

// maxDescription and maxClass bound how much of the server's description
// and error class Error shows: the text is the server's, so a hostile or
// broken one could otherwise make every log line that prints the error a
// megabyte long.
const (
	maxDescription = 2 << 10
	maxClass       = 256
)

// printable is s as a terminal may show it: control characters (escape
// sequences that clear the screen or write the clipboard, CR and LF that
// forge log lines) and invisible format characters (bidirectional
// overrides) are quoted as Go quotes them, and what lies past max bytes of
// output is cut, with a note of how many bytes of s were cut.
func printable(s string, max int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		piece := s[i : i+size]
		switch {
		case r == utf8.RuneError && size == 1:
			piece = fmt.Sprintf(`\x%02x`, s[i])
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			q := strconv.QuoteRune(r)
			piece = q[1 : len(q)-1]
		}
		if b.Len()+len(piece) > max {
			fmt.Fprintf(&b, "…(%d bytes cut)", len(s)-i)
			break
		}
		b.WriteString(piece)
		i += size
	}
	return b.String()
}

// Error returns "METHOD URL: STATUS: error_class: description", or, for a
// non-JSON body, the status followed by the start of the body. What comes
// from the server is bounded (2 KiB of description) and printable.
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Method != "" || e.URL != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	}
	status := fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	b.WriteString(strings.TrimSpace(status))
	switch {
	case e.ErrorClass != "" || e.Description != "":
		if e.ErrorClass != "" {
			b.WriteString(": " + printable(e.ErrorClass, maxClass))
		}
		if e.Description != "" {
			b.WriteString(": " + printable(e.Description, maxDescription))
		}
	case e.Body != "":
		fmt.Fprintf(&b, ": body %q", e.Body)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) and the other sentinels match by
// status, and errors.Is(err, ClassFSNoSuchEntry) and the other classes by
// error class.
func (e *APIError) Is(target error) bool {
	if c, ok := target.(ErrorClass); ok {
		return e.ErrorClass != "" && e.ErrorClass == string(c)
	}
	s, ok := statusSentinels[e.StatusCode]
	return ok && s == target
}

// newAPIError builds the error for resp, whose body has been read into body.
func newAPIError(resp *http.Response, body []byte, r *redact.Redactor) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Response: resp}
	if req := resp.Request; req != nil && req.URL != nil {
		u := *req.URL
		u.RawQuery, u.Fragment, u.User = "", "", nil
		e.Method, e.URL = req.Method, u.String()
	}
	if doc, stack, ok := qerror.Decode(body); ok {
		e.Module = r.Text(doc.Module)
		e.ErrorClass = r.Text(doc.ErrorClass)
		e.Description = r.Text(doc.Description)
		e.UserVisible = doc.UserVisible != nil && *doc.UserVisible
		for _, line := range stack {
			e.Stack = append(e.Stack, r.Text(line))
		}
		return e
	}
	// Redact the whole body before cutting it, so a cut cannot split a secret
	// into a part the patterns no longer recognise.
	s := r.Text(string(bytes.TrimSpace(body)))
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxSnippet {
		s = s[:maxSnippet] + "…"
	}
	e.Body = s
	return e
}

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 1 << 20

// CheckResponse returns nil for a 1xx, 2xx or 3xx answer and an *APIError
// otherwise. body is the response body already read; when body is nil,
// CheckResponse reads and closes an error answer's body itself. Use it with
// requests sent through Do:
//
//	req, err := gen.NewGetEncryptionKeyStoreRequest(c.BaseURL())
//	…
//	resp, err := c.Do(req.WithContext(ctx))
//	if err == nil {
//		err = c.CheckResponse(resp, nil)
//	}
func (c *Client) CheckResponse(resp *http.Response, body []byte) error {
	if resp == nil {
		return errors.New("no response")
	}
	if resp.StatusCode < 400 {
		return nil
	}
	if body == nil && resp.Body != nil {
		body = readErrorBody(resp)
	}
	return newAPIError(resp, body, c.red)
}

// readErrorBody reads at most maxErrorBody of an error answer, and closes it.
func readErrorBody(resp *http.Response) []byte {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return body
}

// opError is a failure to get an answer at all (network, TLS, context). Its
// message is redacted when built; Unwrap gives the cause, so errors.Is(err,
// context.Canceled) and errors.As(err, &x509.UnknownAuthorityError{}) work.
type opError struct {
	msg string
	err error
}

func (e *opError) Error() string { return e.msg }
func (e *opError) Unwrap() error { return e.err }

// newOpError describes err for req, with advice when the cluster's
// certificate was not trusted.
func (c *Client) newOpError(req *http.Request, err error, attempts int) error {
	u := *req.URL
	u.RawQuery, u.Fragment, u.User = "", "", nil
	msg := fmt.Sprintf("%s %s: %v", req.Method, u.String(), unwrapURLError(err))
	if attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", attempts)
	}
	if isCertError(err) {
		msg += "; the cluster's TLS certificate is not trusted: pass its CA certificate with " +
			"client.WithCAFile(path) or client.WithCABundle(pem), or, for a throwaway test cluster only, " +
			"client.WithInsecureSkipVerify()"
	}
	return &opError{msg: c.red.Text(msg), err: err}
}

// unwrapURLError drops the *url.Error layer, whose message repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// isCertError reports whether err is a failure to verify the server's certificate.
func isCertError(err error) bool {
	var (
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
		ci x509.CertificateInvalidError
		cv *tls.CertificateVerificationError
	)
	return errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &cv)
}
