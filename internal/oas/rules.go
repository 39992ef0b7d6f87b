package oas

import (
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The path and list rules that the converter, the twin, the contract
// runner and the SDK generator must decide alike; rules_test.go keeps them
// from being written again elsewhere.

// IsVersion tells a path segment that names an API version: v1, v2, v10.
func IsVersion(seg string) bool {
	_, ok := VersionOf(seg)
	return ok
}

// VersionOf reads the version a path segment names: 2 for v2.
func VersionOf(seg string) (int, bool) {
	if len(seg) < 2 || seg[0] != 'v' || strings.Trim(seg[1:], "0123456789") != "" {
		return 0, false
	}
	v, err := strconv.Atoi(seg[1:])
	return v, err == nil
}

// Unversioned splits a path template into its version, -1 when its first
// segment names none, and the rest: /v2/smb/shares/{ref} is 2 and
// /smb/shares/{ref}; v1 and v2 of an endpoint are two views of one set of
// objects, named by the rest.
func Unversioned(template string) (version int, rest string) {
	seg, after, _ := strings.Cut(strings.TrimPrefix(template, "/"), "/")
	v, ok := VersionOf(seg)
	if !ok {
		return -1, template
	}
	return v, "/" + after
}

// ListField names the property of a list answer that holds its entries:
// its one array property other than paging. A schema with none, or with
// several (a share's permissions beside its network permissions), is no
// list, and ok is false: no reader guesses which one pages.
func ListField(s *openapi3.Schema) (name string, ok bool) {
	if s == nil {
		return "", false
	}
	for k, p := range s.Properties {
		if k == "paging" || p == nil || p.Value == nil || !p.Value.Type.Is(openapi3.TypeArray) {
			continue
		}
		if ok {
			return "", false
		}
		name, ok = k, true
	}
	return name, ok
}
