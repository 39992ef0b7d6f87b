package mock

import (
	"cmp"
	"strconv"
	"time"
)

// Snapshots: an on-demand snapshot is of a directory (source_file_id, the
// root when the request names none, as v1 and v2 cannot), which must
// exist; the cluster names it by its id and the suffix asked for
// ("OnDemand" by default) and stamps the time it was taken.

var snapshotsModule = module{
	families: map[string]*family{
		"/snapshots": {idField: "id", notFound: errNoSuchEntry, create: newSnapshot},
	},
}

func newSnapshot(e *engine, c *call, item map[string]any) error {
	body := c.object()
	src := cmp.Or(scalarString(body["source_file_id"]), strconv.Itoa(rootID))
	dir, err := e.fs.lookup(src)
	if err != nil {
		return err
	}
	if !dir.isDir() {
		return newError(errFsNotDirectory, "not a directory: %s", dir.path())
	}
	suffix := cmp.Or(scalarString(body["name_suffix"]), scalarString(body["name"]), "OnDemand")
	item["name"] = scalarString(item["id"]) + "_" + suffix
	item["source_file_id"] = strconv.FormatUint(dir.id, 10)
	item["timestamp"] = e.m.cfg.now().UTC().Format(time.RFC3339Nano)
	item["in_delete"] = false
	item["policy_id"] = nil
	if scalarString(body["expiration"]) == "" { // never expires, not a generated time
		item["expiration"] = nil
	}
	return nil
}
