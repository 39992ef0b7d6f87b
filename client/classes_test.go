package client

import (
	"errors"
	"net/http"
	"os"
	"regexp"
	"slices"
	"testing"
)

// Every error class the twin answers has its constant, so a driver tested
// against the twin finds each class it can meet.
func TestEveryTwinClassHasAConstant(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../mock/errors.go")
	if err != nil {
		t.Fatal(err)
	}
	twin := regexp.MustCompile(`"([a-z0-9]+(_[a-z0-9]+)*_error)"`).FindAllStringSubmatch(string(src), -1)
	if len(twin) < 20 {
		t.Fatalf("found %d classes in the twin's table: the pattern is off", len(twin))
	}
	for _, m := range twin {
		if !slices.Contains(errorClasses, ErrorClass(m[1])) {
			t.Errorf("the twin answers %s, and client has no constant for it", m[1])
		}
	}
}

// errors.Is matches an *APIError by its class and by its status, and by
// nothing else.
func TestErrorsIsByClassAndStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		class  string
		is     []error
		isNot  []error
	}{
		{http.StatusNotFound, "fs_no_such_entry_error", []error{ClassFSNoSuchEntry, ErrNotFound}, []error{ClassFSEntryExists, ErrForbidden, ErrBadRequest}},
		{http.StatusForbidden, "auth_not_authorized_error", []error{ClassAuthNotAuthorized, ErrForbidden}, []error{ErrUnauthorized, ClassHTTPUnauthorized}},
		{http.StatusBadRequest, "fs_invalid_name_error", []error{ClassFSInvalidName, ErrBadRequest}, []error{ErrConflict}},
		{http.StatusBadRequest, "", []error{ErrBadRequest}, []error{ErrorClass("")}},
	} {
		e := &APIError{StatusCode: tc.status, ErrorClass: tc.class}
		var err error = e
		for _, target := range tc.is {
			if !errors.Is(err, target) {
				t.Errorf("%d %s: errors.Is(err, %v) is false", tc.status, tc.class, target)
			}
		}
		for _, target := range tc.isNot {
			if errors.Is(err, target) {
				t.Errorf("%d %s: errors.Is(err, %v) is true", tc.status, tc.class, target)
			}
		}
	}
	if !IsForbidden(&APIError{StatusCode: http.StatusForbidden}) || !IsBadRequest(&APIError{StatusCode: http.StatusBadRequest}) {
		t.Error("IsForbidden or IsBadRequest does not match its status")
	}
}
