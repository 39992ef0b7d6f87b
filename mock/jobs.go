package mock

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock/internal/server"
)

// Tree delete: POST /v1/tree-delete/jobs/ queues a job that deletes a
// directory and everything under it. GET on the job reports it while it
// runs and answers 404 once it has finished, when the tree is gone. A job
// runs until a client has seen it running once, or for treeDeleteTime on
// the mock's clock, whichever comes first: a client polling the job sees it
// finish on its next poll, and one polling the directory sees it go. With
// WithHeldJobs a job runs until the test finishes or fails it (FinishJob,
// FailJob); a failed job reports its error and stays until it is restarted
// or cancelled, as an aborted job does on a cluster.
//
// The jobs are typed handlers: they live beside the engine's store, not as
// items in it, and their answers are gen's types; they take the engine's
// lock, since a job's tree is the engine's file system.

var jobsModule = module{
	families: map[string]*family{
		// Not a collection of the engine's: the jobs live beside the
		// store, keyed by the directory's id.
		"/tree-delete/jobs": {action: true},
	},
}

// treeDeleteTime is how long a tree-delete job runs on the mock's clock.
const treeDeleteTime = time.Second

// treeDeleteJob is a running tree delete.
type treeDeleteJob struct {
	dir     *inode
	path    string
	created time.Time
	due     time.Time
	seen    bool
	// held keeps the job running until the test finishes or fails it
	// (WithHeldJobs).
	held bool
	// failed is the error the job stopped with (FailJob); "" while it
	// runs.
	failed string
	// files, dirs and bytes are counted when the job starts.
	files, dirs, bytes int64
}

// CreateTreeDeleteJob queues the deletion of a directory and what is under
// it; the answer is 202, the job runs on.
func (t *typedServer) CreateTreeDeleteJob(_ context.Context, req server.CreateTreeDeleteJobRequestObject) (server.CreateTreeDeleteJobResponseObject, error) {
	var ref string
	if req.Body != nil && req.Body.ID != nil {
		ref = *req.Body.ID
	}
	e := t.m.engine
	defer e.lock()()
	dir, err := e.fs.lookup(ref)
	if err != nil {
		return nil, err
	}
	switch {
	case !dir.isDir():
		return nil, newError(errFsNotDirectory, "not a directory: %s", dir.path())
	case dir == e.fs.root:
		return nil, newError(errInvalidRequest, "cannot tree-delete the root directory")
	}
	id := strconv.FormatUint(dir.id, 10)
	if e.jobs[id] != nil {
		return nil, newError(errInvalidRequest, "a tree delete of %s is already running", dir.path())
	}
	now := e.m.cfg.now()
	j := &treeDeleteJob{dir: dir, path: dir.path(), created: now, due: now.Add(treeDeleteTime), held: e.m.cfg.heldJobs}
	var walk func(d *inode)
	walk = func(d *inode) {
		for _, k := range d.kids {
			if k.isDir() {
				j.dirs++
				walk(k)
			} else {
				j.files++
				j.bytes += k.size
			}
		}
	}
	walk(dir)
	j.dirs++
	e.jobs[id] = j
	e.running.Add(1)
	return server.CreateTreeDeleteJob202Response{}, nil
}

// jobView is a job as a cluster reports it: last_error_message is null
// while the job is healthy, never "" and never absent (oas.SendsNull:
// clients read any value but null as an aborted job), whatever the spec
// served says.
type jobView struct {
	gen.TreeDeleteJobStatus
	LastErrorMessage *string `json:"last_error_message"`
}

// VisitGetTreeDeleteJobResponse writes one job.
func (v jobView) VisitGetTreeDeleteJobResponse(w http.ResponseWriter) error {
	return writeJSON(w, v)
}

// jobsView is the list of jobs.
type jobsView struct {
	Jobs []jobView
}

// VisitListTreeDeleteJobsResponse writes the list of jobs.
func (v jobsView) VisitListTreeDeleteJobsResponse(w http.ResponseWriter) error {
	return writeJSON(w, map[string]any{"jobs": append([]jobView{}, v.Jobs...)})
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	return json.NewEncoder(w).Encode(v)
}

// view renders a job as a cluster reports it.
func (j *treeDeleteJob) view() jobView {
	v := jobView{TreeDeleteJobStatus: j.status()}
	if j.failed != "" {
		v.LastErrorMessage = new(j.failed)
	}
	return v
}

// status renders a job's figures as a cluster reports them, half done.
func (j *treeDeleteJob) status() gen.TreeDeleteJobStatus {
	num := func(v int64) *string { return new(strconv.FormatInt(v, 10)) }
	capacity := j.bytes + 4096*(j.files+j.dirs)
	return gen.TreeDeleteJobStatus{
		ID: new(strconv.FormatUint(j.dir.id, 10)), InitialPath: new(j.path), Mode: new(gen.TreeDeleteInPlace),
		CreateTime:   new(j.created.UTC().Format(time.RFC3339Nano)),
		InitialFiles: num(j.files), InitialDirectories: num(j.dirs), InitialCapacity: num(capacity),
		RemainingFiles: num(j.files / 2), RemainingDirectories: num((j.dirs + 1) / 2), RemainingCapacity: num(capacity / 2),
	}
}

// advanceJobs finishes the jobs that are due. The caller holds the lock.
func (e *engine) advanceJobs() {
	now := e.m.cfg.now()
	for id, j := range e.jobs {
		if j.runsOn() && !now.Before(j.due) {
			e.finishJob(id)
		}
	}
}

// runsOn tells whether a job finishes by itself: it has not failed and the
// test does not hold it.
func (j *treeDeleteJob) runsOn() bool { return j.failed == "" && !j.held }

// finishJob deletes a job's tree and forgets the job.
func (e *engine) finishJob(id string) {
	j := e.jobs[id]
	if e.fs.byID[j.dir.id] == j.dir {
		e.removeTree(j.dir)
	}
	delete(e.jobs, id)
	e.running.Add(-1)
}

// jobID is the id of the job a path parameter names: the directory's file
// id, or its path while it is there.
func (e *engine) jobID(ref string) string {
	if n, err := e.fs.lookup(ref); err == nil && strings.HasPrefix(ref, "/") {
		return strconv.FormatUint(n.id, 10)
	}
	return ref
}

// GetTreeDeleteJob reports a running job; one a client has seen running
// finishes now, and a finished job is 404.
func (t *typedServer) GetTreeDeleteJob(ctx context.Context, req server.GetTreeDeleteJobRequestObject) (server.GetTreeDeleteJobResponseObject, error) {
	e := t.m.engine
	defer e.lock()()
	id := e.jobID(req.ID)
	j := e.jobs[id]
	peek := peeking(ctx)
	if j != nil && j.seen && j.runsOn() && !peek {
		e.finishJob(id)
		j = nil
	}
	if j == nil {
		return nil, newError(errNoSuchEntry, "no tree-delete job for %q: it finished or never started", id)
	}
	j.seen = j.seen || !peek
	return j.view(), nil
}

// ListTreeDeleteJobs reports the running jobs, as GetTreeDeleteJob does
// each.
func (t *typedServer) ListTreeDeleteJobs(ctx context.Context, _ server.ListTreeDeleteJobsRequestObject) (server.ListTreeDeleteJobsResponseObject, error) {
	e := t.m.engine
	defer e.lock()()
	peek := peeking(ctx)
	jobs := []jobView{}
	for _, id := range slices.Sorted(maps.Keys(e.jobs)) {
		j := e.jobs[id]
		if j.seen && j.runsOn() && !peek {
			e.finishJob(id)
			continue
		}
		j.seen = j.seen || !peek
		jobs = append(jobs, j.view())
	}
	return jobsView{Jobs: jobs}, nil
}

// DeleteTreeDeleteJob cancels a running job; what it deleted stays deleted,
// which the twin's jobs never get to before they finish.
func (t *typedServer) DeleteTreeDeleteJob(_ context.Context, req server.DeleteTreeDeleteJobRequestObject) (server.DeleteTreeDeleteJobResponseObject, error) {
	e := t.m.engine
	defer e.lock()()
	id := e.jobID(req.ID)
	if e.jobs[id] == nil {
		return nil, newError(errNoSuchEntry, "no tree-delete job for %q", id)
	}
	delete(e.jobs, id)
	e.running.Add(-1)
	return server.DeleteTreeDeleteJob200Response{}, nil
}

// RestartTreeDeleteJob runs a job again from now.
func (t *typedServer) RestartTreeDeleteJob(_ context.Context, req server.RestartTreeDeleteJobRequestObject) (server.RestartTreeDeleteJobResponseObject, error) {
	e := t.m.engine
	defer e.lock()()
	j := e.jobs[e.jobID(req.ID)]
	if j == nil {
		return nil, newError(errNoSuchEntry, "no tree-delete job for %q", req.ID)
	}
	j.seen, j.failed = false, ""
	j.due = e.m.cfg.now().Add(treeDeleteTime)
	return server.RestartTreeDeleteJob202Response{}, nil
}

// Jobs lists the running tree-delete jobs by id (the directory's file id),
// failed ones included, in order.
func (m *Mock) Jobs() []string {
	e := m.engine
	defer e.lock()()
	return slices.Sorted(maps.Keys(e.jobs))
}

// FinishJob finishes a running tree-delete job now, failed or not: its tree
// is gone and GET on the job answers 404. id is the job's id (the
// directory's file id) or the directory's path.
func (m *Mock) FinishJob(id string) error {
	e := m.engine
	defer e.lock()()
	key := e.jobID(id)
	if e.jobs[key] == nil {
		return fmt.Errorf("finish job %q: %w", id, newError(errNoSuchEntry, "no tree-delete job for %q", id))
	}
	e.finishJob(key)
	return nil
}

// FailJob makes a running tree-delete job stop with an error, as one that
// hit a file lock does: GET and the list report message in
// last_error_message, the tree stays, and the job stays until a client
// restarts it (POST /v1/tree-delete/jobs/restart/{id}) or cancels it.
func (m *Mock) FailJob(id, message string) error {
	if message == "" {
		return fmt.Errorf("fail job %q: empty message", id)
	}
	e := m.engine
	defer e.lock()()
	j := e.jobs[e.jobID(id)]
	if j == nil {
		return fmt.Errorf("fail job %q: %w", id, newError(errNoSuchEntry, "no tree-delete job for %q", id))
	}
	j.failed = message
	return nil
}
