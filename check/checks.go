// Package check judges exchanges against an OpenAPI contract: one request
// and its response at a time, as the proxy sees them live, qapi verify reads
// them from a recording and the contract runner gets them back. Each named
// check is one entry of the registry (registry.go) and has one
// implementation here: a response check (responseChecks, the request's in
// Checker) or a judge of a probe's answers (judge.go).
package check

// Check names, as qapi contract --checks takes them; registry.go says
// what each asserts and where it runs.
const (
	RequestConformance         = "request_conformance"
	NotAServerError            = "not_a_server_error"
	StatusCodeConformance      = "status_code_conformance"
	ContentTypeConformance     = "content_type_conformance"
	ResponseHeadersConformance = "response_headers_conformance"
	ResponseSchemaConformance  = "response_schema_conformance"
	NegativeDataRejection      = "negative_data_rejection"
	IgnoredAuth                = "ignored_auth"
	WriteOnlyNeverReturned     = "write_only_never_returned"
	StatefulRoundTrip          = "stateful_round_trip"
	EtagRespected              = "etag_respected"
)

// Check is a named, documented check.
type Check struct {
	Name        string
	Description string
}

// Status is a check's verdict.
type Status string

// Verdicts.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)
