package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/qapitools/qapi/check"
	"github.com/qapitools/qapi/internal/oas"
)

// refusal is a request the gate did not send, with the reason.
type refusal struct{ reason string }

func (e *refusal) Error() string { return e.reason }

// Reasons the gate gives.
const (
	readOnlyReason  = "read-only target: only GET and HEAD are sent (--allow-writes sends reversible writes)"
	notOursReason   = "acts on items of a collection, and the run has none of its own to act on"
	disruptiveHint  = "needs --allow-disruptive"
	interruptReason = "the run was stopped"
)

// permit is the gate every request passes (send calls it): on a cluster,
// a read-only run sends GET and HEAD only, besides its own login; a run
// with writes sends the operations its Access allows, and those that act
// on items only with items it created. What undoes the run's changes
// always passes.
func (r *runner) permit(ctx context.Context, rq request) error {
	if ctx.Err() != nil && !rq.undo {
		return fmt.Errorf("%s: %w", interruptReason, context.Cause(ctx))
	}
	if !isWrite(rq.method) || rq.undo || rq.login || r.cfg.Access == Twin {
		return nil
	}
	if r.cfg.Access == ReadOnly {
		return &refusal{readOnlyReason}
	}
	c, ok := r.classes[rq.method+" "+rq.path]
	if !ok {
		return &refusal{"the operation is not in the spec"}
	}
	if reason := r.notAllowed(c); reason != "" {
		return &refusal{reason}
	}
	if c.basis == onCreatedItems && !r.onOwnItems(rq) {
		return &refusal{notOursReason}
	}
	return nil
}

// notAllowed says why the run's Access does not allow an operation of
// class c, or answers "".
func (r *runner) notAllowed(c classified) string {
	switch {
	case r.cfg.Access == Twin || c.Safety == Read && !isWrite(c.Method):
		return ""
	case r.cfg.Access == ReadOnly:
		return readOnlyReason
	case (c.Safety == Irreversible || c.Safety == Disruptive) && r.cfg.Access < AllowDisruptive:
		return fmt.Sprintf("%s: %s (%s)", c.Safety, c.Reason, disruptiveHint)
	}
	return ""
}

// notRun says why an operation is not run at all, or answers "". The
// login operation runs in every mode: the run logs in anyway.
func (r *runner) notRun(o check.Operation, c classified) string {
	if o.Method == http.MethodPost && o.Path == "/v1/session/login" && r.cfg.Username != "" {
		return ""
	}
	return r.notAllowed(c)
}

// onOwnItems tells whether every item rq's path names, of collections the
// run can create in, is one the run created.
func (r *runner) onOwnItems(rq request) bool {
	for _, it := range pathItems(r.cfg.Spec, rq.path) {
		if it.collPath != "" && !r.ours[oas.FillPath(it.itemPath, rq.pathParams)] {
			return false
		}
	}
	return true
}

// existingItems sets the path parameters of a read that name items of a
// collection to an item the collection lists, where the run created none
// (a read-only run creates nothing): reading a made-up id only reads a
// 404.
func (r *runner) existingItems(ctx context.Context, o check.Operation, params map[string]string) {
	for _, it := range pathItems(r.cfg.Spec, o.Path) {
		name := it.param
		list, listed := r.listingOf(it.itemPath)
		if !listed {
			continue
		}
		key := "existing " + oas.FillPath(list.Path, params)
		id, have := r.items[key]
		if !have {
			rq := r.requestFor(list, params)
			s, err := r.send(ctx, rq)
			if err != nil || s.status() != http.StatusOK {
				return
			}
			var v any
			_ = json.Unmarshal(s.traffic.Body, &v)
			entries, _ := entriesOf(v, list.Op)
			if len(entries) > 0 {
				obj, _ := entries[0].(map[string]any)
				id = usableID(itemKey(obj, name))
			}
			r.items[key] = id
		}
		if id == "" {
			return
		}
		params[name] = id
	}
}
