package convert

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qapitools/qapi/internal/oas"
)

// typeNameRe matches a server type name such as encryption_api_v2_key_store_response_union:
// the pages put it in the description of a body schema.
var typeNameRe = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// oapiInitialisms are oapi-codegen's own initialisms (v2.7.2,
// pkg/codegen/utils.go initialismsList): names spell them as its name
// normalizer does, so it leaves every name of the document as it is.
var oapiInitialisms = []string{
	"ACL", "API", "ASCII", "CPU", "CSS", "DNS", "EOF", "GUID", "HTML", "HTTP", "HTTPS", "ID", "IP", "JSON",
	"QPS", "RAM", "RPC", "SLA", "SMTP", "SQL", "SSH", "TCP", "TLS", "TTL", "UDP", "UI", "GID", "UID", "UUID",
	"URI", "URL", "UTF8", "VM", "XML", "XMPP", "XSRF", "XSS", "SIP", "RTP", "AMQP", "DB", "TS",
}

// AddedInitialisms are the words of Qumulo's API that Go names write in
// capitals (or as spelled here) beyond oapi-codegen's own list. gen/cfg.yaml
// passes them to oapi-codegen as additional-initialisms, so struct fields,
// which it names from JSON property names, are spelled as the converter
// spells every other name; a test keeps the two in step.
var AddedInitialisms = []string{
	"ACE", "ACEs", "ACLs", "AD", "AES", "AWS", "CA", "CSV", "DN", "EA", "ETag", "FS", "FTP", "GCP", "GIDs",
	"IDP", "IDs", "IPs", "IPv4", "IPv6", "KDC", "KMIP", "KMS", "LDAP", "LED", "MAC", "MTU", "NFS", "NFS3",
	"NFS4", "NLM", "NTP", "OU", "POSIX", "PSU", "RBAC", "S3", "SAML", "SID", "SIDs", "SMB", "SMB2", "SSL",
	"SSO", "UIDs", "URIs", "UUIDs", "VLAN", "VPC", "VPN",
}

// initialisms maps the lower-case form of every initialism to its spelling.
var initialisms = initialismMap(append(slices.Clone(oapiInitialisms), AddedInitialisms...))

func initialismMap(words []string) map[string]string {
	m := make(map[string]string, len(words))
	for _, w := range words {
		m[strings.ToLower(w)] = w
	}
	return m
}

// wordFixes splits words the pages run together.
var wordFixes = map[string][]string{"setpassword": {"set", "password"}}

// words splits s into lower-case words at every character that is not a
// letter or a digit.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		w = strings.ToLower(w)
		if fix, ok := wordFixes[w]; ok {
			out = append(out, fix...)
			continue
		}
		out = append(out, w)
	}
	return out
}

// nameParts cuts a name into parts as oapi-codegen's normalizer does with
// the regexp `[\p{Lu}\d]+([\p{Ll}\d]+|$)`: capitals or digits, then
// lower-case letters or digits, or the end. It is that regexp's leftmost-
// first match, backtracking included (names_test.go holds the two side by
// side); written out, because the converter spells every enum value and a
// regexp was a quarter of a conversion's allocations.
func nameParts(s string) []string {
	upperOrDigit := func(c rune) bool { return unicode.IsUpper(c) || '0' <= c && c <= '9' }
	lowerOrDigit := func(c rune) bool { return unicode.IsLower(c) || '0' <= c && c <= '9' }
	// run is the end of the run of runes from i that keep.
	run := func(i int, keep func(rune) bool) int {
		for i < len(s) {
			c, n := utf8.DecodeRuneInString(s[i:])
			if !keep(c) {
				break
			}
			i += n
		}
		return i
	}
	var parts []string
	for i := 0; i < len(s); {
		end := -1
		for a := run(i, upperOrDigit); a > i && end < 0; { // the capitals s[i:a], longest first
			if a == len(s) {
				end = a
			} else if c, _ := utf8.DecodeRuneInString(s[a:]); lowerOrDigit(c) {
				end = run(a, lowerOrDigit)
			} else {
				_, n := utf8.DecodeLastRuneInString(s[:a])
				a -= n
			}
		}
		if end < 0 {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		parts = append(parts, s[i:end])
		i = end
	}
	return parts
}

// goName spells words as one exported Go name exactly as oapi-codegen's
// ToCamelCaseWithInitialisms does, so that it keeps the name as it is and
// spells struct fields alike: each word capitalised, as is a letter after a
// digit (krb5i is Krb5I); then each part (Tls12, Ids) that is an initialism
// written as listed (IDs; Tls12 stays).
func goName(ws []string) string {
	var b strings.Builder
	for _, w := range ws {
		r := []rune(w)
		for i := range r {
			if i == 0 || unicode.IsDigit(r[i-1]) {
				r[i] = unicode.ToUpper(r[i])
			}
		}
		b.WriteString(string(r))
	}
	parts := nameParts(b.String())
	for i, p := range parts {
		if s, ok := initialisms[strings.ToLower(p)]; ok {
			parts[i] = s
		}
	}
	return strings.Join(parts, "")
}

// GoName spells s (snake_case, kebab-case, words with spaces) as an
// exported Go name: encryption_api_v2_key_store_response_union is
// EncryptionAPIV2KeyStoreResponseUnion, key_id is KeyID.
func GoName(s string) string { return goName(words(s)) }

// TypeGoName names the Go type of a server type name as a conversion
// does: api_smb_share is SMBShare.
func TypeGoName(server string) string { return typeGoName(server) }

// typeGoName names the Go type of a server type name: its words without
// "api", which every model name of an API repeats (api_smb_share is
// SMBShare).
func typeGoName(server string) string {
	ws := words(server)
	kept := dropAPI(ws)
	if len(kept) == 0 {
		kept = ws
	}
	return goName(kept)
}

// singular is the singular of an English plural word; other words stay as
// they are (status, chassis, data).
func singular(w string) string {
	switch {
	case len(w) > 3 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "uses") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes"):
		return w[:len(w)-2]
	case len(w) > 1 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

// singularLast returns ws with its last word made singular, and whether
// that changed it.
func singularLast(ws []string) ([]string, bool) {
	if len(ws) == 0 {
		return ws, false
	}
	last := singular(ws[len(ws)-1])
	if last == ws[len(ws)-1] {
		return ws, false
	}
	return append(append([]string(nil), ws[:len(ws)-1]...), last), true
}

// actionVerbs are the first words of the last path segment that make a
// POST an action (POST /v1/ad/join is JoinAD); two-word verbs are written
// with a space.
var actionVerbs = map[string]bool{
	"abort": true, "add": true, "authorize": true, "calculate": true, "cancel": true, "change": true,
	"clear": true, "close": true, "commit": true, "copy": true, "create": true, "delete": true,
	"dismiss": true, "dry run": true, "evict": true, "expand": true, "explain": true, "find": true,
	"generate": true, "halt": true, "identify": true, "join": true, "leave": true, "lock": true,
	"login": true, "make": true, "pause": true, "prepare": true, "propose": true, "punch": true,
	"reconfigure": true, "reconnect": true, "rename": true, "replace": true, "replicate": true,
	"resolve": true, "restart": true, "resume": true, "retrieve": true, "reverse": true, "rotate": true,
	"set": true, "start": true, "unlock": true, "verify": true,
}

// actionVerb returns how many leading words of ws name an action verb, or 0.
func actionVerb(ws []string) int {
	if len(ws) >= 2 && actionVerbs[ws[0]+" "+ws[1]] {
		return 2
	}
	if len(ws) >= 1 && actionVerbs[ws[0]] {
		return 1
	}
	return 0
}

// opName is an operation's name before versions are compared: the name
// itself, the endpoint it belongs to across versions, its version and
// whether it is an action.
type opName struct {
	name     string
	endpoint string
	version  int // -1 without a version segment
	action   bool
	// verb, resource and rest are the words of name, so that a name too
	// long can drop leading words of its resource.
	verb, resource, rest []string
}

// maxOperationID is the longest operationId: oapi-codegen's longest
// derived type name, <operationId>JSONRequestBody, then stays under
// maxGoName.
const maxOperationID = maxGoName - 1 - len("JSONRequestBody")

// maxGoName is the length no Go type name of generated code reaches.
const maxGoName = 60

// nameOperation derives an operation's name from its method and path
// template; the package documentation states the rule.
func nameOperation(method, tmpl string) opName {
	method = strings.ToLower(method)
	collection := strings.HasSuffix(tmpl, "/")
	var segs []string
	for _, s := range strings.Split(tmpl, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	n := opName{version: -1}
	if len(segs) > 0 {
		if v, ok := oas.VersionOf(segs[0]); ok {
			n.version = v
			segs = segs[1:]
		}
	}
	isParam := func(i int) bool { return i >= 0 && i < len(segs) && strings.HasPrefix(segs[i], "{") }
	// The endpoint is the path without its version and parameter names:
	// /v2/smb/shares/{ref} and /v3/smb/shares/{share_id} are versions of
	// one endpoint.
	key := make([]string, len(segs))
	for i, s := range segs {
		key[i] = s
		if isParam(i) {
			key[i] = "{}"
		}
	}
	n.endpoint = method + " " + strings.Join(key, "/")
	if collection {
		n.endpoint += "/"
	}
	if n.version < 0 {
		n.endpoint = "unversioned " + n.endpoint
	}

	last := len(segs) - 1
	lit := last // the last literal segment
	if isParam(lit) {
		lit--
	}
	var verb, rest []string
	resource := segs
	if method == "post" && lit >= 0 && lit >= last-1 && !isParam(lit) {
		ws := words(segs[lit])
		if k := actionVerb(ws); k > 0 {
			// POST …/jobs/restart/{id} acts on the job {id}.
			verb, rest, n.action = ws[:k], ws[k:], true
			resource = append(append([]string(nil), segs[:lit]...), segs[lit+1:]...)
		}
	}
	if verb == nil {
		switch method {
		case "get":
			verb = []string{"get"}
			if collection {
				verb = []string{"list"}
			}
		case "post":
			verb = []string{"set"}
			if collection || isParam(last) {
				verb = []string{"create"}
			}
		case "put":
			verb = []string{"replace"}
		case "patch":
			verb = []string{"update"}
		default:
			verb = []string{method}
		}
	}
	n.verb, n.rest = verb, rest
	n.resource = resourceWords(resource, method == "post" && collection && !n.action)
	n.name = n.spell(0)
	return n
}

// spell writes the name without the first drop words of its resource.
func (n opName) spell(drop int) string {
	out := append([]string(nil), n.verb...)
	out = append(out, n.resource[drop:]...)
	out = append(out, n.rest...)
	return goName(dedupe(out))
}

// resourceWords names the resource a path addresses: the words of its
// literal segments, the one before a parameter made singular (shares/{id}
// is Share). A parameter whose literal does not show it that way (status,
// metadata, or a parameter after a parameter) is written By<Name>, unless
// the literal ends with its words (local-username/{username}). createOne makes the
// last literal singular too: a POST on a collection creates one item.
func resourceWords(segs []string, createOne bool) []string {
	var out []string
	shown := false // whether the last literal showed the parameter after it
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			p := words(s)
			var prev []string
			if i > 0 && !strings.HasPrefix(segs[i-1], "{") {
				prev = words(segs[i-1])
			}
			if !shown && !hasSuffix(prev, p) {
				out = append(append(out, "by"), p...)
			}
			shown = false
			continue
		}
		ws := words(s)
		nextParam := i+1 < len(segs) && strings.HasPrefix(segs[i+1], "{")
		if nextParam || createOne && i == len(segs)-1 {
			ws, shown = singularLast(ws)
		}
		out = append(out, ws...)
	}
	return out
}

// hasSuffix tells whether the words ws end with the words end.
func hasSuffix(ws, end []string) bool {
	return len(end) <= len(ws) && slices.Equal(ws[len(ws)-len(end):], end)
}

// dedupe drops a word that repeats the word before it (auth/auth-ids is
// AuthIDs, clear-dns-cache under /dns is ClearDNSCache).
func dedupe(ws []string) []string {
	out := ws[:0:0]
	for i, w := range ws {
		if i > 0 && w == ws[i-1] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// operationIDs names every operation: newest versions of an endpoint get
// the plain name, older ones the suffix V<n>; an action that would take the
// name of another operation ends in Action. keys are "method path" pairs.
// OperationIDs names each operation of keys ("METHOD /path/template") by the
// rule of the package documentation. Versions of one endpoint are named
// together, so the keys are every operation of a document: a reader that
// names another document's operations (qapi diff) gets the names a
// conversion of the same paths gives.
func OperationIDs(keys []string) map[string]string { return operationIDs(keys) }

func operationIDs(keys []string) map[string]string {
	names := make(map[string]opName, len(keys))
	newest := map[string]int{}
	for _, k := range keys {
		method, tmpl, _ := strings.Cut(k, " ")
		n := nameOperation(method, tmpl)
		names[k] = n
		if v, ok := newest[n.endpoint]; !ok || n.version > v {
			newest[n.endpoint] = n.version
		}
	}
	ids := make(map[string]string, len(keys))
	taken := map[string]bool{}
	for _, k := range keys {
		n := names[k]
		suffix := ""
		if n.version != newest[n.endpoint] {
			suffix = "V" + strconv.Itoa(n.version)
		}
		// A name too long drops the leading words of its resource, the
		// first of which is its category, which its tags carry.
		for drop := 1; len(n.name+suffix) > maxOperationID && drop < len(n.resource); drop++ {
			n.name = n.spell(drop)
		}
		n.name += suffix
		names[k] = n
		if !n.action {
			taken[n.name] = true
		}
	}
	for _, k := range keys {
		n := names[k]
		if n.action && taken[n.name] {
			n.name += "Action"
		}
		ids[k] = n.name
	}
	return ids
}

// enumConstants returns the server's constant name of each enum value: the
// CONSTANT_NAME of its "`VALUE` - CONSTANT_NAME" line when every value has
// one, else the value itself. It returns nil when a value is not a string.
func enumConstants(description string, values []any) []string {
	lines := enumLines(description)
	out := make([]string, len(values))
	fromLines := true
	for i, v := range values {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		out[i] = s
		if _, ok := lines[s]; ok {
			continue
		}
		fromLines = false
	}
	if fromLines {
		for i, v := range values {
			out[i] = lines[v.(string)]
		}
	}
	return out
}

var constantRe = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// enumLines maps each VALUE to its CONSTANT_NAME from the
// "`VALUE` - CONSTANT_NAME" lines of an enum description. A line whose text
// is prose ("`NO_AES` - Do not use AES") names no constant.
func enumLines(description string) map[string]string {
	out := map[string]string{}
	for value, text := range enumTexts(description) {
		if constantRe.MatchString(text) {
			out[value] = text
		}
	}
	return out
}

// enumTexts maps each VALUE to the text after the dash of its
// "`VALUE` - text" line.
func enumTexts(description string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(description, "\n") {
		rest := strings.TrimLeft(line, " *")
		if !strings.HasPrefix(rest, "`") {
			continue
		}
		end := strings.IndexByte(rest[1:], '`')
		if end < 0 {
			continue
		}
		value := rest[1 : 1+end]
		text, ok := strings.CutPrefix(rest[end+2:], " - ")
		if !ok {
			continue
		}
		if _, seen := out[value]; !seen {
			out[value] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), ","))
		}
	}
	return out
}

// enumType is the Go type an enum becomes wherever it is used, with the
// Go names of its constants; the package documentation states the rule.
// name is "" when the enum stays in place.
type enumType struct {
	name      string
	constants []string
	// inPlace spells the constants for an enum that stays in place:
	// without a type name, which oapi-codegen puts first where they clash.
	inPlace []string
}

// vagueProps name no enum type: too many enums are a "type" or a "state".
var vagueProps = map[string]bool{"type": true, "state": true, "status": true, "mode": true, "phase": true, "op": true, "action": true}

// nameEnum names an enum from its server constants and the property it
// describes.
func nameEnum(constants []string, prop string) enumType {
	split := make([][]string, len(constants))
	for i, c := range constants {
		split[i] = words(c)
	}
	e := nameShared(split, prop)
	e.inPlace = spellConstants(split, nil, nil)
	if e.constants == nil {
		e.name = ""
	}
	return e
}

func nameShared(split [][]string, prop string) enumType {
	// a. Words every constant starts with (each keeping one of its own).
	var prefix []string
	for j := 0; len(split) > 0; j++ {
		w := ""
		for i, ws := range split {
			if j >= len(ws)-1 || (i > 0 && ws[j] != w) {
				w = ""
				break
			}
			w = ws[j]
		}
		if w == "" {
			break
		}
		prefix = append(prefix, w)
	}
	if kept := dropAPI(prefix); len(kept) > 0 {
		if len(kept) == 1 {
			pw := words(prop)
			if len(pw) == 0 {
				return enumType{}
			}
			if w := singular(pw[len(pw)-1]); w != kept[0] {
				kept = append(kept, w)
			}
		}
		return enumType{name: goName(kept), constants: spellConstants(split, nil, nil)}
	}
	// b. A constant X_ALL that stands for all the others names X.
	var all []string
	for _, ws := range split {
		if len(ws) > 1 && ws[len(ws)-1] == "all" {
			if all != nil {
				all = nil
				break
			}
			all = ws[:len(ws)-1]
		}
	}
	if typ, _ := singularLast(dropAPI(all)); len(typ) > 0 {
		return enumType{name: goName(typ), constants: spellConstants(split, typ, all)}
	}
	// c. The property, unless it is vague.
	if pw, _ := singularLast(words(prop)); len(pw) > 0 && !(len(pw) == 1 && vagueProps[pw[0]]) {
		return enumType{name: goName(pw), constants: spellConstants(split, pw, nil)}
	}
	return enumType{}
}

func dropAPI(ws []string) []string {
	var out []string
	for _, w := range ws {
		if w != "api" {
			out = append(out, w)
		}
	}
	return out
}

// spellConstants spells each constant as a Go name after typ, without
// "api" words and the leading words strip (ACCESS_RIGHTS_ALL of
// AccessRight is AccessRightAll). It returns nil when two constants would
// be spelled alike; oapi-codegen then names them itself.
func spellConstants(split [][]string, typ, strip []string) []string {
	names := make([]string, len(split))
	seen := map[string]bool{}
	for i, ws := range split {
		if len(strip) > 0 && len(ws) > len(strip) && slices.Equal(ws[:len(strip)], strip) {
			ws = ws[len(strip):]
		}
		rest := dropAPI(ws)
		if len(rest) == 0 {
			rest = ws
		}
		names[i] = goName(append(slices.Clone(typ), rest...))
		if names[i] == "" || seen[names[i]] || !unicode.IsLetter([]rune(names[i])[0]) {
			return nil
		}
		seen[names[i]] = true
	}
	return names
}

// cleanDescription drops the "d:" stub that the projection left where a field
// description was truncated.
func cleanDescription(s string) string {
	if rest, ok := strings.CutPrefix(s, "d:"); ok {
		return strings.TrimPrefix(strings.TrimLeft(rest, " "), "\n")
	}
	return s
}

// firstSentence shortens a long summary for the OpenAPI summary field; the whole
// text goes to the description.
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ". "); i > 0 && i < len(s)-2 {
		return s[:i+1]
	}
	return s
}
