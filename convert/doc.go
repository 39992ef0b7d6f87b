// Package convert turns Qumulo REST API guide pages into one OpenAPI 3.0.3
// document.
//
// Each page is Markdown whose YAML front matter describes one endpoint
// (rest_endpoint) and its methods; index.md pages describe a category. The
// pages were projected from an OpenAPI document and lost things on the way;
// Convert restores what can be restored and leaves the rest to overlays
// (ApplyOverlay, OpenAPI Overlay 1.0):
//
//   - Parameter locations: {name} in the path template is a path parameter
//     (declared even when the page does not list it); If-Match is a header;
//     every other parameter is a query parameter. Parameter types are not
//     documented, so they are strings.
//   - Security: every operation requires the bearer scheme except those a
//     cluster serves without a token (login, SAML login, version, Web UI
//     settings).
//   - Errors: every operation has a default response with the QumuloError
//     schema.
//   - Numbers: every integer is documented as type number; numbers get
//     format double (float64 in Go) until an overlay says integer.
//   - Enums: the "`VALUE` - CONSTANT_NAME" lines of an enum's description
//     become x-enum-varnames (CONSTANT_NAME in PascalCase); the truncated
//     "d:" stub at the start of some descriptions is removed.
//   - Deprecation: a summary that starts with "Deprecated" marks the
//     operation deprecated.
//   - Optional settings: each top-level property of a PUT or PATCH body is
//     nullable, as clusters take and answer null for an unset setting
//     (nullable.go).
//   - Lists: the answer of a GET that takes after or limit has paging.next,
//     the next page's path and query, null on the last page (paging.go).
//
// # Merging
//
// An endpoint may be described on several pages. Identical descriptions
// merge (the operation gets the tags of all their categories); a placeholder
// (a body whose schema is "TO DO") yields to a described page; two described
// pages that disagree are an error naming both. A placeholder no page
// replaces leaves its body untyped and is reported as a warning.
//
// # Names
//
// An operationId depends only on the method and the path template, so it is
// stable across runs and corpus revisions: the lower-case method, then each
// path segment in PascalCase (words split at any character that is not a
// letter or digit), with a path parameter {name} written By<Name>; a trailing
// slash adds nothing. GET /v1/files/{ref}/info/acl is getV1FilesByRefInfoAcl.
// Two operations that would share an id are an error.
//
// Every object schema with properties becomes a component, so generated Go
// has no anonymous structs. A body schema whose description is a server type
// name (snake_case, such as encryption_api_v2_key_store_response_union) is
// named from it in PascalCase, as are the items of a body that is a list;
// nested objects are named the same way when their description is a
// snake_case name with an underscore that is not just their property name.
// Other objects are named from where they sit: the operationId in PascalCase
// plus Request or Response for a body, the parent's name plus the property
// name for a property, plus Item for the items of a list. One type name means
// one schema; should a page describe a type name differently, the later one
// gets a number and a warning.
//
// # Problems
//
// Convert reads every page before it gives up: all problems come back
// together in an *Error, each with its file and line, and a JSON pointer when
// it lies inside a schema. Placeholders and dropped schema keywords are
// warnings; Options.Strict makes them errors. Output is deterministic: the
// same pages give byte-identical YAML with keys in a stable order, and each
// operation records its page in x-qapi-source.
package convert
