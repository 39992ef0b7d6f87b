package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// errorFor makes the fake answer GET key-store with status and raw body.
func errorFor(t *testing.T, status int, contentType, body string) error {
	t.Helper()
	e := setup(t)
	e.fake.setInject(func(w http.ResponseWriter, r *http.Request, n int) bool {
		if r.Method == http.MethodGet {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return true
		}
		return false
	})
	_, err := e.c.KeyStore(context.Background())
	if err == nil {
		t.Fatalf("status %d: no error", status)
	}
	return err
}

func TestAPIErrorListStack(t *testing.T) {
	t.Parallel()
	err := errorFor(t, http.StatusNotFound, "application/json",
		`{"module":"fs","error_class":"fs_no_such_entry_error","description":"no such entry","stack":["a.py:1","b.py:2"],"user_visible":true}`)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v, want *APIError", err, err)
	}
	if apiErr.StatusCode != 404 || apiErr.Module != "fs" || apiErr.ErrorClass != "fs_no_such_entry_error" ||
		apiErr.Description != "no such entry" || !apiErr.UserVisible || len(apiErr.Stack) != 2 || apiErr.Stack[1] != "b.py:2" {
		t.Errorf("fields = %+v", *apiErr)
	}
	if apiErr.Response == nil || apiErr.Response.StatusCode != 404 {
		t.Errorf("Response = %v, want the raw 404", apiErr.Response)
	}
	if apiErr.Method != http.MethodGet || !strings.HasSuffix(apiErr.URL, "/v2/encryption/key-store") {
		t.Errorf("request = %s %s", apiErr.Method, apiErr.URL)
	}
	want := "GET " + apiErr.URL + ": 404 Not Found: fs_no_such_entry_error: no such entry"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestAPIErrorStringStack(t *testing.T) {
	t.Parallel()
	err := errorFor(t, http.StatusConflict, "application/json",
		`{"module":"fs","error_class":"fs_entry_exists_error","description":"exists","stack":"line one\nline two\n"}`)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if len(apiErr.Stack) != 2 || apiErr.Stack[0] != "line one" || apiErr.Stack[1] != "line two" {
		t.Errorf("Stack = %q, want the string's two lines", apiErr.Stack)
	}
	if !IsConflict(err) {
		t.Errorf("IsConflict(%v) = false", err)
	}
}

func TestAPIErrorNonJSONBody(t *testing.T) {
	t.Parallel()
	html := "<html><body><h1>502 Bad Gateway</h1>" + strings.Repeat("padding ", 200) + "</body></html>"
	err := errorFor(t, http.StatusBadGateway, "text/html", html)
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "502 Bad Gateway") || !strings.Contains(msg, "<h1>502 Bad Gateway</h1>") {
		t.Errorf("Error() = %q, want the status and the start of the body", msg)
	}
	if len(apiErr.Body) > maxSnippet+len("…") {
		t.Errorf("Body has %d bytes, want at most %d", len(apiErr.Body), maxSnippet)
	}
}

func TestAPIErrorJSONContentTypeButNotQumulo(t *testing.T) {
	t.Parallel()
	err := errorFor(t, http.StatusInternalServerError, "application/json", `{"oops": true}`)
	if !strings.Contains(err.Error(), "500 Internal Server Error") || !strings.Contains(err.Error(), "oops") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestAPIErrorEmptyBody(t *testing.T) {
	t.Parallel()
	err := errorFor(t, http.StatusForbidden, "", "")
	if !strings.HasSuffix(err.Error(), ": 403 Forbidden") {
		t.Errorf("Error() = %q", err.Error())
	}
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("errors.Is(ErrForbidden) = false")
	}
}

func TestErrorsIsHelpers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		is     func(error) bool
		target error
	}{
		{http.StatusUnauthorized, IsUnauthorized, ErrUnauthorized},
		{http.StatusNotFound, IsNotFound, ErrNotFound},
		{http.StatusConflict, IsConflict, ErrConflict},
		{http.StatusPreconditionFailed, IsPreconditionFailed, ErrPreconditionFailed},
	}
	all := []func(error) bool{IsUnauthorized, IsNotFound, IsConflict, IsPreconditionFailed}
	for _, tc := range cases {
		err := fmt.Errorf("outer: %w", &APIError{StatusCode: tc.status})
		if !tc.is(err) || !errors.Is(err, tc.target) {
			t.Errorf("%d: helper or errors.Is is false", tc.status)
		}
		matches := 0
		for _, f := range all {
			if f(err) {
				matches++
			}
		}
		if matches != 1 {
			t.Errorf("%d: %d helpers match, want 1", tc.status, matches)
		}
	}
	if IsNotFound(nil) || IsNotFound(errors.New("404")) || IsNotFound(&APIError{StatusCode: 500}) {
		t.Error("IsNotFound matches what is not a 404 APIError")
	}
}
