package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/report"
)

// journalBefore records how to undo rq before it is sent: a create is
// pending until its answer names the item; a write to a resource the run
// can read is undone by writing back what the read answered (or by
// deleting what did not exist). A reversible write whose state could not
// be saved is refused.
//
// It answers the entry that the answer settles: a pending create, or the
// undo of a write that, refused, changed nothing.
func (r *runner) journalBefore(ctx context.Context, rq request) (seq int, err error) {
	c := r.classes[rq.method+" "+rq.path]
	switch {
	case rq.method == http.MethodPost && c.creates:
		return r.journal.add(journalEntry{Kind: kindPending, Method: rq.method, Path: rq.path, Params: rq.pathParams, Match: r.matchOf(rq)})
	case c.saveable && len(c.items) == 0:
		seq, err := r.saveState(ctx, rq)
		if err != nil {
			if c.Safety == Reversible {
				return 0, &refusal{"not sent: " + err.Error()}
			}
			r.unrestorable(rq, err.Error())
		}
		return seq, nil
	case c.Safety != Reversible && c.Safety != Read:
		r.unrestorable(rq, c.Reason)
	}
	return 0, nil
}

// unrestorable notes a change the run could not journal; it is listed as
// not restored if the server accepted it (see journalAfter).
func (r *runner) unrestorable(rq request, why string) {
	if r.notSaved == nil {
		r.notSaved = map[string]string{}
	}
	r.notSaved[rq.method+" "+oas.FillPath(rq.path, rq.pathParams)] = why
}

// journalAfter records what the answer to rq tells: the id of a created
// item (to delete at the end), that a create made nothing, or that a
// change the run could not journal was made.
func (r *runner) journalAfter(rq request, s *sent, err error, seq int) {
	where := rq.method + " " + oas.FillPath(rq.path, rq.pathParams)
	if why, ok := r.notSaved[where]; ok {
		delete(r.notSaved, where)
		if err != nil || s.status() < 300 {
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("%s changed the cluster and cannot be put back: %s", r.red.Text(where), why))
		}
	}
	var noAnswer *transportError
	refused := err == nil && s.status() >= 300 || errors.As(err, &noAnswer) && noAnswer.unsent
	switch {
	case seq == 0:
		return
	case refused:
		// Nothing changed: nothing to undo.
		r.settle(seq)
		if r.journal.entries[seq-1].Kind == kindUndo {
			delete(r.saved, oas.FillPath(rq.path, rq.pathParams))
		}
		return
	case err != nil || rq.method != http.MethodPost:
		// With no answer, a create stays pending: undoing lists it.
		return
	}
	pending := seq
	itemPath, param, _ := oas.ItemOf(r.cfg.Spec, rq.path)
	id := createdID(s, param)
	if id == "" {
		return
	}
	params := maps.Clone(rq.pathParams)
	if params == nil {
		params = map[string]string{}
	}
	params[param] = id
	del := r.cfg.Spec.Paths.Value(itemPath).Delete
	if _, err := r.journal.add(journalEntry{Kind: kindUndo, Method: http.MethodDelete, Path: itemPath, Params: params, Query: r.undoQuery(itemPath, del), Of: pending}); err != nil {
		r.report.RestoreErrors = append(r.report.RestoreErrors, err.Error())
	}
	r.ours[oas.FillPath(itemPath, params)] = true
}

func (r *runner) settle(seq int) {
	if err := r.journal.settle(seq); err != nil {
		r.report.RestoreErrors = append(r.report.RestoreErrors, err.Error())
	}
}

// undoQuery is the query a DELETE that undoes a create sends: its required
// parameters, booleans false (a bucket's delete-root-dir would delete a
// directory the run may not have made).
func (r *runner) undoQuery(itemPath string, del *openapi3.Operation) url.Values {
	q := url.Values{}
	for _, p := range oas.Parameters(r.cfg.Spec.Paths.Value(itemPath), del) {
		if p.In != openapi3.ParameterInQuery || !p.Required {
			continue
		}
		if p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is(openapi3.TypeBoolean) {
			q.Set(p.Name, "false")
			continue
		}
		q.Set(p.Name, r.paramValue(p))
	}
	return q
}

// saveState reads the resource rq writes and journals how to put it back,
// answering the journal entry. A PATCH is undone by a PATCH of the fields
// it sets, with the values read just before it; a PUT or DELETE by a PUT
// (or PATCH, where the path has no PUT) of the whole state first read, or
// by a DELETE when that read answered 404. Undone newest first, these put
// back the first state whatever the order of the writes.
func (r *runner) saveState(ctx context.Context, rq request) (int, error) {
	filled := oas.FillPath(rq.path, rq.pathParams)
	patch := rq.method == http.MethodPatch
	if r.saved[filled] && !patch {
		return 0, nil
	}
	item := r.cfg.Spec.Paths.Value(rq.path)
	s, err := r.send(ctx, request{method: http.MethodGet, path: rq.path, pathParams: rq.pathParams, query: r.requiredQuery(item, item.Get), auth: authToken})
	if err != nil {
		return 0, fmt.Errorf("could not read %s first: %w", filled, err)
	}
	undo := journalEntry{Kind: kindUndo, Path: rq.path, Params: rq.pathParams}
	switch {
	case s.status() == http.StatusOK:
		var v any
		if json.Unmarshal(s.traffic.Body, &v) != nil {
			return 0, fmt.Errorf("could not read %s first: the answer is not JSON", filled)
		}
		write := item.Put
		undo.Method = http.MethodPut
		if write == nil || patch {
			write, undo.Method = item.Patch, http.MethodPatch
		}
		old := project(v, oas.RequestSchema(write))
		if patch {
			old = fieldsOf(old, rq.body)
		}
		undo.Body = mustJSON(old)
		undo.Query = r.requiredQuery(item, write)
	case s.status() == http.StatusNotFound && item.Delete != nil && rq.method != http.MethodDelete:
		undo.Method = http.MethodDelete
		undo.Query = r.requiredQuery(item, item.Delete)
	default:
		return 0, fmt.Errorf("could not read %s first: status %d", filled, s.status())
	}
	seq, err := r.journal.add(undo)
	if err != nil {
		return 0, err
	}
	if !patch {
		r.saved[filled] = true
	}
	return seq, nil
}

// fieldsOf keeps the top-level fields of the object state that the JSON
// object body sets.
func fieldsOf(state any, body []byte) any {
	obj, _ := state.(map[string]any)
	var sets map[string]any
	_ = json.Unmarshal(body, &sets)
	out := map[string]any{}
	for k := range sets {
		if v, ok := obj[k]; ok {
			out[k] = v
		}
	}
	return out
}

// requiredQuery is the required query parameters of an operation, with
// generated values.
func (r *runner) requiredQuery(item *openapi3.PathItem, op *openapi3.Operation) url.Values {
	q := url.Values{}
	if op == nil {
		return q
	}
	for _, p := range oas.Parameters(item, op) {
		if p.In == openapi3.ParameterInQuery && p.Required {
			q.Set(p.Name, r.paramValue(p))
		}
	}
	return q
}

// undoAll undoes what the journal holds, newest first, within
// RestoreTimeout of its own (an interrupt or the run's timeout does not
// cut it short), and stops at MaxTransportFailures requests in a row
// without an answer. What is not undone is listed in the report, and the
// journal file is kept for `qapi contract --restore`.
func (r *runner) undoAll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.RestoreTimeout)
	defer cancel()
	r.failures = 0
	for _, e := range r.journal.open() {
		where := r.red.Text(e.where())
		if r.failures >= r.cfg.MaxTransportFailures || ctx.Err() != nil {
			r.report.RestoreErrors = append(r.report.RestoreErrors, where+": not tried, the cluster stopped answering")
			continue
		}
		if e.Kind == kindPending {
			if e = r.findCreated(ctx, e); e.Kind == kindPending {
				continue
			}
			where = r.red.Text(e.where())
		}
		rq := request{method: e.Method, path: e.Path, pathParams: e.Params, query: e.Query, body: e.Body, auth: authToken, undo: true}
		if e.Body == nil {
			rq.body = nil
		}
		s, err := r.send(ctx, rq)
		switch {
		case err != nil:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("%s: %v", where, err))
		case s.status() < 300 || (e.Method == http.MethodDelete && s.status() == http.StatusNotFound):
			r.settle(e.Seq)
			r.report.Restored = append(r.report.Restored, where)
		default:
			r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("%s: status %d: %s", where, s.status(), s.ex.ResponseBody))
		}
	}
	if r.journal.finish() {
		r.report.Journal = r.journal.path
	}
}

// matchOf is what identifies the item a create makes: the top-level
// string fields of its body, except write-only ones.
func (r *runner) matchOf(rq request) map[string]string {
	var body map[string]any
	schema := oas.RequestSchema(r.cfg.Spec.Paths.Value(rq.path).Post)
	if json.Unmarshal(rq.body, &body) != nil || schema == nil || schema.Value == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range body {
		str, ok := v.(string)
		p := schema.Value.Properties[k]
		if ok && str != "" && p != nil && p.Value != nil && !oas.WriteOnly(p.Value) && r.red.Text(str) == str {
			out[k] = str
		}
	}
	return out
}

// findCreated looks for the item a pending create made, which no answer
// named (the run was killed while it waited), in the first page of the
// collection's listing: one item that reads as the create set it is
// deleted as any created item; none, on a listing that shows those fields
// and says no page follows, means the create made nothing. Otherwise the entry stays
// pending, and is listed as not restored.
func (r *runner) findCreated(ctx context.Context, e journalEntry) journalEntry {
	itemPath, param, _ := oas.ItemOf(r.cfg.Spec, e.Path)
	list, listed := r.listingOf(itemPath)
	unknown := func(why string) journalEntry {
		r.report.RestoreErrors = append(r.report.RestoreErrors, fmt.Sprintf("POST %s was sent and no answer said what it created (%s): look for an item of the run's there and delete it",
			r.red.Text(oas.FillPath(e.Path, e.Params)), why))
		return e
	}
	if !listed || len(e.Match) == 0 {
		return unknown("nothing to find it by")
	}
	s, err := r.send(ctx, request{method: http.MethodGet, path: list.Path, pathParams: e.Params, query: r.requiredQuery(list.Item, list.Op), auth: authToken, undo: true})
	if err != nil || s.status() != http.StatusOK {
		return unknown("its collection could not be listed")
	}
	var v any
	_ = json.Unmarshal(s.traffic.Body, &v)
	entries, more := entriesOf(v, list.Op)
	var found []string
	comparable := false
	for _, entry := range entries {
		obj, _ := entry.(map[string]any)
		same, shows := obj != nil, obj != nil
		for k, want := range e.Match {
			_, has := obj[k]
			same, shows = same && scalar(obj[k]) == want, shows && has
		}
		comparable = comparable || shows
		if id := usableID(itemKey(obj, param)); same && id != "" {
			found = append(found, id)
		}
	}
	switch {
	case len(found) == 1:
		params := maps.Clone(e.Params)
		if params == nil {
			params = map[string]string{}
		}
		params[param] = found[0]
		del := r.cfg.Spec.Paths.Value(itemPath).Delete
		undo := journalEntry{Kind: kindUndo, Method: http.MethodDelete, Path: itemPath, Params: params, Query: r.undoQuery(itemPath, del), Of: e.Seq}
		seq, err := r.journal.add(undo)
		if err != nil {
			return unknown(err.Error())
		}
		undo.Seq = seq
		return undo
	case len(found) == 0 && !more && comparable:
		r.settle(e.Seq)
		return e
	}
	return unknown(fmt.Sprintf("%d items read as it set them", len(found)))
}

// Restore undoes what a run that did not finish left in its journal file
// (Config.Journal of that run): the target must be the journal's, and cfg
// says how to reach and log in to it. What was put back and what was not
// are in the report's Restored and RestoreErrors; the file is removed once
// nothing is left to undo.
func Restore(ctx context.Context, cfg Config, journalPath string) (*report.Report, error) {
	if cfg.Spec == nil {
		return nil, errors.New("contract: no spec")
	}
	cfg = withDefaults(cfg)
	r, err := newRunner(cfg)
	if err != nil {
		return nil, err
	}
	r.report.Title = "qapi contract --restore"
	if r.journal, err = readJournal(journalPath); err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	if want, got := strings.TrimRight(r.journal.target(), "/"), strings.TrimRight(r.red.Text(cfg.BaseURL), "/"); want != got {
		r.journal.close()
		return nil, fmt.Errorf("contract: journal %s records changes to %s, not to %s", journalPath, want, got)
	}
	if r.token == "" && cfg.Username != "" {
		if err := r.login(ctx); err != nil {
			r.journal.close()
			return nil, err
		}
	}
	r.undoAll(ctx)
	r.finish()
	return r.report, nil
}

// project keeps the parts of a read value that the write schema accepts:
// no read-only and no write-only field.
func project(v any, ref *openapi3.SchemaRef) any {
	if ref == nil || ref.Value == nil {
		return v
	}
	s := oas.ResolveArm(ref.Value, v)
	if len(ref.Value.OneOf) > 0 && s == ref.Value {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		if len(s.Properties) == 0 {
			return t
		}
		out := map[string]any{}
		for k, e := range t {
			if p, ok := s.Properties[k]; ok && (p.Value == nil || !p.Value.ReadOnly && !oas.WriteOnly(p.Value)) {
				out[k] = project(e, p)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = project(e, s.Items)
		}
		return out
	}
	return v
}
