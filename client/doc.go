// Package client is the Go client for the REST API of a Qumulo cluster. It
// wraps the generated client of package gen (reachable with API()) and adds
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
//   - ETags: reads return the ETag (KeyStore.ETag); writes take IfMatch.
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
// Every other operation of the contract is on API(), with the same
// authentication, retries and logging; CheckResponse turns a non-2xx answer
// of a generated call into an *APIError:
//
//	r, err := c.API().GetEncryptionKeyStoreWithResponse(ctx)
//	if err == nil {
//		err = c.CheckResponse(r.HTTPResponse, r.Body)
//	}
package client
