package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// emitYAML writes a decoded JSON document as block YAML with two-space
// indentation, map keys sorted and the top-level keys in reading order. It
// stands in for a general YAML encoder because the converter only ever
// writes JSON-shaped values, and doing that directly is several times
// faster on a whole corpus.
func emitYAML(doc map[string]any) []byte {
	var b bytes.Buffer
	b.Grow(1 << 20)
	seen := map[string]bool{}
	for _, k := range append(append([]string(nil), topLevelOrder...), sortedKeys(doc)...) {
		if v, ok := doc[k]; ok && !seen[k] {
			seen[k] = true
			emitPair(&b, k, v, 0)
		}
	}
	return b.Bytes()
}

func emitPair(b *bytes.Buffer, key string, v any, indent int) {
	writeIndent(b, indent)
	b.WriteString(quoteIfNeeded(key))
	b.WriteByte(':')
	emitValue(b, v, indent)
}

// emitValue writes v after a "key:" or "-" that is already on the line.
func emitValue(b *bytes.Buffer, v any, indent int) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteByte('\n')
		for _, k := range sortedKeys(t) {
			emitPair(b, k, t[k], indent+2)
		}
	case []any:
		if len(t) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteByte('\n')
		for _, e := range t {
			emitItem(b, e, indent+2)
		}
	default:
		b.WriteByte(' ')
		emitScalar(b, v, indent+2)
	}
}

// emitItem writes one sequence entry; a map entry starts on the dash line.
func emitItem(b *bytes.Buffer, v any, indent int) {
	writeIndent(b, indent)
	b.WriteByte('-')
	if m, ok := v.(map[string]any); ok && len(m) > 0 {
		for i, k := range sortedKeys(m) {
			if i == 0 {
				b.WriteByte(' ')
				b.WriteString(quoteIfNeeded(k))
				b.WriteByte(':')
				emitValue(b, m[k], indent+2)
				continue
			}
			emitPair(b, k, m[k], indent+2)
		}
		return
	}
	emitValue(b, v, indent)
}

func emitScalar(b *bytes.Buffer, v any, indent int) {
	switch t := v.(type) {
	case string:
		if block, ok := literalBlock(t, indent); ok {
			b.WriteString(block)
		} else {
			b.WriteString(quoteIfNeeded(t))
		}
	case json.Number:
		b.WriteString(t.String())
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case nil:
		b.WriteString("null")
	default:
		data, _ := json.Marshal(t)
		b.Write(data)
	}
	b.WriteByte('\n')
}

func writeIndent(b *bytes.Buffer, n int) {
	for range n {
		b.WriteByte(' ')
	}
}

// literalBlock renders a multi-line string as a |- or | block when that
// reads back exactly; otherwise the caller quotes it.
func literalBlock(s string, indent int) (string, bool) {
	if !strings.Contains(s, "\n") || strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		return "", false
	}
	body := strings.TrimSuffix(s, "\n")
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") || strings.HasPrefix(line, "\t") || !printable(line) {
			return "", false
		}
	}
	var out strings.Builder
	out.WriteString("|")
	if !strings.HasSuffix(s, "\n") {
		out.WriteString("-")
	}
	pad := strings.Repeat(" ", indent)
	for _, line := range strings.Split(body, "\n") {
		out.WriteString("\n")
		out.WriteString(pad)
		out.WriteString(line)
	}
	return out.String(), true
}

func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || (!unicode.IsPrint(r) && r != '\t') || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return false
		}
	}
	return true
}

// reserved are words a YAML reader takes for booleans or null.
var reserved = map[string]bool{
	"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true,
	"y": true, "n": true, "null": true, "~": true,
}

// plainStart tells whether a string may go unquoted as far as its first
// byte goes: a letter, _, /, $ or (; anything else could read as a number,
// an indicator or a special value.
func plainStart(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '/' || c == '$' || c == '('
}

func quoteIfNeeded(s string) string {
	if plainStart(s) && !reserved[strings.ToLower(s)] && printable(s) &&
		!strings.Contains(s, ": ") && !strings.Contains(s, " #") && !strings.HasSuffix(s, ":") &&
		!strings.HasSuffix(s, " ") && !strings.HasSuffix(s, "\t") {
		return s
	}
	return doubleQuote(s)
}

// doubleQuote writes a YAML double-quoted scalar, escaping everything YAML
// does not take literally: controls, DEL, C1 controls, line and paragraph
// separators, the byte-order mark and non-characters.
func doubleQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
