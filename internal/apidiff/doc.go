// Package apidiff says what changed between two OpenAPI descriptions of the
// Qumulo API, in the API's terms and the Go SDK's: qapi diff. oasdiff is the
// engine (the diff and every one of its checks); this package puts both
// documents through the same cluster rules first and names each change's
// area, class and Go impact.
//
// # Cluster rules
//
// The guide's pages, the converter and a cluster's own /openapi.json write
// one API in different ways. Compare removes those differences from both
// sides alike, so that only API change remains:
//
//   - integer is number (the pages write every integer as number), and no
//     format is compared but binary (int64, double, date-time, password);
//   - no nullable mark: the pages mark optional settings nullable, a
//     cluster's spec does not, and null travels either way;
//   - security requirements, required properties and readOnly/writeOnly
//     marks are compared only when both documents state some: a side that
//     states none cannot disagree;
//   - a paging object is {next}: the pages document next, a cluster
//     answers next and prev;
//   - descriptions (with the enum descriptions that list constants),
//     titles, summaries, examples, tags, servers, info and extensions are
//     not API; header parameter names compare without case;
//   - every operation is named by the converter's rule from its method and
//     path (convert.OperationIDs), and every type reference by the
//     converter's spelling of a server type name (convert.TypeGoName), so
//     that names match gen and the client whoever wrote the document, and
//     component schemas are compared where operations use them, not by
//     name.
//
// Options.Raw skips them: what oasdiff alone reports.
//
// # Areas, classes and Go names
//
// A change's area is the client's service (internal/sdkgen.AreaOf): c.SMB
// for /v3/smb/shares/. A change is breaking when oasdiff's level for it is
// a warning or an error: a client written for the old document may fail
// against the new one. Its Go impact names the client's method
// (c.SMB.ListShares, internal/sdkgen.MethodName), the field of gen's
// <operationId>Params for a query or header parameter, or gen's type and
// field a property lives in (gen.SMBShare.FSPath), with how it changes
// (appears, disappears, changes type, takes other values).
package apidiff
