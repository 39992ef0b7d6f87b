package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// The methods of the services (services.gen.go and *_service.gen.go) build
// a request with gen's builder and hand it to these functions, which send
// it through Do and turn the answer into a value or an *APIError.

// exchange sends req, a request of operation op that gen built (buildErr
// when it could not), with opts applied, and returns a 2xx answer with its
// body; any other answer is an *APIError.
func (c *Client) exchange(ctx context.Context, op string, req *http.Request, buildErr error, opts []RequestOption) (*http.Response, []byte, error) {
	resp, err := c.open(ctx, op, req, buildErr, opts)
	if err != nil {
		return nil, nil, err
	}
	body, err := readAll(resp)
	if err != nil {
		return nil, nil, c.newOpError(resp.Request, fmt.Errorf("read answer: %w", err), 1)
	}
	return resp, body, nil
}

// open sends req as exchange does and returns a 2xx answer with its body
// unread, for the caller to read and close.
func (c *Client) open(ctx context.Context, op string, req *http.Request, buildErr error, opts []RequestOption) (*http.Response, error) {
	if errors.Is(buildErr, ErrMissingParams) {
		return nil, fmt.Errorf("%s: %w", op, buildErr)
	}
	if buildErr != nil {
		return nil, fmt.Errorf("%s: %w", op, errors.New(c.red.Text(buildErr.Error())))
	}
	saved := &saved{}
	req = req.WithContext(context.WithValue(ctx, savedKey{}, saved))
	for _, o := range opts {
		if err := o(req.Context(), req); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, newAPIError(resp, readErrorBody(resp), c.red)
	}
	for _, p := range saved.etags {
		*p = resp.Header.Get("ETag")
	}
	for _, p := range saved.headers {
		*p = resp.Header.Clone()
	}
	return resp, nil
}

// decode reads a 2xx body into out. An empty body leaves out as it is, as
// go-github does: clusters answer some successful writes with no body.
func (c *Client) decode(resp *http.Response, body []byte, out any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return c.decodeError(resp, err)
	}
	return nil
}

// callPtr runs an operation whose answer is a struct.
func callPtr[T any](ctx context.Context, c *Client, op string, req *http.Request, buildErr error, opts []RequestOption) (*T, error) {
	resp, body, err := c.exchange(ctx, op, req, buildErr, opts)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := c.decode(resp, body, out); err != nil {
		return nil, err
	}
	return out, nil
}

// callValue runs an operation whose answer is a list, a map or a scalar.
func callValue[T any](ctx context.Context, c *Client, op string, req *http.Request, buildErr error, opts []RequestOption) (T, error) {
	var out T
	resp, body, err := c.exchange(ctx, op, req, buildErr, opts)
	if err != nil {
		return out, err
	}
	err = c.decode(resp, body, &out)
	return out, err
}

// callList runs an operation whose answer holds one list and nothing else,
// and returns the list.
func callList[T, E any](ctx context.Context, c *Client, op string, req *http.Request, buildErr error, opts []RequestOption, items func(*T) []E) ([]E, error) {
	out, err := callPtr[T](ctx, c, op, req, buildErr, opts)
	if err != nil {
		return nil, err
	}
	return items(out), nil
}

// callNone runs an operation that documents no answer body.
func (c *Client) callNone(ctx context.Context, op string, req *http.Request, buildErr error, opts []RequestOption) error {
	_, _, err := c.exchange(ctx, op, req, buildErr, opts)
	return err
}

// saved collects what RequestOptions ask to be saved from the answer.
type saved struct {
	etags   []*string
	headers []*http.Header
}

type savedKey struct{}

// SaveETag returns a RequestOption that stores in *etag the ETag of a
// successful answer ("" when it has none), so that a later write can be
// guarded with IfMatch:
//
//	var etag string
//	share, err := c.SMB.GetShare(ctx, id, client.SaveETag(&etag))
//	…
//	_, err = c.SMB.ReplaceShare(ctx, id, nil, changed, client.IfMatch(etag))
//
// It works with the methods of the services (c.SMB, c.Files, …); Do gives
// it no answer to read, so there it fails the call.
func SaveETag(etag *string) RequestOption {
	return func(ctx context.Context, _ *http.Request) error {
		s, ok := ctx.Value(savedKey{}).(*saved)
		if !ok {
			return errors.New("client.SaveETag works with the methods of the client's services, not with Do")
		}
		s.etags = append(s.etags, etag)
		return nil
	}
}

// SaveHeader returns a RequestOption that stores in *h a copy of the
// headers of a successful answer (ETag, Location, X-Qumulo-…), which the
// methods of the services otherwise decode away:
//
//	var h http.Header
//	share, err := c.SMB.GetShare(ctx, id, client.SaveHeader(&h))
//	… h.Get("ETag") …
//
// A failed call leaves *h as it was (the *APIError's Response has the
// headers). Like SaveETag, it fails a request sent with Do.
func SaveHeader(h *http.Header) RequestOption {
	return func(ctx context.Context, _ *http.Request) error {
		s, ok := ctx.Value(savedKey{}).(*saved)
		if !ok {
			return errors.New("client.SaveHeader works with the methods of the client's services, not with Do")
		}
		s.headers = append(s.headers, h)
		return nil
	}
}

// Ptr returns a pointer to v, for the optional fields of gen's types:
//
//	gen.SMBSharePostV3{ShareName: client.Ptr("projects"), FSPath: client.Ptr("/projects")}
func Ptr[T any](v T) *T { return &v }

// ErrMissingParams is the error of a call whose required query parameters
// were not given (a nil params): it is refused before anything is sent.
var ErrMissingParams = errors.New("required parameters missing")

func missingParams(names string) error {
	return fmt.Errorf("%w: pass params with %s", ErrMissingParams, names)
}
