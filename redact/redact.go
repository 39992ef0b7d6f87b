// Package redact is the one place where secrets are removed from what qapi
// logs, records or reports: the client's log lines and errors, the proxy's
// HAR recordings and log, the contract suite's reports.
//
// A Redactor removes two kinds of secret. Values it was told about
// (passwords, bearer tokens, private keys, values sent in write-only fields)
// are replaced wherever they occur, also in their JSON-escaped, URL-escaped
// and base64 forms, in one pass over the text however many it knows. Values
// shaped like secrets (PEM private keys, Qumulo session and access tokens,
// Authorization values, JSON members and form fields named like secrets) are
// replaced even when it was never told about them.
//
// What a long-lived Redactor learns is bounded, and a caller teaches it only
// secrets that proved real (a token the server accepted); the secrets of one
// exchange go to a Scope, which redacts them in that exchange's output and is
// dropped with it.
package redact

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
)

// Marker replaces a secret.
const Marker = "[REDACTED]"

// writeOnlyMarker numbers the values sent in write-only fields, so that a
// recording shows where the same value came back without holding it.
const writeOnlyMarker = "[REDACTED write-only #%d]"

// MinEmbedded is the length from which a write-only value found inside a
// longer text counts as that value; a shorter one ("admin") is replaced only
// where it is the whole value.
const MinEmbedded = 12

// minLiteral is the shortest secret replaced inside text; shorter ones would
// blank out common words.
const minLiteral = 4

// maxLiterals bounds what a Redactor remembers: a peer that sends many
// distinct tokens must not make every later call slower. The oldest go first.
const maxLiterals = 4096

// secretName matches the names of fields, parameters and headers that hold
// secrets whatever their value; keyName those that hold key material when
// their value is not a plain string (a Kerberos keytab's key bytes under
// "key", as GET /v1/auth/kerberos-keytab answers them). A string "key" is
// mostly a name (an S3 object's key, a snapshot's lock key), so it stays.
const (
	secretName = `[a-z0-9_-]*(?:password|passwd|passphrase|private[_-]?key|secret|token|bearer|keytab|api[_-]?key|client[_-]?key|credential)[a-z0-9_-]*`
	keyName    = `(?:[a-z0-9_-]*[_-])?keys?`
)

// Secrets have recognisable shapes, so these patterns catch them even when
// the Redactor never saw them (a token echoed in a proxy's error page, a key
// pasted into a request built by hand).
var (
	// A PEM private key block; a block cut short still matches to the end.
	pemKeyRe = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`)
	// Qumulo session and access tokens: session-v1:…, access-v1:…, also
	// URL-escaped.
	tokenRe = regexp.MustCompile(`\b(session|access)-v(\d+)(?::|%3[aA])[^\s"',;}\]&]+`)
	// An Authorization value in any dump.
	bearerRe = regexp.MustCompile(`(?i)\b(bearer)\s+[^\s"',;]+`)
	// Form fields and query parameters named like secrets
	// (username=u&password=p, ?access_token=…).
	formSecretRe = regexp.MustCompile(`(?i)\b(` + secretName + `)=([^&\s"';,]+)`)
	// Lines of YAML and the like that set a secret (password: p); the
	// name=value forms are formSecretRe's.
	lineSecretRe = regexp.MustCompile(`(?im)^(\s*["']?` + secretName + `["']?[ \t]*:[ \t]*)(\S[^\r\n]*)`)
	// A member named like a secret, quoted or not, and what sets it: JSON
	// and JavaScript (:), Python's repr (:), Ruby (=>), logfmt and Go's %+v
	// (=). Its value is found by memberValue.
	memberRe = regexp.MustCompile(`(?i)(["']?)\b(` + secretName + `|` + keyName + `)(["']?)\s*(:|=>|=)\s*`)
	// A multipart/form-data part's headers; its body follows, up to the next
	// boundary line.
	partRe = regexp.MustCompile(`(?i)content-disposition:[^\r\n]*?\bname=(?:"([^"\r\n]*)"|([^\s;]+))[^\r\n]*(?:\r?\n[^\r\n]+)*\r?\n\r?\n`)
	// An XML element named like a secret; its text follows.
	xmlRe = regexp.MustCompile(`(?i)<(?:[a-z0-9]+:)?` + secretName + `(?:\s[^<>]*)?>`)
	// A part's filename that says it holds key material.
	filenameRe = regexp.MustCompile(`(?i)filename\*?=[^\r\n]*(?:` + secretName + `|\.(?:key|pem|p12|pfx|jks|keytab)\b)`)

	// Values that are no secret: JSON's and Python's literals.
	literalRe = regexp.MustCompile(`^(?:null|true|false|None|True|False)\b`)
)

// SecretsIn lists the values a text that is not JSON gives fields named
// like secrets: form fields and query parameters (decoded, and as sent),
// "name: value" lines, members of JSON that does not parse, of Python's
// repr and the like in any quoting or escaping, and multipart parts, so a
// caller can redact them wherever else they show up.
func SecretsIn(text string) []string {
	var out []string
	for _, m := range formSecretRe.FindAllStringSubmatch(text, -1) {
		out = append(out, m[2])
		if d, err := url.QueryUnescape(m[2]); err == nil && d != m[2] {
			out = append(out, d)
		}
	}
	for _, m := range lineSecretRe.FindAllStringSubmatch(text, -1) {
		out = append(out, strings.Trim(strings.TrimSpace(m[2]), `"'`))
	}
	for _, v := range views(text) {
		for _, sp := range namedSpans(v.text) {
			out = append(out, v.text[sp[0]:sp[1]])
		}
	}
	return out
}

// nameWords are what the names secretName matches contain, with - and _
// removed; nameHints are what they and keyName's contain, to skip the
// patterns on text that names no secret.
var (
	nameWords = []string{"password", "passwd", "passphrase", "privatekey", "secret", "token", "bearer", "keytab", "apikey", "clientkey", "credential"}
	nameHints = []string{"pass", "key", "secret", "token", "bearer", "credential"}
)

// SecretField tells whether a field, parameter or header of that name holds
// a secret, whatever its value.
func SecretField(name string) bool {
	var buf [64]byte
	n := buf[:0]
	for i := range len(name) {
		switch c := name[i]; {
		case c == '-' || c == '_':
		case c >= 'A' && c <= 'Z':
			n = append(n, c+'a'-'A')
		default:
			n = append(n, c)
		}
	}
	for _, w := range nameWords {
		if bytes.Contains(n, []byte(w)) {
			return true
		}
	}
	return false
}

// keyField tells whether a field of that name holds key material when its
// value is a number, a list or an object.
func keyField(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	return SecretField(n) || n == "key" || n == "keys" || strings.HasSuffix(n, "_key") || strings.HasSuffix(n, "_keys")
}

// mayName tells whether s may name a secret at all, in any case.
func mayName(s string) bool {
	for i := range len(s) {
		c := s[i] | 0x20 // lower case, for letters
		if c != 'p' && c != 'k' && c != 's' && c != 't' && c != 'b' && c != 'c' {
			continue
		}
		for _, h := range nameHints {
			if h[0] == c && len(s)-i >= len(h) && strings.EqualFold(s[i:i+len(h)], h) {
				return true
			}
		}
	}
	return false
}

// namedSpans finds, in s, the values of members named like secrets (a
// quoted string's content, a number, a whole list or object), the text of
// XML elements and the bodies of multipart parts named so. A value whose
// end cannot be found runs to the end of s: what cannot be parsed is
// redacted, not kept.
func namedSpans(s string) [][2]int {
	var out [][2]int
	for _, m := range memberRe.FindAllStringSubmatchIndex(s, -1) {
		if s[m[2]:m[3]] != s[m[6]:m[7]] && m[3] > m[2] && m[7] > m[6] {
			continue // 'name" is no name
		}
		// A bare word is a value only where no quoting is the norm (a form,
		// YAML): after a quoted name it is prose ("field \"password\": must
		// be a string").
		secret := SecretField(s[m[4]:m[5]])
		bare := secret && (s[m[8]:m[9]] == "=" || m[3] == m[2])
		if sp, ok := memberValue(s, m[1], secret, bare); ok {
			out = append(out, sp)
		}
	}
	if strings.Contains(s, "<") {
		for _, m := range xmlRe.FindAllStringIndex(s, -1) {
			end := strings.IndexByte(s[m[1]:], '<')
			if end < 0 {
				end = len(s) - m[1]
			}
			out = append(out, [2]int{m[1], m[1] + end})
		}
	}
	if !strings.Contains(s, "isposition") && !strings.Contains(s, "ISPOSITION") {
		return out // no multipart part: spare the pattern
	}
	for _, m := range partRe.FindAllStringSubmatchIndex(s, -1) {
		name := s[max(m[2], 0):max(m[3], 0)] + s[max(m[4], 0):max(m[5], 0)] // quoted or not
		if !keyField(name) && !filenameRe.MatchString(s[m[0]:m[1]]) {
			continue
		}
		end := len(s)
		if i := strings.Index(s[m[1]:], "\n--"); i >= 0 {
			end = m[1] + i
			if end > m[1] && s[end-1] == '\r' {
				end--
			}
		}
		out = append(out, [2]int{m[1], end})
	}
	return out
}

// memberValue is the span of the value that starts at i: the content of a
// quoted string (after a Python prefix such as b'), a number, or a whole
// list or object. Strings count only when secret (a "key" that is a string
// names something), a bare word only when bare allows it, and only up to
// what ends a form field. A value that is already a marker is left alone,
// so a write-only marker keeps its number.
func memberValue(s string, i int, secret, bare bool) ([2]int, bool) {
	if i >= len(s) || strings.HasPrefix(s[i:], "[REDACTED") {
		return [2]int{}, false
	}
	j := i
	for j < len(s) && j-i < 2 && strings.IndexByte("bBuUrRfF", s[j]) >= 0 {
		j++
	}
	if j < len(s) && (s[j] == '"' || s[j] == '\'') {
		if !secret && j == i {
			return [2]int{}, false
		}
		start := j + 1
		if strings.HasPrefix(s[start:], "[REDACTED") {
			return [2]int{}, false
		}
		return [2]int{start, quotedEnd(s, start, s[j])}, true
	}
	switch c := s[i]; {
	case c == '[' || c == '{':
		return [2]int{i, balancedEnd(s, i)}, true
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(s) && strings.IndexByte("0123456789.eE+-_xXabcdefABCDEF", s[j]) >= 0 {
			j++
		}
		return [2]int{i, j}, true
	case bare && !literalRe.MatchString(s[i:]):
		j := i
		for j < len(s) && !strings.ContainsRune("&\r\n\t \"';,}])", rune(s[j])) {
			j++
		}
		if j > i {
			return [2]int{i, j}, true
		}
	}
	return [2]int{}, false
}

// quotedEnd is where the string that starts at i, inside quote q, ends: at
// the next q that is not escaped, else at the end of s.
func quotedEnd(s string, i int, q byte) int {
	for ; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			return i
		}
	}
	return len(s)
}

// balancedEnd is the end of the list or object that starts at i, past its
// closing bracket, skipping quoted strings; the end of s when it is not
// closed.
func balancedEnd(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"', '\'':
			i = quotedEnd(s, i+1, s[i])
		}
	}
	return len(s)
}

// view is a decoded form of a text, with where each of its bytes came from,
// so that a secret found in it is redacted where the text holds it.
type view struct {
	text string
	// from[i] is the offset in the original text of text[i]; from[len(text)]
	// is the original's length. nil for the text itself.
	from []int
}

// at is where offset i of v is in the original text.
func (v view) at(i int) int {
	if v.from == nil {
		return i
	}
	return v.from[i]
}

// views are text as it is and decoded: URL-unescaped (a form value holding
// JSON) and backslash-unescaped (JSON inside a JSON string, Python's
// escapes), and each of those decoded once more: at most seven.
func views(text string) []view {
	out := []view{{text: text}}
	for i := 0; i < len(out) && i < 3; i++ {
		for _, dec := range []func(string) (string, []int, bool){urlDecode, backslashDecode} {
			t, from, changed := dec(out[i].text)
			if !changed {
				continue
			}
			for k := range from {
				from[k] = out[i].at(from[k])
			}
			out = append(out, view{t, from})
		}
	}
	return out
}

// urlDecode undoes percent-escaping and + for a space.
func urlDecode(s string) (string, []int, bool) {
	if !strings.Contains(s, "%") {
		return s, nil, false
	}
	var b strings.Builder
	from := make([]int, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		from = append(from, i)
		switch {
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case s[i] == '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), append(from, len(s)), true
}

// backslashDecode undoes the escapes of JSON strings and Python literals.
func backslashDecode(s string) (string, []int, bool) {
	if !strings.Contains(s, "\\") {
		return s, nil, false
	}
	var b strings.Builder
	from := make([]int, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		at := i
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			from = append(from, at)
			continue
		}
		i++
		var out string
		switch c := s[i]; c {
		case 'n':
			out = "\n"
		case 'r':
			out = "\r"
		case 't':
			out = "\t"
		case 'u', 'x':
			n := 4
			if c == 'x' {
				n = 2
			}
			if i+n < len(s) && allHex(s[i+1:i+1+n]) {
				var r rune
				for _, h := range []byte(s[i+1 : i+1+n]) {
					r = r<<4 | rune(unhex(h))
				}
				if c == 'x' {
					out = string([]byte{byte(r)})
				} else {
					out = string(r)
				}
				i += n
			} else {
				out = string(c)
			}
		default:
			out = string(c)
		}
		for range len(out) {
			from = append(from, at)
		}
		b.WriteString(out)
	}
	return b.String(), append(from, len(s)), true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func allHex(s string) bool {
	for i := range len(s) {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// redactNamed replaces the values of members and parts named like secrets
// in s and in its decoded views, where s holds them.
func redactNamed(s string) string {
	var spans [][2]int
	for _, v := range views(s) {
		if !mayName(v.text) {
			continue
		}
		for _, sp := range namedSpans(v.text) {
			if a, b := v.at(sp[0]), v.at(sp[1]); b > a {
				spans = append(spans, [2]int{a, b})
			}
		}
	}
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp[0] <= last[1] {
			last[1] = max(last[1], sp[1])
			continue
		}
		merged = append(merged, sp)
	}
	var out strings.Builder
	at := 0
	for _, sp := range merged {
		out.WriteString(s[at:sp[0]])
		out.WriteString(Marker)
		at = sp[1]
	}
	out.WriteString(s[at:])
	return out.String()
}

// Redactor removes secrets from text, bodies and headers. It is safe for
// concurrent use.
type Redactor struct {
	// parent is the Redactor a Scope adds to; nil for a root.
	parent *Redactor
	mu     sync.RWMutex
	// literals are the secrets told about, with how many holders keep each.
	literals map[string]int
	// order is the literals in the order they came, for eviction.
	order []string
	// writeOnly numbers the values sent in write-only fields.
	writeOnly map[string]int
	nextWO    int
	// replacer replaces every known secret in one pass; nil after a change.
	replacer *strings.Replacer
}

// New returns a Redactor that knows no secret values yet.
func New() *Redactor {
	return &Redactor{literals: map[string]int{}, writeOnly: map[string]int{}}
}

// Scope returns a Redactor for one exchange: it redacts what r redacts and
// the secrets added to it, which r does not learn. A proxy records each
// exchange with a Scope that knows the exchange's token and password, and
// teaches r only those the server accepted, so a flood of made-up tokens
// costs nothing later. Markers of write-only values are numbered as r
// numbers them.
func (r *Redactor) Scope() *Redactor {
	s := New()
	s.parent = r
	return s
}

// root is the Redactor that numbers write-only values for r and its scopes.
func (r *Redactor) root() *Redactor {
	for r.parent != nil {
		r = r.parent
	}
	return r
}

// Add makes r redact secret until the returned function is called. Adding
// the same secret twice needs both functions called to forget it. Secrets
// shorter than four characters are ignored, and so are Qumulo tokens, which
// the token pattern replaces anyway: a client that logs in for every call
// must not grow the set of literals, whose replacer is rebuilt after each
// new one. Each line of key material of a PEM block is also redacted on its
// own, so a key echoed in pieces or escaped as a whole does not leak either.
func (r *Redactor) Add(secret string) (forget func()) {
	if !strings.Contains(secret, "-----BEGIN ") {
		return r.add(secret)
	}
	forgets := []func(){r.add(secret)}
	for _, line := range strings.Split(secret, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			forgets = append(forgets, r.add(line))
		}
	}
	return func() {
		for _, f := range forgets {
			f()
		}
	}
}

func (r *Redactor) add(secret string) (forget func()) {
	if len(secret) < minLiteral || wholeMatch(tokenRe, secret) {
		return func() {}
	}
	r.mu.Lock()
	if r.literals[secret] == 0 {
		r.order = append(r.order, secret)
		r.evict()
		r.replacer = nil
	}
	r.literals[secret]++
	r.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			n, ok := r.literals[secret]
			if !ok {
				return // evicted already
			}
			if n > 1 {
				r.literals[secret] = n - 1
				return
			}
			delete(r.literals, secret)
			delete(r.writeOnly, secret)
			r.order = slices.DeleteFunc(r.order, func(s string) bool { return s == secret })
			r.replacer = nil
		})
	}
}

func wholeMatch(re *regexp.Regexp, s string) bool {
	loc := re.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

// evict drops the oldest secrets past the bound. The caller holds the lock.
func (r *Redactor) evict() {
	if len(r.order) <= maxLiterals {
		return
	}
	drop := r.order[:len(r.order)-maxLiterals]
	for _, s := range drop {
		delete(r.literals, s)
		delete(r.writeOnly, s)
	}
	r.order = slices.Clone(r.order[len(drop):])
}

// AddWriteOnly registers a value sent in a write-only field: it is shown as
// a numbered marker ("[REDACTED write-only #1]") so that a report tells where
// the same value came back. Empty values and markers are ignored.
func (r *Redactor) AddWriteOnly(secret string) {
	if secret == "" || isWriteOnlyMarker(secret) || secret == Marker {
		return
	}
	r.Add(secret)
	if _, known := r.wholeWriteOnly(secret); known {
		return
	}
	n := r.root().number()
	r.mu.Lock()
	if _, ok := r.writeOnly[secret]; !ok {
		r.writeOnly[secret] = n
		r.replacer = nil
	}
	r.mu.Unlock()
}

// Keep teaches the Redactor that r scopes secret, so that later exchanges
// redact it too; on a root it is Add.
func (r *Redactor) Keep(secret string) {
	if r.parent == nil {
		r.Add(secret)
		return
	}
	r.parent.Add(secret)
}

// KeepWriteOnly is Keep for a write-only value: the Redactor that r scopes
// shows it with the number r showed it with, so one value has one marker
// across a recording.
func (r *Redactor) KeepWriteOnly(secret string) {
	if r.parent == nil {
		r.AddWriteOnly(secret)
		return
	}
	r.mu.RLock()
	n, ok := r.writeOnly[secret]
	r.mu.RUnlock()
	p := r.parent
	if !ok || secret == "" || isWriteOnlyMarker(secret) || secret == Marker {
		p.AddWriteOnly(secret)
		return
	}
	p.Add(secret)
	p.mu.Lock()
	if _, known := p.writeOnly[secret]; !known {
		p.writeOnly[secret] = n
		p.replacer = nil
	}
	p.mu.Unlock()
}

// number hands out the next write-only marker number.
func (r *Redactor) number() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextWO++
	return r.nextWO
}

// wholeWriteOnly is the marker of s when s is a write-only value r or a
// Redactor it scopes knows.
func (r *Redactor) wholeWriteOnly(s string) (string, bool) {
	for x := r; x != nil; x = x.parent {
		x.mu.RLock()
		n, ok := x.writeOnly[s]
		x.mu.RUnlock()
		if ok {
			return fmt.Sprintf(writeOnlyMarker, n), true
		}
	}
	return "", false
}

func isWriteOnlyMarker(s string) bool {
	var n int
	k, err := fmt.Sscanf(s, writeOnlyMarker, &n)
	return err == nil && k == 1 && fmt.Sprintf(writeOnlyMarker, n) == s
}

// forms are the ways a secret shows up inside other text: JSON-escaped as
// encoders of several languages write it (also twice over, a JSON document
// inside a JSON string), URL-escaped with either case of hex digit, and
// base64 at each of the three alignments it can have inside a longer
// encoded text.
func forms(s string) []string {
	out := []string{s}
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, j := range jsonEscapes(s) {
		add(j)
		for _, jj := range jsonEscapes(j) {
			add(jj)
		}
	}
	for _, u := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		add(u)
		add(pctHexRe.ReplaceAllStringFunc(u, strings.ToLower))
	}
	if len(s) >= minBase64 {
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			for shift := range 3 {
				add(base64Core(enc, s, shift))
			}
		}
	}
	return out
}

var pctHexRe = regexp.MustCompile(`%[0-9A-F]{2}`)

// minBase64 is the shortest secret looked for in base64: the stable part of
// a shorter one's encoding is too short not to occur by chance.
const minBase64 = 6

// jsonEscapes are s inside a JSON string the ways encoders write it: Go's
// (<, > and & as \u003c…), plain, with / as \/, and ASCII-only (\u00e9).
func jsonEscapes(s string) []string {
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	p := strings.TrimSuffix(plain.String(), "\n")
	p = p[1 : len(p)-1]
	q, _ := json.Marshal(s)
	out := []string{string(q[1 : len(q)-1]), p, strings.ReplaceAll(p, "/", `\/`)}
	var ascii strings.Builder
	for _, r := range p {
		if r < 0x80 {
			ascii.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&ascii, `\u%04x`, u)
		}
	}
	return append(out, ascii.String())
}

// base64Core is the part of s's encoding that does not depend on the bytes
// around it when s starts shift bytes into the encoded text.
func base64Core(enc *base64.Encoding, s string, shift int) string {
	e := enc.EncodeToString(append(make([]byte, shift), s...))
	from := (8*shift + 5) / 6
	to := 8 * (shift + len(s)) / 6
	return e[from:to]
}

// current returns the one-pass replacer of every known secret, building it
// after a change. Longer secrets come first, so one that contains another
// is replaced whole.
func (r *Redactor) current() *strings.Replacer {
	r.mu.RLock()
	rep := r.replacer
	r.mu.RUnlock()
	if rep != nil {
		return rep
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.replacer != nil {
		return r.replacer
	}
	type pair struct{ old, new string }
	var pairs []pair
	for s := range r.literals {
		marker := Marker
		if n, ok := r.writeOnly[s]; ok && len(s) >= MinEmbedded {
			marker = fmt.Sprintf(writeOnlyMarker, n)
		}
		for _, f := range forms(s) {
			pairs = append(pairs, pair{f, marker})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if d := len(b.old) - len(a.old); d != 0 {
			return d
		}
		return strings.Compare(a.old, b.old)
	})
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.old, p.new)
	}
	r.replacer = strings.NewReplacer(args...)
	return r.replacer
}

// Text returns s with every secret replaced.
func (r *Redactor) Text(s string) string {
	if s == "" {
		return s
	}
	if m, whole := r.wholeWriteOnly(s); whole {
		return m
	}
	for x := r; x != nil; x = x.parent {
		s = x.current().Replace(s)
	}
	s = pemKeyRe.ReplaceAllString(s, Marker)
	s = redactNamed(s)
	if mayName(s) {
		s = formSecretRe.ReplaceAllString(s, `$1=`+Marker)
		s = lineSecretRe.ReplaceAllString(s, `${1}`+Marker)
	}
	s = tokenRe.ReplaceAllString(s, `$1-v$2:`+Marker)
	s = bearerRe.ReplaceAllString(s, `$1 `+Marker)
	return s
}

// Body redacts a body: in JSON, every string value, fields named like
// secrets entirely, and key material (a list, object or number under "key"
// and the like) whole; any other body as text, where what is named like a
// secret is redacted in any quoting, escaping or multipart part, to the end
// of the text when its end cannot be told.
func (r *Redactor) Body(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) == nil {
		if out, err := json.Marshal(r.value(v)); err == nil {
			return string(out)
		}
	}
	return r.Text(string(b))
}

func (r *Redactor) value(v any) any {
	switch t := v.(type) {
	case string:
		return r.Text(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if !SecretField(k) {
				switch e.(type) {
				case string, nil, bool:
					out[k] = r.value(e)
				default:
					if keyField(k) { // key bytes, or a key spread over an object
						out[k] = Marker
					} else {
						out[k] = r.value(e)
					}
				}
				continue
			}
			switch v := e.(type) {
			case string:
				if m := r.Text(v); isWriteOnlyMarker(m) {
					out[k] = m
				} else {
					out[k] = Marker
				}
			case nil, bool:
				out[k] = v
			default: // a number, or a secret spread over an object
				out[k] = Marker
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = r.value(e)
		}
		return out
	}
	return v
}

// Header redacts header values: Authorization keeps its scheme only,
// cookies and headers named like secrets (X-Api-Key, X-Auth-Token) go
// whole, the rest is redacted as text.
func (r *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			switch {
			case strings.EqualFold(k, "Authorization"), strings.EqualFold(k, "Proxy-Authorization"):
				v = Authorization(v)
			case strings.EqualFold(k, "Cookie"), strings.EqualFold(k, "Set-Cookie"), SecretField(k):
				v = Marker
			default:
				v = r.Text(v)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

// Authorization redacts an Authorization value: the scheme stays when there
// is one ("Bearer [REDACTED]"); a bare credential goes whole.
func Authorization(v string) string {
	v = strings.TrimSpace(v)
	i := strings.IndexAny(v, " \t")
	if i <= 0 {
		return Marker
	}
	return v[:i] + " " + Marker
}

// Handler wraps h so that every record passes through r before h sees it:
// no log line can carry a secret, at any level, whatever attributes a
// future change adds.
func (r *Redactor) Handler(h slog.Handler) slog.Handler { return &handler{h: h, r: r} }

type handler struct {
	h slog.Handler
	r *Redactor
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Text(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = h.r.attr(a)
	}
	return &handler{h: h.h.WithAttrs(out), r: h.r}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{h: h.h.WithGroup(name), r: h.r}
}

func (r *Redactor) attr(a slog.Attr) slog.Attr {
	return slog.Attr{Key: a.Key, Value: r.logValue(a.Value)}
}

// logValue formats v for a log line: strings, errors and anything printed
// with fmt are redacted; numbers, durations, times and booleans are kept.
func (r *Redactor) logValue(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(r.Text(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]slog.Attr, len(attrs))
		for i, a := range attrs {
			out[i] = r.attr(a)
		}
		return slog.GroupValue(out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.StringValue(r.Text(err.Error()))
		}
		return slog.StringValue(r.Text(fmt.Sprintf("%+v", v.Any())))
	default:
		return v
	}
}
