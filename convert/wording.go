package convert

import (
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The pages give a query parameter no type and a time no format, but their
// wording does. These are the phrases that say a value is a flag, a count
// or a time; see the package documentation.
var (
	rfc3339Re   = regexp.MustCompile(`(?i)\brfc ?3339\b`)
	notTimeRe   = regexp.MustCompile(`(?i)\b(empty string|epoch)\b`)
	flagWordsRe = regexp.MustCompile(`\b(specifies whether|if set to true|whether or not|defaults to (true|false))\b`)
	flagNameRe  = regexp.MustCompile(`^(allow|include|populate|resolve|retrieve|skip)[-_]`)
	bytesRe     = regexp.MustCompile(`\b(64-bit|u?int64)\b|^(offset|size) of\b`)
	countRe     = regexp.MustCompile(`\b(this many|maximum number of|snapshot id)\b|^maximum .*\b(depth|entries)\b`)
)

// queryParamSchema types a query parameter from its name and description:
// an enum when the description lists its values, a boolean when it is a
// flag, a 64-bit integer when it is a file offset or size, an integer when
// it is a count or a snapshot ID, and a string otherwise.
func queryParamSchema(name, description string) *openapi3.Schema {
	d := strings.ToLower(description)
	if values := paramEnum(description); values != nil {
		s := &openapi3.Schema{Type: &openapi3.Types{"string"}, Enum: values}
		constants := make([]string, len(values))
		for i, v := range values {
			constants[i] = v.(string)
		}
		if names := nameEnum(constants, name).inPlace; names != nil {
			s.Extensions = map[string]any{"x-enum-varnames": names}
		}
		return s
	}
	switch {
	case flagWordsRe.MatchString(d) || flagNameRe.MatchString(strings.ToLower(name)):
		return &openapi3.Schema{Type: &openapi3.Types{"boolean"}}
	case bytesRe.MatchString(d) || strings.Contains(d, "up to "+strings.ToLower(name)+" bytes"):
		return &openapi3.Schema{Type: &openapi3.Types{"integer"}, Format: "int64"}
	case countRe.MatchString(d):
		return &openapi3.Schema{Type: &openapi3.Types{"integer"}}
	}
	return &openapi3.Schema{Type: &openapi3.Types{"string"}}
}

// paramEnum returns the values a description lists as "`value` - …" lines,
// in their order, or nil.
func paramEnum(description string) []any {
	var values []any
	for _, line := range strings.Split(description, "\n") {
		rest := strings.TrimLeft(line, " *")
		end := strings.IndexByte(strings.TrimPrefix(rest, "`"), '`')
		if !strings.HasPrefix(rest, "`") || end < 0 || !strings.HasPrefix(rest[end+2:], " - ") {
			continue
		}
		values = append(values, rest[1:1+end])
	}
	return values
}

// isDateTime tells whether a string the description describes is an RFC 3339
// time that Go can decode as time.Time: not when it may also be empty or
// epoch seconds. The digits are looked for first: every string property's
// description is asked, and few hold them.
func isDateTime(description string) bool {
	return strings.Contains(description, "3339") && rfc3339Re.MatchString(description) && !notTimeRe.MatchString(description)
}
