package mock

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tree delete: POST /v1/tree-delete/jobs/ queues a job that deletes a
// directory and everything under it. GET on the job reports it while it
// runs and answers 404 once it has finished, when the tree is gone. A job
// runs until a client has seen it running once, or for treeDeleteTime on
// the mock's clock, whichever comes first: a client polling the job sees it
// finish on its next poll, and one polling the directory sees it go.

// treeDeleteTime is how long a tree-delete job runs on the mock's clock.
const treeDeleteTime = time.Second

var jobsModule = module{
	families: map[string]*family{
		// The jobs live beside the store, keyed by the directory's id.
		"/tree-delete/jobs": {action: true},
	},
	handlers: map[string]handler{
		"POST /tree-delete/jobs":            startTreeDelete,
		"GET /tree-delete/jobs":             listTreeDeletes,
		"GET /tree-delete/jobs/{}":          getTreeDelete,
		"DELETE /tree-delete/jobs/{}":       cancelTreeDelete,
		"POST /tree-delete/jobs/restart/{}": restartTreeDelete,
	},
}

// treeDeleteJob is a running tree delete.
type treeDeleteJob struct {
	dir     *inode
	path    string
	created time.Time
	due     time.Time
	seen    bool
	// files, dirs and bytes are counted when the job starts.
	files, dirs, bytes int64
}

func startTreeDelete(e *engine, c *call) (answer, error) {
	ref, _ := c.object()["id"].(string)
	dir, err := e.fs.lookup(ref)
	if err != nil {
		return answer{}, err
	}
	switch {
	case !dir.isDir():
		return answer{}, newError(errFsNotDirectory, "not a directory: %s", dir.path())
	case dir == e.fs.root:
		return answer{}, newError(errInvalidRequest, "cannot tree-delete the root directory")
	}
	id := strconv.FormatUint(dir.id, 10)
	if e.jobs[id] != nil {
		return answer{}, newError(errInvalidRequest, "a tree delete of %s is already running", dir.path())
	}
	now := e.m.cfg.now()
	j := &treeDeleteJob{dir: dir, path: dir.path(), created: now, due: now.Add(treeDeleteTime)}
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
	return answer{}, nil
}

// status renders a job as a cluster reports it, half done.
func (j *treeDeleteJob) status() map[string]any {
	num := func(v int64) string { return strconv.FormatInt(v, 10) }
	capacity := j.bytes + 4096*(j.files+j.dirs)
	return map[string]any{
		"id": strconv.FormatUint(j.dir.id, 10), "initial_path": j.path, "mode": "IN_PLACE",
		"create_time":   j.created.UTC().Format(time.RFC3339Nano),
		"initial_files": num(j.files), "initial_directories": num(j.dirs), "initial_capacity": num(capacity),
		"remaining_files": num(j.files / 2), "remaining_directories": num((j.dirs + 1) / 2), "remaining_capacity": num(capacity / 2),
		"last_error_message": "",
	}
}

// advanceJobs finishes the jobs that are due. The caller holds the lock.
func (e *engine) advanceJobs() {
	now := e.m.cfg.now()
	for id, j := range e.jobs {
		if !now.Before(j.due) {
			e.finishJob(id)
		}
	}
}

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
func (e *engine) jobID(c *call) string {
	id := c.params["id"]
	if n, err := e.fs.lookup(id); err == nil && strings.HasPrefix(id, "/") {
		return strconv.FormatUint(n.id, 10)
	}
	return id
}

func getTreeDelete(e *engine, c *call) (answer, error) {
	id := e.jobID(c)
	j := e.jobs[id]
	if j != nil && j.seen {
		e.finishJob(id)
		j = nil
	}
	if j == nil {
		return answer{}, newError(errNoSuchEntry, "no tree-delete job for %q: it finished or never started", id)
	}
	j.seen = true
	return answer{value: j.status()}, nil
}

func listTreeDeletes(e *engine, _ *call) (answer, error) {
	jobs := []any{}
	for _, id := range slices.Sorted(maps.Keys(e.jobs)) {
		j := e.jobs[id]
		if j.seen {
			e.finishJob(id)
			continue
		}
		j.seen = true
		jobs = append(jobs, j.status())
	}
	return answer{value: map[string]any{"jobs": jobs}}, nil
}

func cancelTreeDelete(e *engine, c *call) (answer, error) {
	id := e.jobID(c)
	if e.jobs[id] == nil {
		return answer{}, newError(errNoSuchEntry, "no tree-delete job for %q", id)
	}
	delete(e.jobs, id)
	e.running.Add(-1)
	return answer{}, nil
}

func restartTreeDelete(e *engine, c *call) (answer, error) {
	j := e.jobs[e.jobID(c)]
	if j == nil {
		return answer{}, newError(errNoSuchEntry, "no tree-delete job for %q", c.params["id"])
	}
	j.seen = false
	j.due = e.m.cfg.now().Add(treeDeleteTime)
	return answer{}, nil
}
