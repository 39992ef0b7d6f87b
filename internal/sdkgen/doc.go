// Package sdkgen writes the services of package client: one method per
// operation of the contract, grouped by area, each returning the decoded
// answer of a successful call and an *APIError otherwise. It reads the
// contract (api.yaml) for what the operations are and the generated package
// gen (gen/qapi.gen.go) for the Go shapes oapi-codegen gave them, so the
// services build requests with gen's request builders and decode into gen's
// types; nothing of the naming or encoding of oapi-codegen is repeated here.
// go generate runs it (cmd/sdkgen); the tests fail when its output is stale.
//
// # Areas
//
// An operation's area is the first segment of its path after the version:
// /v3/smb/shares/ is in smb, /v1/tree-delete/jobs/ in tree-delete. The
// segments are the product's own modules (smb, nfs, s3, files, snapshots…),
// one rule for every path, where the tags of the pages are not (55 tags,
// some per version, "encryption" beside "Encryption at Rest V2"). Each area
// is a service type, <Area>Service, reached as the field <Area> of the
// client: the segment spelled as convert.GoName spells names (smb is SMB,
// tree-delete TreeDelete, web-ui WebUI). Two segments spelled alike are an
// error.
//
// # Methods
//
// A method's name is the operationId (see go doc ./convert) with the area's
// name removed where it first stands as a whole word after the first
// letter, so that the service says it once: ListSMBShares is SMB.ListShares,
// CreateS3Bucket S3.CreateBucket, JoinAD AD.Join, GetVersion Version.Get.
// Only the area's name as the path spells it is removed, never a singular
// form: ListFilesLocksSMBByteRange (the cluster's locks) is
// Files.ListLocksSMBByteRange and ListFileLocksSMBByteRange (the locks of one
// file) Files.ListFileLocksSMBByteRange. Then, so that no name stutters, a
// name that is one verb and the item of an area named by a plural (with at
// most a version) is the verb alone: CreateSnapshot is Snapshots.Create,
// GetSnapshotV2 Snapshots.GetV2, GetUser Users.Get; a name that says more
// keeps the item (Groups.ListGroupMembers, Files.CreateFileEntry). Two
// operations of an area with one method name are an error.
//
// A method takes the context, the path parameters in path order (an
// integer id, one whose item answers an integer id, as the int64 the
// answers carry: Snapshots.Get(ctx, s.GetID()); oas.IntegerIDs), the
// operation's parameters (gen's <operationId>Params, nil for none) unless
// If-Match is its only one, the JSON request body (gen's type), and
// RequestOptions. It returns the 200 body: a struct by pointer, anything else
// (a list, a string) by value; an operation that documents no body returns
// only an error. A List… that does not page and whose answer is an object
// holding one list and nothing else returns that list ([]T, nil when the
// answer has none): SMB.ListShares is a []gen.SMBShareV3. If-Match is a RequestOption (client.IfMatch) on every
// operation, and the 117 that document it say so.
//
// A body that is not JSON (a file's data, application/octet-stream) is a
// stream: the method takes an io.Reader, built with gen's
// New<operationId>RequestWithBody, and sends it as it reads it (a reader
// that cannot rewind is sent once, never held for a retry); an answer that
// is not JSON is returned as an io.ReadCloser read from the connection,
// which the caller closes.
//
// # Iterators and waits
//
// A GET that takes the query parameters after and limit and whose answer is
// an object with one list (beside paging) also has <Method>Seq, an
// iter.Seq2 over the list's items across pages: it follows paging.next,
// fetching a page only when the loop wants more.
//
// A POST on a collection named jobs that answers 202 Accepted starts a job
// the cluster runs in the background, reports with GET on the job, and
// forgets (404) once it has finished; the service of that GET then has
// Wait<Item> (Get<Item> with Wait for Get: TreeDelete.WaitJob), which polls
// it until it answers 404 or the context ends, and stops at once with a
// *JobError when the job reports a last_error_message. The methods that
// start a tree delete (TreeDelete.CreateJob, TreeDelete.RestartJob) are
// written by hand in package client (hand.go lists them): they return a
// handle on the job, whose id the answer does not carry.
//
// A method whose operation has required query parameters refuses a nil
// params, naming them, before anything is sent (ErrMissingParams).
//
// Names made this way that collide with another method of the service are
// an error.
//
// # Accessors
//
// Beside gen/qapi.gen.go it writes gen/accessors.gen.go: a nil-safe GetX
// for every pointer field X of every type an answer can hold (see
// Accessors for the rule, and why fields stay pointers).
package sdkgen
