package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// maxViolations bounds the violations reported per check and exchange: a
// list of 20,000 items each missing a field is one finding, not 20,000 log
// lines.
const maxViolations = 20

// fieldErrors is leafErrors bounded to maxViolations, with how many more
// there were.
func fieldErrors(err error) (leaves []error, more int) {
	leaves = leafErrors(err)
	if len(leaves) > maxViolations {
		return leaves[:maxViolations], len(leaves) - maxViolations
	}
	return leaves, 0
}

// andMore notes the violations left out of a reason.
func andMore(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; and %d more", n)
}

// leafErrors flattens kin-openapi's multi-errors.
func leafErrors(err error) []error {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []error
		for _, e := range me {
			out = append(out, leafErrors(e)...)
		}
		return out
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Err != nil {
		var inner openapi3.MultiError
		if errors.As(re.Err, &inner) {
			var out []error
			for _, e := range inner {
				out = append(out, &openapi3filter.RequestError{Input: re.Input, Parameter: re.Parameter, RequestBody: re.RequestBody, Reason: re.Reason, Err: e})
			}
			return out
		}
	}
	var rs *openapi3filter.ResponseError
	if errors.As(err, &rs) && rs.Err != nil {
		var inner openapi3.MultiError
		if errors.As(rs.Err, &inner) {
			var out []error
			for _, e := range inner {
				out = append(out, &openapi3filter.ResponseError{Input: rs.Input, Reason: rs.Reason, Err: e})
			}
			return out
		}
	}
	return []error{err}
}

// describeError names the field an error is about and says what is wrong
// with it without quoting the value, which may be a secret.
func describeError(err error) (field, reason string) {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		field = re.Parameter.In + ":" + re.Parameter.Name
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		ptr := se.JSONPointer()
		if len(ptr) > 0 || field == "" {
			p := "/" + strings.Join(ptr, "/")
			if field != "" {
				field += p
			} else {
				field = p
			}
		}
		reason = se.Reason
		if reason == "" {
			reason = "does not match the schema"
		}
		return field, reason
	}
	var ve *openapi3filter.ValidationError
	if errors.As(err, &ve) {
		return field, ve.Title
	}
	if errors.As(err, &re) {
		if re.Reason != "" {
			reason = re.Reason
		} else if re.Err != nil {
			reason = re.Err.Error()
		}
		if re.RequestBody != nil && field == "" {
			field = "body"
		}
		return field, reason
	}
	var rs *openapi3filter.ResponseError
	if errors.As(err, &rs) {
		reason = rs.Reason
		if rs.Err != nil {
			if reason != "" {
				reason += ": "
			}
			reason += rs.Err.Error()
		}
		if h := headerOf(reason); h != "" {
			field = "header:" + h
		}
		return field, reason
	}
	return "", err.Error()
}

// headerOf finds the header a kin-openapi response error names.
func headerOf(msg string) string {
	for _, marker := range []string{`response header "`, `header "`} {
		if i := strings.Index(msg, marker); i >= 0 {
			rest := msg[i+len(marker):]
			if j := strings.IndexByte(rest, '"'); j > 0 {
				return rest[:j]
			}
		}
	}
	return ""
}
