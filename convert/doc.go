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
//     every other parameter is a query parameter. Path parameters and
//     If-Match are strings.
//   - Query parameter types are not documented, but the wording is, checked
//     in this order: a description whose lines list "`value` - …" makes a
//     string enum; "specifies whether", "if set to true", "whether or not"
//     or "defaults to true/false", or a name that starts with allow-,
//     include-, populate-, resolve-, retrieve- or skip-, makes a boolean;
//     "64-bit", "uint64", "int64", a description starting "offset of" or
//     "size of", or "up to <name> bytes" makes an int64 (file offsets and
//     sizes); "this many", "maximum number of", "snapshot ID" or a
//     description starting "maximum" that speaks of depth or entries makes
//     an integer (limit, snapshot, max-depth); anything else is a string
//     (after, owner_id, a time "in RFC 3339 format or epoch seconds").
//   - Times: a string whose description says RFC 3339 has format date-time
//     (time.Time in Go), unless it also allows an empty string or epoch
//     seconds, which time.Time cannot decode.
//   - Security: every operation requires the bearer scheme except those a
//     cluster serves without a token (login, SAML login, version, Web UI
//     settings).
//   - Errors: every operation has a default response with the QumuloError
//     schema.
//   - Numbers: the pages type every number number, but clusters send
//     integers for all but fractions (numbers.go). A number is a fraction,
//     type number with format double (float64 in Go), when its property's
//     name (the list's, for its items) has a word percent, percentage,
//     progress, fraction, ratio, average, avg, rate or threshold, or is
//     values (the averages of a time series), or when its description says
//     percent, percentage, fraction, ratio, average or "per second":
//     percent_complete, free_threshold, rate. Every other number is type
//     integer with format int64 (int64 in Go): ids and lists of ids (id,
//     tenant_id, networks), ports, counts ("number of", num_*, *_count),
//     hours, minutes and seconds, times in epoch seconds, uids and gids,
//     MTUs, VLAN ids, speeds, sizes in bytes and the bytes of a list
//     (value, salt). 64-bit sizes and limits the pages type string stay
//     decimal strings. Path parameters stay strings, since a path is text
//     and many take a name as well as an id (a snapshot's id is an integer
//     in its body and a string in its path).
//   - Enums: the "`VALUE` - CONSTANT_NAME" lines of an enum's description
//     name its constants (see Names); the truncated "d:" stub at the start
//     of some descriptions is removed.
//   - Deprecation: a summary that starts with "Deprecated" marks the
//     operation deprecated.
//   - Optional settings: each top-level property of a PUT or PATCH body is
//     nullable, as clusters take and answer null for an unset setting
//     (nullable.go, oas.OptionalSetting).
//   - Nulls: a property a cluster answers as null when it has no value is
//     nullable, by the rule the twin follows (oas.SendsNull): its
//     description speaks of null, it is uid, gid, name, sid or domain of an
//     identity (an object with auth_id), or a tree-delete job's
//     last_error_message. Optional settings and paging aside, nothing
//     else is.
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
// Every name in the document is the Go name generated code uses, derived by
// one rule from the pages alone, so it is the same in every run, and
// oapi-codegen (name-normalizer ToCamelCaseWithInitialisms, with
// AddedInitialisms as additional-initialisms) keeps it as it is.
//
// Words are split at every character that is not a letter or a digit and
// written capitalised, as is a letter after a digit (krb5i is Krb5I);
// initialisms (ID, IDs, URL, IP, NFS, SMB, S3, AD, KMS, UID, CA, …; see
// AddedInitialisms) are written as listed. A word of digits joins the word
// before it, as in oapi-codegen (tls_1_2 is Tls12). GoName spells a name so.
//
// An operationId depends only on the method, the path template and the
// versions of its endpoint. The template loses its version segment (vN);
// what remains are literal segments and parameters. The name is a verb, the
// resource the path addresses and, for an action, the rest of the action's
// segment:
//
//   - The resource is the words of the literal segments. The literal before
//     a parameter is made singular (/smb/shares/{id} is SMBShare); a
//     parameter the literal cannot show that way (status, metadata, a
//     parameter after a parameter) is written By<Name>, unless the literal
//     ends with its words (login-name/{login_name}).
//   - A POST is an action when the first words of its last literal (which
//     a parameter may follow: jobs/restart/{id}) are a verb of the list
//     actionVerbs: join, dismiss, dry run, resolve, … The action's verb
//     comes first: POST /v1/ad/join is JoinAD, POST /v1/ad/dismiss-error
//     is DismissADError, POST /v1/tree-delete/jobs/restart/{id} is
//     RestartTreeDeleteJob.
//   - Otherwise the verb comes from the method and the path's shape: GET
//     is List on a collection (a template ending in /) and Get elsewhere;
//     POST is Create on a collection (whose last word is made singular:
//     POST /v1/s3/buckets/ is CreateS3Bucket) or on an item, and Set on
//     anything else; PUT is Replace, PATCH Update and DELETE Delete.
//   - A word that repeats the word before it is written once
//     (/dns/clear-dns-cache is ClearDNSCache).
//   - The newest version of an endpoint (the same template without its
//     version and parameter names, the same method) gets the plain name and
//     older versions the suffix V<n>: GET /v3/smb/shares/ is ListSMBShares
//     and GET /v1/smb/shares/ ListSMBSharesV1.
//   - An action that would take another operation's name ends in Action
//     (POST …/keys/{key_ref}/replace beside PUT …/keys/{key_ref}).
//   - A name longer than 44 characters drops the leading words of its
//     resource, one at a time, until it fits: the first is the category,
//     which the operation's tags carry. oapi-codegen's longest name derived
//     from an operationId, <operationId>JSONRequestBody, then stays under
//     60 characters: POST /v2/replication/source-relationships/reverse-target-relationship
//     is ReverseSourceRelationshipsTargetRelationship.
//
// Types are named by the server where the pages say its type name: a body
// schema's description, the items of a body that is a list, or a nested
// object whose description is a snake_case name with an underscore that is
// not just its property name. The name is spelled without the word "api",
// which every model name repeats: api_smb_share is SMBShare. An object
// without a name that is a copy of exactly one named type (the entries of
// a list) is that type, and so are the entries of a collection that differ
// from the type the collection is named for (in the singular) only in
// descriptions: the entries of api_nfs_exports_v3 are NFSExportV3, so
// create, get and list of an export answer one type. Other objects are named from where they sit: the
// operationId plus Request or Result for a body, the parent's name plus
// the property name for a property, and for the items of a list the
// parent's name plus the list's name in the singular (SMBShareV2Permission
// for the items of permissions), or plus Item where it has none. Such
// objects under properties of one name that differ only in their
// descriptions are one type, named by the shorter of their names: an NFS
// export's restrictions are NFSExportRestriction whether the export is
// read, listed, created or changed, so a restriction read can be sent
// back. The objects directly under a PUT or PATCH body's properties stay
// their own, since nullableSettings may make them nullable. No such
// name reaches 60 characters, the length no Go type name of gen reaches:
// when one of the objects an object holds (as a property or the items of a
// list) would, all of them are named by these steps, each applied while the
// longest is still too long, so that siblings stay alike: the words of the
// property that repeat a word of the parent's name (compared in the
// singular) are dropped; the parent's name gives way to the nearest one
// above it named by the server or its body; its words Request, Response
// and Result are dropped; then its last words, keeping its first. So
// node_add_capacity_optimized_for_fault_tolerance of
// ClusterCalculateNodeAddCapacityResponse is
// ClusterCalculateNodeAddCapacityOptimizedForFaultTolerance. One type
// name means one schema: should a page describe a type differently, or
// two types get one Go name, the later one gets a number and a warning
// (an error under Options.Strict).
//
// Enums are typed constants. Their constants are the server's, from the
// "`VALUE` - CONSTANT_NAME" lines of the description when every value has
// one (prose after the dash names none), else the values. An enum becomes
// one named type wherever it is used, with the same values and constants:
//
//   - named by the words all its constants start with, followed by the
//     last word of its property when that is a single word, with constants
//     spelled as they are: ENCRYPTION_TYPE_LOCAL and ENCRYPTION_TYPE_KMS
//     are EncryptionTypeLocal and EncryptionTypeKMS of EncryptionType;
//     REPLICATION_RUNNING in job_state is of ReplicationState;
//   - else named by X when a constant X_ALL stands for all the others, in
//     the singular (ACCESS_RIGHTS_ALL: AccessRight), or else by its
//     property in the singular (id_type: IDType) unless that is only type,
//     state, status, mode, phase, op or action; each constant is then the
//     type name followed by the constant (AccessRightReadEA,
//     IDTypeNFSUID).
//
// An enum stays in place, named by oapi-codegen from its property, when none
// of these applies, or when two different enums or a server type would
// take its name; its constants are spelled from the constants alone, and
// oapi-codegen puts the type name first where they clash with others. The
// word "api" is dropped from constants too (API_SYMLINK_TARGET_FILE is
// SymlinkTargetFile).
//
// Collisions that remain are errors of Build, reported after the overlays
// so that an overlay can fix them: two operations with one operationId
// (update one operationId), or a schema whose name is one oapi-codegen
// derives from an operation, such as <operationId>Params or
// <operationId>Response (set x-go-name on the schema).
//
// # Problems
//
// Convert reads every page before it gives up: all problems come back
// together in an *Error, each with its file and line, and a JSON pointer when
// it lies inside a schema. A schema that nests more than 64 levels (the
// schema, then each items or property) is an error, and an example that
// nests more than 136 is dropped with a warning: the document grows with the
// square of the depth, and the guide nests 8 at most. Placeholders and
// dropped schema keywords are warnings; Options.Strict makes them errors. Output is deterministic: the
// same pages give byte-identical YAML with keys in a stable order, and each
// operation records its page in x-qapi-source.
package convert
