// Package workflow holds tests that use a Qumulo cluster the way automation
// written against real clusters does: create a directory tree, put a quota
// on it, export it over NFS and SMB, give a new user an S3 bucket and access
// keys, then tree-delete it all and poll the job until it is gone; address
// items by the id a create returned or by their natural key, the file
// system by id or URL-encoded path; branch on error classes; strip the
// quotes from ETags; send null for optional settings; follow paging.next.
//
// By default the tests run against the twin (package mock) serving the
// embedded api.yaml, the whole 2024-10-16 guide. With QUMULO_URL set (and QUMULO_USERNAME and
// QUMULO_PASSWORD, QUMULO_CA_CERT for a self-signed certificate) they run
// against that cluster: the read-only ones always, the ones that write only
// with QAPI_ALLOW_WRITES=1, and those clean up after themselves.
package workflow
