package check

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
)

// The judges of the probes: the active checks whose requests the contract
// runner sends itself. Each decides one answer; what to send, and when, is
// the runner's.

// Rejected judges negative_data_rejection on t, the answer to a request for
// o made invalid on purpose (how names the mutation): a 4xx passes.
func Rejected(o Operation, how string, t Traffic) Outcome {
	if t.Status >= 400 && t.Status < 500 {
		return Outcome{Check: NegativeDataRejection, Status: Pass}
	}
	return failed(NegativeDataRejection, o, "", fmt.Sprintf("%s %s with %s answered %d, want 4xx", o.Method, o.Path, how, t.Status))
}

// RefusedAuth judges ignored_auth on t, the answer to a request for o sent
// without a token or with a wrong one (how says which): 401 or 403 passes.
func RefusedAuth(o Operation, how string, t Traffic) Outcome {
	if t.Status == http.StatusUnauthorized || t.Status == http.StatusForbidden {
		return Outcome{Check: IgnoredAuth, Status: Pass}
	}
	return failed(IgnoredAuth, o, "header:Authorization", fmt.Sprintf("%s %s %s answered %d, want 401", o.Method, o.Path, how, t.Status))
}

// RefusedStale judges etag_respected on t, the answer to a write to o with
// an If-Match that is not current, the resource's ETag: 412 passes.
func RefusedStale(o Operation, current string, t Traffic) Outcome {
	if t.Status == http.StatusPreconditionFailed {
		return Outcome{Check: EtagRespected, Status: Pass}
	}
	return failed(EtagRespected, o, "header:If-Match", fmt.Sprintf("%s %s with a stale If-Match (current ETag %s) answered %d, want 412", o.Method, o.Path, current, t.Status))
}

// ShowsWrite judges stateful_round_trip on t, the answer to a GET of read
// right after a successful write to o of the JSON body sent: the read
// succeeds and shows every field sent that its schema carries and that is
// not write-only.
func ShowsWrite(o Operation, sent []byte, read Operation, t Traffic) Outcome {
	what := fmt.Sprintf("%s %s", read.Method, read.Path)
	_, _, schema := oas.Success(read.Op)
	if schema == nil {
		return Outcome{Check: StatefulRoundTrip, Status: Skip, Reason: "the GET on the same path documents no JSON body"}
	}
	if t.Status >= 300 {
		return failed(StatefulRoundTrip, read, "", fmt.Sprintf("%s answered %d after a successful %s %s", what, t.Status, o.Method, o.Path))
	}
	var sentV, got any
	_ = json.Unmarshal(sent, &sentV)
	if err := json.Unmarshal(t.Body, &got); err != nil {
		return failed(StatefulRoundTrip, read, "", "the read after the write is not JSON")
	}
	if diff, at := visible(sentV, got, schema, ""); diff != "" {
		return failed(StatefulRoundTrip, read, at, fmt.Sprintf("%s does not show the %s %s: %s", what, o.Method, o.Path, diff))
	}
	return Outcome{Check: StatefulRoundTrip, Status: Pass}
}

// Gone judges stateful_round_trip's use after free on t, the answer to a
// GET of read after a successful delete (what names it): 404 passes.
func Gone(read Operation, what string, t Traffic) Outcome {
	if t.Status == http.StatusNotFound {
		return Outcome{Check: StatefulRoundTrip, Status: Pass}
	}
	return failed(StatefulRoundTrip, read, "", fmt.Sprintf("use_after_free: %s %s answered %d after a successful %s, want 404", read.Method, read.Path, t.Status, what))
}

// failed is a failure of check on an answer for o, at field where known.
func failed(check string, o Operation, field, reason string) Outcome {
	return Outcome{Check: check, Status: Fail, Reason: reason,
		Violations: []Violation{{Check: check, Operation: o.ID, Direction: DirectionResponse, Field: field, Reason: reason}}}
}

// visible reports the first field of the sent value that the read does not
// show, and where it is; fields the read's schema does not carry, or that
// are write-only, are not compared.
func visible(sentV, got any, ref *openapi3.SchemaRef, ptr string) (diff, at string) {
	var s *openapi3.Schema
	if ref != nil && ref.Value != nil {
		s = oas.ResolveArm(ref.Value, got)
	}
	sm, ok1 := sentV.(map[string]any)
	gm, ok2 := got.(map[string]any)
	if ok1 && ok2 {
		for _, k := range slices.Sorted(maps.Keys(sm)) {
			var p *openapi3.SchemaRef
			if s != nil {
				var declared bool
				p, declared = s.Properties[k]
				if !declared && len(s.Properties) > 0 {
					continue
				}
				if p != nil && p.Value != nil && oas.WriteOnly(p.Value) {
					continue
				}
			}
			gv, present := gm[k]
			if !present {
				return fmt.Sprintf("%s/%s is missing", ptr, k), ptr + "/" + k
			}
			if d, at := visible(sm[k], gv, p, ptr+"/"+k); d != "" {
				return d, at
			}
		}
		return "", ""
	}
	sa, ok1 := sentV.([]any)
	ga, ok2 := got.([]any)
	if ok1 && ok2 {
		if len(sa) != len(ga) {
			return fmt.Sprintf("%s has %d items, not the %d sent", ptr, len(ga), len(sa)), ptr
		}
		var items *openapi3.SchemaRef
		if s != nil {
			items = s.Items
		}
		for i := range sa {
			if d, at := visible(sa[i], ga[i], items, fmt.Sprintf("%s/%d", ptr, i)); d != "" {
				return d, at
			}
		}
		return "", ""
	}
	if sf, ok := sentV.(float64); ok {
		if gf, ok := got.(float64); ok && sf == gf {
			return "", ""
		}
	}
	if !reflect.DeepEqual(sentV, got) {
		return fmt.Sprintf("%s differs", ptr), ptr
	}
	return "", ""
}
