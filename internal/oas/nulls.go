package oas

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// nullWordsRe finds a description that speaks of the value null: "or null
// if this snapshot was created manually", "This may be null if there is no
// estimate", "If expiration time is null, the snapshot never expires".
var nullWordsRe = regexp.MustCompile(`(?i)\bnull\b`)

// identityUnknowns are the properties of an identity that a cluster answers
// as null when it knows the identity only by its auth_id.
var identityUnknowns = []string{"uid", "gid", "name", "sid", "domain"}

// SendsNull tells whether a cluster answers null for the property name of
// the object schema parent when it has no value, rather than leaving the
// key out: clusters answer every property their schema declares. It is
// decided from the facts below, never from a nullable mark, so it holds for
// any document, a cluster's own /openapi.json (which has no nullable marks)
// included; the converter marks api.yaml nullable where it says so.
//
//   - Wording: the property's description speaks of null (the guide's
//     snapshot, replication and tree-delete pages).
//   - Identities: an identity (an object with auth_id) known only by its
//     auth_id, such as a role member, an owner or a creator, answers uid,
//     gid, name, sid and domain as null; Qumulo's Terraform provider fails
//     when the keys are missing (issue 16, fact 1).
//   - Tree-delete jobs answer last_error_message null while healthy;
//     Qumulo's COSI driver reads any other value, "" included, as an
//     aborted job (issue 16, fact 1).
//   - Paging: next and prev of a list's paging are null at the ends
//     (issue 16, fact 6).
func SendsNull(parent *openapi3.Schema, name string) bool {
	if parent == nil {
		return false
	}
	p := parent.Properties[name]
	if p == nil || p.Value == nil {
		return false
	}
	switch {
	case mentionsNull(p.Value.Description):
		return true
	case slices.Contains(identityUnknowns, name):
		return parent.Properties["auth_id"] != nil
	case name == "last_error_message":
		return true
	case name == "next" || name == "prev":
		return isPaging(parent)
	}
	return false
}

// mentionsNull tells whether a description speaks of null. The twin asks
// for every property of every answer, and few descriptions hold the
// letters at all, so the regular expression runs only on those that do.
func mentionsNull(description string) bool {
	for i := 0; i+4 <= len(description); i++ {
		if description[i]|0x20 == 'n' && strings.EqualFold(description[i:i+4], "null") {
			return nullWordsRe.MatchString(description)
		}
	}
	return false
}

// isPaging tells whether an object is a list's paging: next, and perhaps
// prev, and nothing else.
func isPaging(s *openapi3.Schema) bool {
	if s.Properties["next"] == nil {
		return false
	}
	for name := range s.Properties {
		if name != "next" && name != "prev" {
			return false
		}
	}
	return true
}

// OptionalSetting tells whether the property name of a PUT or PATCH body
// is an optional setting, which a client may send as null and a cluster
// takes: Qumulo's Terraform provider sends anonymous_user (FTP settings),
// inactivity_timeout and login_banner (web UI settings) as null. A
// property the body requires is none, nor is a part of a union the pages
// flatten into one object: its discriminator and the arms it selects
// ("Value present when type is X").
func OptionalSetting(method string, body *openapi3.Schema, name string) bool {
	if (method != http.MethodPut && method != http.MethodPatch) || body == nil || slices.Contains(body.Required, name) {
		return false
	}
	p := body.Properties[name]
	if p == nil || p.Value == nil {
		return false
	}
	if _, _, ok := presentWhen(p.Value.Description); ok {
		return false
	}
	for _, other := range body.Properties {
		if other.Value == nil {
			continue
		}
		if field, _, ok := presentWhen(other.Value.Description); ok && field == name {
			return false
		}
	}
	return true
}
