// Package check judges exchanges against an OpenAPI contract: one request
// and its response at a time, as the proxy sees them live, qapi verify reads
// them from a recording and the contract runner gets them back. Each named
// check has one implementation here.
package check

import "slices"

// Check names, as qapi contract --checks takes them.
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

var descriptions = map[string]string{
	RequestConformance:         "A request the client sent matches its operation: parameters and JSON body schema.",
	NotAServerError:            "No request gets a 5xx answer.",
	StatusCodeConformance:      "Every status answered is documented for the operation: successes explicitly, errors (4xx, 5xx) at least by its default response.",
	ContentTypeConformance:     "A response body comes with a documented Content-Type, and only where the response documents content.",
	ResponseHeadersConformance: "Documented response headers are present and match their schemas.",
	ResponseSchemaConformance:  "Every response body validates against its schema; with strict mode, undeclared properties fail too (drift).",
	NegativeDataRejection:      "Requests made invalid on purpose (wrong type, out of range, missing required field, unknown enum value, malformed JSON) get a 4xx.",
	IgnoredAuth:                "An operation that requires security refuses a request without a token and one with a wrong token.",
	WriteOnlyNeverReturned:     "A value sent in a writeOnly or format: password field never appears in a later response body or header.",
	StatefulRoundTrip:          "A write is visible in the next read of the same resource; a deleted item answers 404 (use after free).",
	EtagRespected:              "A write with a stale If-Match gets 412 where the operation takes If-Match.",
}

func list(names ...string) []Check {
	out := make([]Check, len(names))
	for i, n := range names {
		out[i] = Check{n, descriptions[n]}
	}
	return out
}

// Active lists the checks of the contract runner, which sends requests of
// its own, in report order; the list is the caller's to change.
func Active() []Check { return slices.Clone(active) }

// Passive lists the checks that apply to one observed exchange, in report
// order: what the proxy and qapi verify check; the list is the caller's to
// change. Negative data, round trips and ETags need requests of their own
// and are not among them; ignored_auth is checked as an observer can (a
// request without a token to a secured operation must not succeed).
func Passive() []Check { return slices.Clone(passive) }

var active = list(NotAServerError, StatusCodeConformance, ContentTypeConformance, ResponseHeadersConformance,
	ResponseSchemaConformance, NegativeDataRejection, IgnoredAuth, WriteOnlyNeverReturned, StatefulRoundTrip, EtagRespected)

var passive = append(list(RequestConformance, NotAServerError, StatusCodeConformance, ContentTypeConformance,
	ResponseHeadersConformance, ResponseSchemaConformance),
	Check{IgnoredAuth, "A request without a token to an operation that requires security is refused."},
	Check{WriteOnlyNeverReturned, descriptions[WriteOnlyNeverReturned]})

// Known tells whether name is one of the Active checks.
func Known(name string) bool {
	for _, c := range active {
		if c.Name == name {
			return true
		}
	}
	return false
}

// Status is a check's verdict.
type Status string

// Verdicts.
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)
