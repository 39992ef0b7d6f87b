package convert

import (
	"regexp"
	"strings"
	"unicode"
)

// typeNameRe matches a server type name such as encryption_api_v2_key_store_response_union:
// the pages put it in the description of a body schema.
var typeNameRe = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// pascal turns snake_case, kebab-case and other separated words into PascalCase.
func pascal(s string) string {
	var b strings.Builder
	for _, w := range words(s) {
		r := []rune(strings.ToLower(w))
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}

func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// operationID derives the operationId of an operation from its method and path
// template alone, so it is the same in every run and every corpus revision:
// the lower-case method, then each path segment in PascalCase, with a path
// parameter {name} written as By<Name>. A trailing slash adds nothing.
//
//	GET  /v2/encryption/key-store        getV2EncryptionKeyStore
//	POST /v1/session/login               postV1SessionLogin
//	GET  /v1/files/{ref}/info/acl        getV1FilesByRefInfoAcl
func operationID(method, tmpl string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(tmpl, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			b.WriteString("By")
			b.WriteString(pascal(seg[1 : len(seg)-1]))
			continue
		}
		b.WriteString(pascal(seg))
	}
	return b.String()
}

// enumLines maps each VALUE to its CONSTANT_NAME from the
// "`VALUE` - CONSTANT_NAME" lines of an enum description.
func enumLines(description string) map[string]string {
	out := map[string]string{}
	rest := description
	for {
		open := strings.IndexByte(rest, '`')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(rest[open+1:], '`')
		if end < 0 {
			return out
		}
		value := rest[open+1 : open+1+end]
		rest = rest[open+end+2:]
		after, ok := strings.CutPrefix(rest, " - ")
		if !ok {
			continue
		}
		n := 0
		for n < len(after) && (after[n] == '_' || after[n] >= 'A' && after[n] <= 'Z' || after[n] >= 'a' && after[n] <= 'z' || after[n] >= '0' && after[n] <= '9') {
			n++
		}
		if n > 0 {
			if _, seen := out[value]; !seen {
				out[value] = after[:n]
			}
		}
		rest = after[n:]
	}
}

// enumVarNames names each enum value from the description lines, in enum order.
// It returns nil unless every value has a line and the names are distinct,
// since a partial list would misname constants.
func enumVarNames(description string, values []any) []string {
	if !strings.Contains(description, "` - ") {
		return nil
	}
	byValue := enumLines(description)
	seen := map[string]bool{}
	names := make([]string, 0, len(values))
	for _, v := range values {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		n := pascal(byValue[s])
		if n == "" || seen[n] {
			return nil
		}
		seen[n] = true
		names = append(names, n)
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
