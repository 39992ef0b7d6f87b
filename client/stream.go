package client

import (
	"context"
	"io"
	"net/http"
)

// Bodies that are not JSON, a file's data, are streams both ways: the
// services' methods send an io.Reader as they read it and answer an
// io.ReadCloser that reads from the connection (internal/sdkgen,
// stream.go). Neither is held whole, so neither has the bound on answers
// (WithMaxResponseBytes): the caller decides how much to read.

type streamKey int

const (
	// sendOnce marks a call whose request body is a stream: one that
	// cannot rewind is sent once rather than read into memory for a retry.
	sendOnce streamKey = iota
	// noBound marks a call whose answer is a stream.
	noBound
)

// streamed marks ctx as the context of a call whose request body is a
// stream.
func streamed(ctx context.Context) context.Context {
	return context.WithValue(ctx, sendOnce, true)
}

func sendsOnce(ctx context.Context) bool { return ctx.Value(sendOnce) != nil }

func unbounded(ctx context.Context) bool { return ctx.Value(noBound) != nil }

// callStream runs an operation whose answer is a stream: a 2xx answer's
// body, unread, for the caller to read and close; any other answer is an
// *APIError, as for every call.
func (c *Client) callStream(ctx context.Context, op string, req *http.Request, buildErr error, opts []RequestOption) (io.ReadCloser, error) {
	resp, err := c.open(context.WithValue(ctx, noBound, true), op, req, buildErr, opts)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}
