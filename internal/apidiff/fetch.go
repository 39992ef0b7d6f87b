package apidiff

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// MaxSpecBytes bounds the document a cluster answers: a whole 7.x spec is
// a few MiB.
const MaxSpecBytes = 64 << 20

// Cluster is where to fetch a cluster's own document and how to log in.
// Without a token or a user, the document is fetched without credentials.
type Cluster struct {
	// URL is the cluster (https://cluster:8000; port 8000 when it names
	// none) or its document (…/openapi.json).
	URL string
	// Client carries the TLS trust and timeouts; redirects to another
	// host are refused whatever its policy.
	Client                    *http.Client
	Token, Username, Password string
	// MaxBytes bounds the answer; 0 means MaxSpecBytes.
	MaxBytes int64
}

// SpecURL is the address of the document a cluster URL names.
func SpecURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https URL", raw)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "8000")
	}
	if !strings.HasSuffix(u.Path, "/openapi.json") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/openapi.json"
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// Fetch loads the OpenAPI document a cluster serves at /openapi.json.
// Errors name the URL without its user information and never a secret.
func Fetch(ctx context.Context, c Cluster) (*openapi3.T, error) {
	u, err := SpecURL(c.URL)
	if err != nil {
		return nil, err
	}
	shown := u.Redacted()
	hc := *c.Client
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != u.Host || req.URL.Scheme != u.Scheme {
			return fmt.Errorf("redirect to another host (%s) refused", req.URL.Redacted())
		}
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}
	limit := c.MaxBytes
	if limit <= 0 {
		limit = MaxSpecBytes
	}
	token := c.Token
	if token == "" && c.Username != "" {
		if token, err = login(ctx, &hc, u, c.Username, c.Password, limit); err != nil {
			return nil, fmt.Errorf("%s: %w", shown, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	body, err := do(&hc, req, limit)
	var se statusError
	if errors.As(err, &se) && se.code == http.StatusUnauthorized && token == "" {
		return nil, fmt.Errorf("%s: %w: it needs a token, or a user and password to log in", shown, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		return nil, fmt.Errorf("%s: not an OpenAPI document: %w", shown, err)
	}
	return doc, nil
}

// login answers a session token for the user (POST /v1/session/login).
func login(ctx context.Context, hc *http.Client, spec *url.URL, user, password string, limit int64) (string, error) {
	u := *spec
	u.Path = strings.TrimSuffix(u.Path, "openapi.json") + "v1/session/login"
	body, err := json.Marshal(map[string]string{"username": user, "password": password})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	answer, err := do(hc, req, limit)
	if err != nil {
		return "", fmt.Errorf("log in as %q: %w", user, err)
	}
	var creds struct {
		BearerToken string `json:"bearer_token"`
	}
	if err := json.Unmarshal(answer, &creds); err != nil || creds.BearerToken == "" {
		return "", fmt.Errorf("log in as %q: the answer holds no bearer_token", user)
	}
	return creds.BearerToken, nil
}

// do sends req and reads a 200 answer's body, bounded.
func do(hc *http.Client, req *http.Request, limit int64) ([]byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error repeats the URL, which the caller names already.
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError{resp.Status, resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("the answer is over %d bytes", limit)
	}
	return body, nil
}

// statusError is an answer other than 200 OK.
type statusError struct {
	status string
	code   int
}

func (e statusError) Error() string { return "answered " + e.status }
