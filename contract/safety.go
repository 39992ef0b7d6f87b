package contract

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// Safety says what an operation may do to the cluster it is sent to, and
// so which runs may send it.
type Safety string

// The safety classes, from harmless to harmful. A read-only run sends
// Read operations that are GETs; --allow-writes adds the Read POSTs and the
// Reversible operations; --allow-disruptive adds the rest. The embedded
// twin runs everything: it is a fresh cluster made for the run.
const (
	// Read changes nothing: GETs, and POSTs that only compute or look up.
	Read Safety = "read"
	// Reversible changes what the run can put back: a setting read before
	// it is written, or an item the run created and deletes at the end.
	Reversible Safety = "reversible"
	// Irreversible changes what the run cannot put back exactly.
	Irreversible Safety = "irreversible"
	// Disruptive interrupts the cluster or its clients: power, upgrade,
	// membership, network, TLS, directory services, credentials, locks.
	Disruptive Safety = "disruptive"
)

// Classified is the safety class of one operation, with the reason.
type Classified struct {
	Method, Path, OperationID string
	Safety                    Safety
	Reason                    string
}

// basis is why a Reversible operation can be undone; the runner checks it
// before it sends.
type basis int

const (
	// notReversible: the class says all.
	notReversible basis = iota
	// onCreatedItems: the operation acts on items of collections the run
	// creates; it may be sent only with items the run created.
	onCreatedItems
	// creates: a POST to a collection, undone by deleting the created item.
	creates
	// savedState: a PUT, PATCH or DELETE of a resource the run reads
	// first and writes back afterwards.
	savedState
)

// classified is what the runner keeps of an operation's class.
type classified struct {
	Classified
	basis basis
	// items are the path parameters that name items of collections the
	// run can create in (see creatableItems).
	items []string
	// creates tells a POST that creates an item the run can delete;
	// saveable a write whose resource the run can read first and write
	// back.
	creates, saveable bool
}

// reviewed holds the operations whose class the spec cannot tell, each with
// its reason; the first rule that matches decides. The patterns match
// "METHOD /path/template". Sources: each operation's page in docs/ (its
// summary and description), and the kinds of change Qumulo's
// administrator guide treats as maintenance (power, upgrade, node
// membership, network, certificates, directory services).
var reviewed = []struct {
	pattern *regexp.Regexp
	safety  Safety
	reason  string
}{
	// Disruptive: the cluster or its clients are interrupted.
	{rule(`POST /v1/shutdown/`), Disruptive, "powers nodes off or reboots them"},
	{rule(`\S+ /v\d/upgrade/`), Disruptive, "upgrades the cluster's software"},
	{rule(`(POST|PUT|PATCH|DELETE) /v\d/ad/`), Disruptive, "changes the cluster's Active Directory membership, which decides who can log in"},
	{rule(`(POST|PUT|PATCH|DELETE) /v\d/ldap/`), Disruptive, "changes the LDAP settings that decide who can log in"},
	{rule(`POST /v\d/cluster/.*dry-run$`), Read, "validates a change to the cluster's nodes without making it"},
	{rule(`POST /v\d/cluster/(nodes/|node-replacement-plan/|object-backed/nodes)$`), Disruptive, "changes which nodes form the cluster"},
	{rule(`POST /v\d/(cluster|unconfigured)/.*create`), Disruptive, "forms a cluster"},
	{rule(`(POST|PUT|PATCH|DELETE) /v\d/network/`), Disruptive, "changes how the cluster is reached on the network"},
	{rule(`(PUT|PATCH|DELETE) /v\d/cluster/settings/ssl`), Disruptive, "changes the cluster's TLS certificate, trust or ciphers, which every client connects through"},
	{rule(`POST /v\d/session/change-password`), Disruptive, "changes the password of the user the run logs in as"},
	{rule(`POST /v\d/users/\{[^}]+\}/setpassword`), Disruptive, "sets a user's password"},
	{rule(`(PUT|DELETE) /v\d/auth/kerberos-keytab`), Disruptive, "replaces the Kerberos keys clients authenticate with"},
	{rule(`(PUT|PATCH|POST) /v\d/support/vpn`), Disruptive, "replaces the keys of Qumulo's support VPN"},
	{rule(`(PUT|POST) /v\d/encryption/`), Disruptive, "changes the keys that data at rest is encrypted with"},
	{rule(`DELETE /v\d/files/(\{[^}]+\}/)?locks/`), Disruptive, "releases file locks that clients hold"},
	{rule(`POST /v\d/smb/(files|sessions)/close`), Disruptive, "closes files or sessions that SMB clients hold open"},
	// Irreversible: nothing puts the change back.
	{rule(`POST /v\d/tree-delete/jobs/$`), Irreversible, "erases a directory tree"},
	{rule(`\S+ /v\d/files/\{[^}]+\}/(data|copy-chunk|punch-hole|streams/\{[^}]+\}/(data|copy-chunk|punch-hole))`), Irreversible, "changes a file's contents, which the run does not save"},
	{rule(`PATCH /v\d/files/\{[^}]+\}/file-lock`), Irreversible, "sets a retention period or legal hold that prevents deletion"},
	{rule(`POST /v\d/snapshots/\{[^}]+\}/lock`), Irreversible, "locks a snapshot, which then cannot be deleted"},
	// Read: POSTs that compute or look up and change nothing.
	{rule(`POST /v\d/session/login`), Read, "logs in"},
	{rule(`POST /v\d/(auth/)?identity/(find|expand)`), Read, "looks up identities"},
	{rule(`POST /v\d/dns/resolve`), Read, "resolves names or addresses"},
	{rule(`POST /v\d/files/resolve`), Read, "resolves file ids to paths"},
	{rule(`POST /v\d/.*/explain-`), Read, "explains permissions without changing them"},
	{rule(`POST /v\d/.*calculate-`), Read, "computes a figure without changing anything"},
}

func rule(pattern string) *regexp.Regexp { return regexp.MustCompile(`^` + pattern) }

// disruptiveWords are what a page says of an operation that restarts,
// stops or erases something (its summary or description).
var disruptiveWords = regexp.MustCompile(`(?i)\b(reboots?|restarts?|power(s|ed)? off|halts?|shut(s|ting)? down|erases?|wipes?)\b`)

// Classify decides the safety class of every operation of doc, by path
// and method (see Safety). It is the list --list-unsafe shows.
func Classify(doc *openapi3.T) []Classified {
	var out []Classified
	for _, c := range classifyAll(doc) {
		out = append(out, c.Classified)
	}
	return out
}

func classifyAll(doc *openapi3.T) []classified {
	var out []classified
	for _, o := range operations(doc) {
		c := classify(doc, o.Method, o.Path, o.Item, o.Op)
		c.OperationID = o.ID
		out = append(out, c)
	}
	return out
}

func classify(doc *openapi3.T, method, path string, item *openapi3.PathItem, op *openapi3.Operation) classified {
	c := classified{Classified: Classified{Method: method, Path: path}, items: creatableItems(doc, path)}
	set := func(s Safety, b basis, reason string) classified {
		c.Safety, c.basis, c.Reason = s, b, reason
		return c
	}
	if method == http.MethodGet || method == http.MethodHead {
		return set(Read, notReversible, "reads")
	}
	if write := opOr(item.Put, item.Patch); method != http.MethodPost && write != nil {
		c.saveable = item.Get != nil && oas.TakesJSON(write)
	}
	key := method + " " + path
	for _, rv := range reviewed {
		if rv.pattern.MatchString(key) {
			return set(rv.safety, notReversible, rv.reason)
		}
	}
	if m := disruptiveWords.FindString(op.Summary + " " + op.Description); m != "" {
		return set(Disruptive, notReversible, fmt.Sprintf("its page says %q: it restarts, stops or erases something", m))
	}
	switch method {
	case http.MethodPost:
		if itemPath, _, ok := oas.ItemOf(doc, path); ok {
			if it := doc.Paths.Value(itemPath); it != nil && it.Delete != nil {
				c.creates = true
				return set(Reversible, creates, "creates an item, which the run deletes at the end")
			}
			return set(Irreversible, notReversible, "creates an item that nothing deletes")
		}
		return set(Irreversible, notReversible, "an action that nothing undoes")
	case http.MethodPut, http.MethodPatch, http.MethodDelete:
		if len(c.items) > 0 {
			return set(Reversible, onCreatedItems, "acts only on items the run created, which it deletes at the end")
		}
		secret := writeOnlyField(oas.RequestSchema(op), 0)
		if restoreWith := opOr(item.Put, item.Patch); secret == "" && restoreWith != nil {
			secret = writeOnlyField(oas.RequestSchema(restoreWith), 0)
		}
		if secret != "" {
			return set(Irreversible, notReversible, "sets "+secret+", which a read does not return, so it cannot be put back")
		}
		if !c.saveable {
			return set(Irreversible, notReversible, "no read of the same path to save what it changes")
		}
		return set(Reversible, savedState, "the run reads it first and writes it back at the end")
	}
	return set(Irreversible, notReversible, "an unusual method")
}

func opOr(a, b *openapi3.Operation) *openapi3.Operation {
	if a != nil {
		return a
	}
	return b
}

// creatableItems lists the path parameters of path that name items of a
// collection the spec can create (POST on the collection): a run sends
// such a path only with items it created.
func creatableItems(doc *openapi3.T, path string) []string {
	var out []string
	for _, it := range pathItems(doc, path) {
		if it.collPath != "" {
			out = append(out, it.param)
		}
	}
	return out
}

// pathItem is a parameter of a path template, with the template up to it
// and, when the spec can create such items (POST on the collection), the
// collection and the parameter its item template names them by ({newer_id}
// names a snapshot as {id} does).
type pathItem struct {
	param, itemPath     string
	collPath, itemParam string
}

// pathItems lists the parameters of a path template, outermost first.
func pathItems(doc *openapi3.T, path string) []pathItem {
	var out []pathItem
	segs := strings.Split(strings.TrimSuffix(path, "/"), "/")
	for i, seg := range segs {
		name, ok := strings.CutPrefix(seg, "{")
		if !ok {
			continue
		}
		it := pathItem{param: strings.TrimSuffix(name, "}"), itemPath: strings.Join(segs[:i+1], "/")}
		collPath := strings.Join(segs[:i], "/") + "/"
		coll := doc.Paths.Value(collPath)
		if coll == nil {
			collPath = strings.TrimSuffix(collPath, "/")
			coll = doc.Paths.Value(collPath)
		}
		if coll != nil && coll.Post != nil {
			item, itemParam, ok := oas.ItemOf(doc, collPath)
			if ok && strings.TrimSuffix(item, "/") == strings.Join(segs[:i], "/")+"/{"+itemParam+"}" {
				it.collPath, it.itemParam = collPath, itemParam
			}
		}
		out = append(out, it)
	}
	return out
}

// writeOnlyField names the first write-only field of a request schema, or
// answers "".
func writeOnlyField(ref *openapi3.SchemaRef, depth int) string {
	if ref == nil || ref.Value == nil || depth > 16 {
		return ""
	}
	s := ref.Value
	for _, k := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[k]
		if p.Value != nil && oas.WriteOnly(p.Value) {
			return k
		}
		if f := writeOnlyField(p, depth+1); f != "" {
			return k + "." + f
		}
	}
	for _, arms := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
		for _, a := range arms {
			if f := writeOnlyField(a, depth+1); f != "" {
				return f
			}
		}
	}
	return writeOnlyField(s.Items, depth+1)
}
