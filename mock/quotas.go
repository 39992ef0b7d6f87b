package mock

import "strconv"

// Quotas: a quota is named by its directory's file id, one per directory
// (a second answers api_quotas_quota_limit_already_set_error), and goes
// with the directory. Its status adds the directory's path and usage.

var quotasModule = module{
	families: map[string]*family{
		"/files/quotas": {
			idField: "id", clientID: true, notFound: errQuotaNotFound, exists: errQuotaLimitSet,
			create: func(e *engine, _ *call, item map[string]any) error {
				n, err := e.fs.lookup(scalarString(item["id"]))
				if err != nil {
					return err
				}
				if !n.isDir() {
					return newError(errFsNotDirectory, "not a directory: %s", n.path())
				}
				return nil
			},
		},
	},
	handlers: map[string]handler{
		"GET /files/quotas/status":    quotaStatuses,
		"GET /files/quotas/status/{}": quotaStatus,
	},
}

// quotaStatus is a quota with its directory's path and usage.
func (e *engine) quotaStatus(q map[string]any) map[string]any {
	id, _ := strconv.ParseUint(scalarString(q["id"]), 10, 64)
	dir := e.fs.byID[id]
	var used int64
	var walk func(d *inode)
	walk = func(d *inode) {
		used += 4096 + d.size
		for _, k := range d.kids {
			walk(k)
		}
	}
	walk(dir)
	return map[string]any{"id": q["id"], "limit": q["limit"], "path": dir.path(), "capacity_usage": strconv.FormatInt(used, 10)}
}

func quotaStatuses(e *engine, c *call) (answer, error) {
	return pagedAnswer(c, e.children("/files/quotas"), "quotas", "id", func(q child) any { return e.quotaStatus(objectOf(q.value)) })
}

func quotaStatus(e *engine, c *call) (answer, error) {
	k, ok := e.findItem("/files/quotas", c.params["id"])
	if !ok {
		return answer{}, newError(errQuotaNotFound, "no quota on directory %q", c.params["id"])
	}
	return answer{value: e.quotaStatus(objectOf(e.res[k].value))}, nil
}
