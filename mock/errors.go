package mock

import (
	"fmt"
	"net/http"

	"github.com/qapitools/qapi/internal/qerror"
)

// errorKind names a failure the mock answers; kinds map to an HTTP status
// and a Qumulo error class in one table so every layer answers alike.
type errorKind int

const (
	errBadRequest errorKind = iota
	errUnauthorized
	errNotFound
	errNoSuchEntry
	errMethodNotAllowed
	errPrecondition
	errTooLarge
	errUnsupportedMedia
	errInternal
)

// errorTable holds the status and error class of each kind. The classes are
// the ones a Qumulo cluster's REST layer answers with.
var errorTable = map[errorKind]struct {
	status int
	class  string
}{
	errBadRequest:       {http.StatusBadRequest, "http_bad_request_error"},
	errUnauthorized:     {http.StatusUnauthorized, "http_unauthorized_error"},
	errNotFound:         {http.StatusNotFound, "http_not_found_error"},
	errNoSuchEntry:      {http.StatusNotFound, "api_no_such_entry_error"},
	errMethodNotAllowed: {http.StatusMethodNotAllowed, "http_method_not_allowed_error"},
	errPrecondition:     {http.StatusPreconditionFailed, "http_precondition_failed_error"},
	errTooLarge:         {http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error"},
	errUnsupportedMedia: {http.StatusUnsupportedMediaType, "http_unsupported_media_type_error"},
	errInternal:         {http.StatusInternalServerError, "http_internal_server_error"},
}

// errorModule is the module a cluster names for errors of its REST layer.
const errorModule = "qumulo.rest.mock"

// Error is a failure the mock answers in Qumulo's error shape. Handlers
// return it; the server writes it.
type Error struct {
	kind        errorKind
	Description string
}

// Error returns the description; it never holds a secret.
func (e *Error) Error() string { return e.Description }

// Status is the HTTP status the error is answered with.
func (e *Error) Status() int { return errorTable[e.kind].status }

// Class is the Qumulo error class, such as http_bad_request_error.
func (e *Error) Class() string { return errorTable[e.kind].class }

func newError(kind errorKind, format string, args ...any) *Error {
	return &Error{kind: kind, Description: fmt.Sprintf(format, args...)}
}

// writeError answers err in Qumulo's shape.
func writeError(w http.ResponseWriter, err *Error) {
	qerror.Write(w, err.Status(), qerror.New(errorModule, err.Class(), err.Description, err.kind != errInternal))
}
