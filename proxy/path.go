package proxy

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// errAboveRoot refuses a path whose ".." segments climb above the root:
// dropping them, as RFC 3986 does, would forward a path the client did not
// name.
var errAboveRoot = errors.New("its \"..\" segments climb above the root")

// normalizePath rewrites r's path to its canonical form before the checks
// see it and the upstream gets it, as Envoy's normalize_path and
// merge_slashes do: an upstream that merges slashes or resolves dot
// segments then acts on the path that was checked, not on one the checks
// counted outside the spec. Escaped slashes stay escaped: a file path in
// /v1/files/{ref} is one %2F-escaped segment.
func normalizePath(r *http.Request) error {
	escaped := r.URL.EscapedPath()
	if !strings.HasPrefix(escaped, "/") || !(strings.Contains(escaped, "//") || strings.Contains(escaped, "/.") || strings.Contains(escaped, "%")) {
		return nil // OPTIONS *, or a path canonical already (the common case)
	}
	canon, err := canonicalPath(escaped)
	if err != nil || canon == escaped {
		return err
	}
	path, err := url.PathUnescape(canon)
	if err != nil {
		return err
	}
	r.URL.Path, r.URL.RawPath = path, canon
	return nil
}

// canonicalPath is an escaped path (starting with "/") with the escapes of
// unreserved characters decoded (RFC 3986 §6.2.2.2), dot segments removed
// (§5.2.4) and runs of slashes merged.
func canonicalPath(escaped string) (string, error) {
	p := decodeUnreserved(escaped)
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	slashed := false // the path ends with "/"
	for _, s := range segs {
		switch s {
		case "", ".":
			slashed = true
		case "..":
			if len(out) == 0 {
				return "", errAboveRoot
			}
			out = out[:len(out)-1]
			slashed = true
		default:
			out = append(out, s)
			slashed = false
		}
	}
	canon := "/" + strings.Join(out, "/")
	if slashed && len(out) > 0 {
		canon += "/"
	}
	return canon, nil
}

// decodeUnreserved decodes the escapes of letters, digits and "-._~",
// which mean the same escaped or not; every other escape, %2F first of
// all, is kept as it came.
func decodeUnreserved(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			if c, ok := unhex(p[i+1], p[i+2]); ok && unreserved(c) {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(a, b byte) (byte, bool) {
	hi, ok1 := hexVal(a)
	lo, ok2 := hexVal(b)
	return hi<<4 | lo, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
