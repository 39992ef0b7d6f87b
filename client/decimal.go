package client

import (
	"errors"
	"fmt"
	"strconv"
)

// Clusters carry 64-bit integers (sizes, limits, block counts, file numbers)
// as decimal strings, past the 2^53 a JSON number holds exactly: the guide's
// schemas type a quota's limit, "Limit in bytes of the cumulative size of
// this directory", as a string
// (docs/rest-api-guide/directory-quotas/files_quotas_id.md), and a file's
// size and blocks likewise (files/). gen keeps them strings; Decimal and
// ParseDecimal are their int64 view, both ways.

// Decimal returns n as the decimal string the API takes for a 64-bit
// integer, for a request's field:
//
//	gen.FilesQuota{ID: dir.ID, Limit: client.Decimal(1 << 40)}
func Decimal(n int64) *string {
	s := strconv.FormatInt(n, 10)
	return &s
}

// ParseDecimal returns the 64-bit integer an answer carries as a decimal
// string, such as a quota's limit (q.GetLimit()) or a file's size. An
// absent field ("") or anything else that is not a decimal integer in
// int64's range is an error naming it.
func ParseDecimal(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("parse decimal: empty string")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse decimal %q: %w", s, errors.Unwrap(err))
	}
	return n, nil
}
