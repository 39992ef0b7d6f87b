package convert

import (
	"regexp"
	"strings"
)

// The pages write every number as type number, but clusters send integers
// for all of them except fractions and measured averages (issue 16, fact
// 2: answers recorded from clusters, and the values Qumulo's guide gives
// in its prose, such as "[0, 23]", "1-4094", "(default: 443)"). These are
// the names and the wording that mark a fraction; see the package
// documentation.
var (
	fractionNameRe  = regexp.MustCompile(`(^|[_-])(percent(age)?|progress|fraction|ratio|average|avg|rate|threshold)([_-]|$)|^values$`)
	fractionWordsRe = regexp.MustCompile(`(?i)\b(percent(age)?|fraction|ratio|average|per second)\b`)
)

// numberType types a value the page types number from the name of its
// property (of the list, for its items) and its description: a fraction
// stays a number (float64 in Go), everything else is a 64-bit integer.
func numberType(name, description string) (typ, format string) {
	if fractionNameRe.MatchString(strings.ToLower(name)) || fractionWordsRe.MatchString(description) {
		return "number", "double"
	}
	return "integer", "int64"
}
