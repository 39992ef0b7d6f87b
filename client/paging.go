package client

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// pages is the iterator of a list operation op that pages with after and
// limit: it fetches the page that params asks for, yields its items, and
// asks for the page after it (setAfter with the after of paging.next) only
// when the loop wants more. The caller's params are copied, not changed.
func pages[P, R, T any](ctx context.Context, c *Client, op string, params *P, opts []RequestOption,
	setAfter func(p *P, after string), build func(p *P) (*http.Request, error), items func(r *R) []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		var p P
		if params != nil {
			p = *params
		}
		asked := map[string]bool{} // the after of every page fetched
		for {
			req, err := build(&p)
			resp, body, err := c.exchange(ctx, op, req, err, opts)
			if err != nil {
				yield(zero, err)
				return
			}
			page := new(R)
			if err := c.decode(resp, body, page); err != nil {
				yield(zero, err)
				return
			}
			got := items(page)
			for _, it := range got {
				if !yield(it, nil) {
					return
				}
			}
			after, err := nextAfter(body)
			if err != nil {
				yield(zero, c.decodeError(resp, err))
				return
			}
			if after == "" {
				return
			}
			// A server that names a page again, or names more pages after
			// an empty one, would keep the loop fetching forever without
			// the caller's loop ever getting the chance to stop it.
			switch {
			case asked[after]:
				yield(zero, c.decodeError(resp, fmt.Errorf("paging.next repeats after=%q", after)))
				return
			case len(got) == 0:
				yield(zero, c.decodeError(resp, fmt.Errorf("paging.next after=%q follows an empty page", after)))
				return
			}
			asked[after] = true
			setAfter(&p, after)
		}
	}
}

// nextAfter reads the after parameter of paging.next in a list's answer: ""
// on the last page, where next is null, empty or absent. It reads the body
// rather than gen's types, so it does not depend on the contract stating
// paging (the converter adds it to every such list; the pages do not).
func nextAfter(body []byte) (string, error) {
	var v struct {
		Paging *struct {
			Next *string `json:"next"`
		} `json:"paging"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "", fmt.Errorf("paging: %w", err)
	}
	if v.Paging == nil || v.Paging.Next == nil || *v.Paging.Next == "" {
		return "", nil
	}
	next, err := url.Parse(*v.Paging.Next)
	if err != nil {
		return "", fmt.Errorf("paging.next: %w", err)
	}
	after := next.Query().Get("after")
	if after == "" {
		return "", fmt.Errorf("paging.next %q has no after parameter", *v.Paging.Next)
	}
	return after, nil
}
