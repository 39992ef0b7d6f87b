package client

// ErrorClass is an error class a cluster answers in its error document,
// such as fs_no_such_entry_error. It is an error itself, so that a driver
// branches on a class with errors.Is:
//
//	if errors.Is(err, client.ClassFSEntryExists) { … }
//
// holds for any error that wraps an *APIError of that class.
type ErrorClass string

// Error returns the class as the cluster spells it.
func (c ErrorClass) Error() string { return string(c) }

// The error classes clusters answer that clients branch on: each class the
// twin (package mock) answers.
const (
	ClassAPIQuotasQuotaLimitAlreadySet ErrorClass = "api_quotas_quota_limit_already_set_error"
	ClassAPIQuotasQuotaLimitNotFound   ErrorClass = "api_quotas_quota_limit_not_found_error"
	ClassAuthInvalidCredentials        ErrorClass = "auth_invalid_credentials_error"
	ClassAuthNoSuchUser                ErrorClass = "auth_no_such_user_error"
	ClassAuthNotAuthorized             ErrorClass = "auth_not_authorized_error"
	ClassAuthUserAlreadyExists         ErrorClass = "auth_user_already_exists_error"
	ClassFSEntryExists                 ErrorClass = "fs_entry_exists_error"
	ClassFSInvalidName                 ErrorClass = "fs_invalid_name_error"
	ClassFSNoSuchEntry                 ErrorClass = "fs_no_such_entry_error"
	ClassFSNotADirectory               ErrorClass = "fs_not_a_directory_error"
	ClassFSNotEmpty                    ErrorClass = "fs_not_empty_error"
	ClassHTTPBadRequest                ErrorClass = "http_bad_request_error"
	ClassHTTPInternalServer            ErrorClass = "http_internal_server_error"
	ClassHTTPMethodNotAllowed          ErrorClass = "http_method_not_allowed_error"
	ClassHTTPNotFound                  ErrorClass = "http_not_found_error"
	ClassHTTPRequestEntityTooLarge     ErrorClass = "http_request_entity_too_large_error"
	ClassHTTPTooManyRequests           ErrorClass = "http_too_many_requests_error"
	ClassHTTPUnauthorized              ErrorClass = "http_unauthorized_error"
	ClassHTTPUnsupportedMediaType      ErrorClass = "http_unsupported_media_type_error"
	ClassNFSExportDoesntExist          ErrorClass = "nfs_export_doesnt_exist_error"
	ClassRESTInvalidRequest            ErrorClass = "rest_invalid_request_error"
	ClassRESTNotFound                  ErrorClass = "rest_not_found_error"
	ClassRESTPreconditionFailed        ErrorClass = "rest_precondition_failed_error"
	ClassS3AccessKeyLimitReached       ErrorClass = "s3_access_key_limit_reached_error"
	ClassS3BucketAlreadyExists         ErrorClass = "s3_bucket_already_exists_error"
	ClassS3BucketNotFound              ErrorClass = "s3_bucket_not_found_error"
	ClassS3UploadsInProgress           ErrorClass = "s3_uploads_in_progress_error"
)

// errorClasses lists the constants, for the test that holds them to the
// twin's classes.
var errorClasses = []ErrorClass{ClassAPIQuotasQuotaLimitAlreadySet, ClassAPIQuotasQuotaLimitNotFound, ClassAuthInvalidCredentials, ClassAuthNoSuchUser, ClassAuthNotAuthorized, ClassAuthUserAlreadyExists, ClassFSEntryExists, ClassFSInvalidName, ClassFSNoSuchEntry, ClassFSNotADirectory, ClassFSNotEmpty, ClassHTTPBadRequest, ClassHTTPInternalServer, ClassHTTPMethodNotAllowed, ClassHTTPNotFound, ClassHTTPRequestEntityTooLarge, ClassHTTPTooManyRequests, ClassHTTPUnauthorized, ClassHTTPUnsupportedMediaType, ClassNFSExportDoesntExist, ClassRESTInvalidRequest, ClassRESTNotFound, ClassRESTPreconditionFailed, ClassS3AccessKeyLimitReached, ClassS3BucketAlreadyExists, ClassS3BucketNotFound, ClassS3UploadsInProgress}
