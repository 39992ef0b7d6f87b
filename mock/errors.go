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
	errInvalidRequest
	errUnauthorized
	errInvalidCredentials
	errNotFound
	errNoSuchEntry
	errMethodNotAllowed
	errPrecondition
	errTooLarge
	errUnsupportedMedia
	errTooManyRequests
	errInternal

	errFsNoSuchEntry
	errFsEntryExists
	errFsNotEmpty
	errFsInvalidName
	errFsNotDirectory

	errS3BucketExists
	errS3BucketNotFound
	errS3AccessKeyLimit
	errS3UploadsInProgress

	errAuthNoSuchUser
	errAuthUserExists
	errNotAuthorized

	errQuotaLimitSet
	errQuotaNotFound
	errNFSExportMissing
)

// errorTable holds the status and error class of each kind. The classes are
// the ones a Qumulo cluster answers with; the domain classes below the first
// block are those real clients branch on.
var errorTable = map[errorKind]struct {
	status int
	class  string
}{
	errBadRequest:         {http.StatusBadRequest, "http_bad_request_error"},
	errInvalidRequest:     {http.StatusBadRequest, "rest_invalid_request_error"},
	errUnauthorized:       {http.StatusUnauthorized, "http_unauthorized_error"},
	errInvalidCredentials: {http.StatusUnauthorized, "auth_invalid_credentials_error"},
	errNotFound:           {http.StatusNotFound, "http_not_found_error"},
	errNoSuchEntry:        {http.StatusNotFound, "rest_not_found_error"},
	errMethodNotAllowed:   {http.StatusMethodNotAllowed, "http_method_not_allowed_error"},
	errPrecondition:       {http.StatusPreconditionFailed, "rest_precondition_failed_error"},
	errTooLarge:           {http.StatusRequestEntityTooLarge, "http_request_entity_too_large_error"},
	errUnsupportedMedia:   {http.StatusUnsupportedMediaType, "http_unsupported_media_type_error"},
	errTooManyRequests:    {http.StatusTooManyRequests, "http_too_many_requests_error"},
	errInternal:           {http.StatusInternalServerError, "http_internal_server_error"},

	errFsNoSuchEntry:  {http.StatusNotFound, "fs_no_such_entry_error"},
	errFsEntryExists:  {http.StatusConflict, "fs_entry_exists_error"},
	errFsNotEmpty:     {http.StatusConflict, "fs_not_empty_error"},
	errFsInvalidName:  {http.StatusBadRequest, "fs_invalid_name_error"},
	errFsNotDirectory: {http.StatusBadRequest, "fs_not_a_directory_error"},

	errS3BucketExists:      {http.StatusConflict, "s3_bucket_already_exists_error"},
	errS3BucketNotFound:    {http.StatusNotFound, "s3_bucket_not_found_error"},
	errS3AccessKeyLimit:    {http.StatusConflict, "s3_access_key_limit_reached_error"},
	errS3UploadsInProgress: {http.StatusConflict, "s3_uploads_in_progress_error"},

	errAuthNoSuchUser: {http.StatusNotFound, "auth_no_such_user_error"},
	errAuthUserExists: {http.StatusConflict, "auth_user_already_exists_error"},
	errNotAuthorized:  {http.StatusForbidden, "auth_not_authorized_error"},

	errQuotaLimitSet: {http.StatusConflict, "api_quotas_quota_limit_already_set_error"},
	// A directory without a quota: what Qumulo's CSI drivers branch on to
	// create one (GET, PUT and DELETE alike).
	errQuotaNotFound:    {http.StatusNotFound, "api_quotas_quota_limit_not_found_error"},
	errNFSExportMissing: {http.StatusNotFound, "nfs_export_doesnt_exist_error"},
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
