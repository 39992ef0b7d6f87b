package contract

// Check names, as --checks takes them.
const (
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

// Check is a named, documented unit of the suite.
type Check struct {
	Name        string
	Description string
}

// Checks lists every check in the order reports show them.
var Checks = []Check{
	{NotAServerError, "No request the suite sends, valid or not, gets a 5xx answer."},
	{StatusCodeConformance, "Every status answered is documented for the operation: successes explicitly, errors (4xx, 5xx) at least by its default response."},
	{ContentTypeConformance, "A response body comes with a documented Content-Type, and only where the response documents content."},
	{ResponseHeadersConformance, "Documented response headers are present and match their schemas."},
	{ResponseSchemaConformance, "Every response body validates against its schema; with strict mode, undeclared properties fail too (drift)."},
	{NegativeDataRejection, "Requests made invalid on purpose (wrong type, out of range, missing required field, unknown enum value, malformed JSON) get a 4xx."},
	{IgnoredAuth, "An operation that requires security refuses a request without a token and one with a wrong token."},
	{WriteOnlyNeverReturned, "A value sent in a writeOnly or format: password field never appears in a later response body or header."},
	{StatefulRoundTrip, "A write is visible in the next read of the same resource; a deleted item answers 404 (use after free)."},
	{EtagRespected, "A write with a stale If-Match gets 412 where the operation takes If-Match."},
}

func knownCheck(name string) bool {
	for _, c := range Checks {
		if c.Name == name {
			return true
		}
	}
	return false
}
