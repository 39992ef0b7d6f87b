package oas

import (
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func object(props map[string]string) *openapi3.Schema {
	s := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{}}
	for name, description := range props {
		s.Properties[name] = &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Description: description}}
	}
	return s
}

// The facts that make a cluster answer null, and their limits: an
// identity's name is null, a share's name is not.
func TestSendsNull(t *testing.T) {
	t.Parallel()
	identity := object(map[string]string{"auth_id": "auth_id", "uid": "uid", "gid": "gid", "name": "name", "sid": "sid", "domain": "domain"})
	share := object(map[string]string{"id": "id", "name": "The share's name", "sid": "sid"})
	snapshot := object(map[string]string{"policy_id": "The policy ID from which this snapshot was created, or null if this snapshot was created manually.", "expiration": "The snapshot expiration time. If expiration time is null, the snapshot never expires.", "name": "The snapshot's name"})
	job := object(map[string]string{"last_error_message": "The message from the last error that caused this job to be aborted"})
	paging := object(map[string]string{"next": "next"})
	link := object(map[string]string{"next": "The next hop", "address": "address"})
	for _, c := range []struct {
		where  string
		parent *openapi3.Schema
		name   string
		want   bool
	}{
		{"identity", identity, "uid", true},
		{"identity", identity, "gid", true},
		{"identity", identity, "name", true},
		{"identity", identity, "sid", true},
		{"identity", identity, "domain", true},
		{"identity", identity, "auth_id", false},
		{"share", share, "name", false},
		{"share", share, "sid", false},
		{"snapshot", snapshot, "policy_id", true},
		{"snapshot", snapshot, "expiration", true},
		{"snapshot", snapshot, "name", false},
		{"tree-delete job", job, "last_error_message", true},
		{"paging", paging, "next", true},
		{"link", link, "next", false},
		{"share", share, "missing", false},
	} {
		if got := SendsNull(c.parent, c.name); got != c.want {
			t.Errorf("SendsNull(%s, %s) = %v, want %v", c.where, c.name, got, c.want)
		}
	}
}

// An optional setting is a property of a PUT or PATCH body that is not
// required and is no part of a flattened union.
func TestOptionalSetting(t *testing.T) {
	t.Parallel()
	body := object(map[string]string{
		"login_banner": "The banner",
		"timeout":      "The timeout",
		"type":         "The kind of store",
		"kms":          "Value present when type is KMS",
	})
	body.Required = []string{"timeout"}
	for _, c := range []struct {
		method, name string
		want         bool
	}{
		{http.MethodPatch, "login_banner", true},
		{http.MethodPut, "login_banner", true},
		{http.MethodPost, "login_banner", false},
		{http.MethodPut, "timeout", false},
		{http.MethodPut, "type", false},
		{http.MethodPut, "kms", false},
		{http.MethodPut, "missing", false},
	} {
		if got := OptionalSetting(c.method, body, c.name); got != c.want {
			t.Errorf("OptionalSetting(%s, %s) = %v, want %v", c.method, c.name, got, c.want)
		}
	}
}

// The quick look for the letters agrees with the regular expression on
// every description it is asked about.
func TestMentionsNullAgreesWithTheExpression(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"", "null", "NuLL if unset", "This may be null.", "nullable", "annulled", "nul", "a Null value", "no value"} {
		if got, want := mentionsNull(d), nullWordsRe.MatchString(d); got != want {
			t.Errorf("mentionsNull(%q) = %v, want %v", d, got, want)
		}
	}
}
