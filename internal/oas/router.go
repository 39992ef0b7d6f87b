package oas

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Router finds the operation of a request by its path and method alone:
// the servers a document declares (https://{host}:8000) say nothing about
// where a mock listens or a proxy saw the traffic.
type Router struct {
	// Doc is the document routed on: the caller's without servers.
	Doc *openapi3.T
	r   routers.Router
}

// NewRouter builds a router for doc. It keeps the paths in a trie, so
// finding a route costs the same with 3 operations or 466.
func NewRouter(doc *openapi3.T) (*Router, error) {
	routed := *doc
	routed.Servers = nil
	r, err := legacy.NewRouter(&routed, openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation())
	if err != nil {
		return nil, fmt.Errorf("route the spec: %w", err)
	}
	return &Router{Doc: &routed, r: r}, nil
}

// FindRoute routes on the escaped path: a cluster takes a file path as one
// URL-encoded segment (/v1/files/%2Fdir%2Ffile/info/attributes), which the
// decoded path would split. Path parameters come back decoded.
func (rt *Router) FindRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	if r.URL.RawPath == "" {
		return rt.r.FindRoute(r)
	}
	u := *r.URL
	u.Path = r.URL.EscapedPath()
	u.RawPath = ""
	probe := *r
	probe.URL = &u
	route, params, err := rt.r.FindRoute(&probe)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range params {
		if d, err := url.PathUnescape(v); err == nil {
			params[k] = d
		}
	}
	return route, params, nil
}

// allMethods are the methods tried when working out an Allow header.
var allMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// Allowed lists the methods the document has for r's path, other than r's
// own; the router says only that path and method together did not match.
func (rt *Router) Allowed(r *http.Request) []string {
	var allow []string
	for _, method := range allMethods {
		if method == r.Method {
			continue
		}
		probe := &http.Request{Method: method, URL: r.URL, Header: http.Header{}}
		if _, _, err := rt.FindRoute(probe); err == nil {
			allow = append(allow, method)
		}
	}
	return allow
}
