// Package client is the Go client for the REST API of a Qumulo cluster. It
// sends the requests that package gen builds and adds
// what automation needs to run unattended:
//
//   - Authentication: with WithCredentials the client logs in on first use
//     (POST /v1/session/login) and sends the bearer token on every request.
//     Session tokens expire after about ten hours and cannot be refreshed, so
//     when the cluster answers 401 the client logs in again once and replays
//     the request; concurrent callers share a single login. WithToken sends a
//     long-lived access token instead.
//   - TLS: the client verifies the cluster's certificate with TLS 1.2 or
//     later, on a transport of its own (never http.DefaultTransport). Clusters
//     ship a self-signed certificate: pass it with WithCAFile or WithCABundle.
//     WithInsecureSkipVerify exists for throwaway test clusters, is never the
//     default, and logs a warning.
//   - Retries: idempotent requests (GET, HEAD, PUT, DELETE, and others except
//     POST when they carry If-Match) are retried on 429, 502, 503, 504 and
//     transport errors, with exponential backoff and jitter, honouring
//     Retry-After, bounded in count and time (RetryPolicy). POST is never
//     retried. Every wait ends when the context is done.
//   - Errors: a non-2xx answer is an *APIError carrying the status, the
//     Qumulo error fields and the raw *http.Response; errors.Is matches it
//     against ErrNotFound, ErrConflict, ErrUnauthorized, ErrPreconditionFailed
//     and ErrForbidden (see IsNotFound and friends).
//   - ETags: reads return the ETag (KeyStore.ETag, or SaveETag with any
//     method of the services); writes take IfMatch.
//   - Logging: WithLogger receives one Debug line per attempt with method,
//     path, status, duration and attempt number. Passwords, private keys and
//     tokens are redacted from every log line and every error message.
//
// # Usage
//
//	c, err := client.New("qumulo.example.com", // https and port 8000 are implied
//		client.WithCredentials("admin", os.Getenv("QUMULO_PASSWORD")),
//		client.WithCAFile("/etc/qumulo/cluster-ca.pem"),
//	)
//	if err != nil {
//		return err
//	}
//	ks, err := c.KeyStore(ctx)
//	if err != nil {
//		return err
//	}
//	if _, local := ks.(client.LocalKeyStore); local {
//		err = c.UseKMSKeyStore(ctx, client.KMSConfig{
//			Hostname:         "kms.example.com",
//			KeyID:            "qumulo-master-key",
//			ServerCACert:     kmsCA,
//			ClientCert:       clientCert,
//			ClientPrivateKey: clientKey,
//		}, client.IfMatch(ks.ETag()))
//	}
//
// # Services
//
// Every operation of the contract is a method of c, grouped by area as
// go-github groups services: c.SMB.ListShares(ctx, nil) sends GET
// /v3/smb/shares/ and returns *gen.SMBSharesV3. The area is the first
// segment of the path after the version (smb, nfs, s3, files, snapshots,
// tree-delete…, 36 of them): the product's own modules, one rule for every
// path, where the pages' 55 tags are not (some are per version, and
// "encryption" stands beside "Encryption at Rest V2"). A flat list of 467
// methods would put ListSMBShares beside ListSnapshots; services let a
// reader find an area's operations in one place and keep names short. The
// method is the operationId without the area's name (CreateS3Bucket is
// S3.CreateBucket, JoinAD is AD.Join); go doc ./internal/sdkgen states the
// rule, and the services are generated from the contract by it, so every
// operation has one and none is written by hand.
//
// A method takes the context, the path parameters, the operation's
// parameters (gen.<operationId>Params, nil for none), the request body and
// RequestOptions. It returns the decoded 200 body, or nothing when the
// operation documents none, and an *APIError for any other answer:
//
//	dir, err := c.Files.CreateFileEntry(ctx, "/", gen.FilesCreateEntry{
//		Name: client.Ptr("projects"), Action: client.Ptr(gen.CreateDirectory)})
//
// Lists that page with after and limit also have an iterator that fetches
// the next page only when the loop asks for it:
//
//	for q, err := range c.Files.ListQuotasSeq(ctx, nil) { … }
//
// Reads save the ETag with SaveETag; writes send it with IfMatch:
//
//	share, err := c.SMB.GetShare(ctx, id, client.SaveETag(&etag))
//	…
//	_, err = c.SMB.ReplaceShare(ctx, id, nil, changed, client.IfMatch(etag))
//
// Operations that answer 202 Accepted carry on in the background; Wait and
// WaitGone poll until they are done, within the context's deadline, and
// c.TreeDelete.WaitJob waits for a tree delete.
//
// # Below the services
//
// Do sends any request with the same authentication, retries and logging,
// such as one built by gen's request builders (gen.New…Request);
// CheckResponse turns a non-2xx answer into an *APIError:
//
//	req, err := gen.NewGetEncryptionKeyStoreRequest(c.BaseURL())
//	…
//	resp, err := c.Do(req.WithContext(ctx))
//	if err == nil {
//		err = c.CheckResponse(resp, nil)
//	}
package client
