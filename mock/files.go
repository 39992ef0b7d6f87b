package mock

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The file system: /v1/files/{ref}/… takes a file id or an absolute path
// (URL-encoded, %2F for /). Entries are inodes of a tree kept in compact
// structs, since a cluster holds many; their attributes are rendered on
// demand. What the schemas describe beyond attributes and entries (ACLs,
// streams, user metadata) lives in the engine's store under the file's id,
// and goes with the file.

var filesModule = module{
	resolvers: map[string]resolver{"/files": resolveFile},
	handlers: map[string]handler{
		"GET /files/{}/info/attributes":         getAttributes,
		"PATCH /files/{}/info/attributes":       patchAttributes,
		"GET /files/{}/entries":                 listEntries,
		"POST /files/{}/entries":                createEntry,
		"DELETE /files/{}":                      deleteFile,
		"POST /files/resolve":                   resolvePaths,
		"GET /files/{}/data":                    readData,
		"PUT /files/{}/data":                    writeData,
		"PATCH /files/{}/data":                  writeData,
		"POST /files/{}/streams":                createStream,
		"GET /files/{}/streams/{}/attributes":   streamAttributes,
		"PATCH /files/{}/streams/{}/attributes": streamAttributes,
		"GET /files/{}/streams/{}/data":         readStreamData,
		"PUT /files/{}/streams/{}/data":         writeStreamData,
		"PATCH /files/{}/streams/{}/data":       writeStreamData,
		"GET /files/{}/aggregates":              aggregates,
		"GET /files/{}/recursive-aggregates": func(e *engine, c *call) (answer, error) {
			a, err := aggregates(e, c)
			if err == nil {
				a.value = []any{a.value}
			}
			return a, err
		},
	},
	start: func(e *engine) error {
		now := e.m.cfg.now().UnixNano()
		root := &inode{id: rootID, typ: typeDirectory, mode: "0777", owner: adminID, group: usersGroupID, links: 1, kids: map[string]*inode{},
			created: now, modified: now, changed: now, accessed: now}
		e.fs = &fileSystem{root: root, byID: map[uint64]*inode{rootID: root}, nextID: firstFileID}
		return nil
	},
}

// File types, and who owns what a client creates.
const (
	typeFile      = "FS_FILE_TYPE_FILE"
	typeDirectory = "FS_FILE_TYPE_DIRECTORY"
	typeSymlink   = "FS_FILE_TYPE_SYMLINK"
	// rootID is the root directory's file id on a Qumulo cluster.
	rootID      = 2
	firstFileID = 10002
	// maxNameBytes is the longest entry name a cluster takes.
	maxNameBytes = 255
)

// fileSystem is the twin's tree of files.
type fileSystem struct {
	root   *inode
	byID   map[uint64]*inode
	nextID uint64
	// held is the bytes of data all files hold (filedata.go).
	held int64
}

// inode is one file, directory or other object. Times are Unix
// nanoseconds, to keep a hundred thousand of them small.
type inode struct {
	id     uint64
	typ    string
	name   string
	parent *inode
	kids   map[string]*inode // a directory's entries
	names  []string          // kids' names in order; nil when stale
	mode   string
	owner  string
	group  string
	size   int64
	links  int
	rev    uint64
	target string // a symlink's target

	created, modified, changed, accessed int64
	// extra holds attributes set by PATCH that have no field above.
	extra map[string]any
	data  []byte
}

func (n *inode) isDir() bool { return n.kids != nil }

// setTime sets the time an attribute names.
func (n *inode) setTime(attr string, ns int64) {
	switch attr {
	case "creation_time":
		n.created = ns
	case "modification_time":
		n.modified = ns
	case "change_time":
		n.changed = ns
	case "access_time":
		n.accessed = ns
	}
}

// path is an inode's absolute path; a directory's ends in a slash.
func (n *inode) path() string {
	if n.parent == nil {
		return "/"
	}
	p := n.parent.path() + n.name
	if n.isDir() {
		p += "/"
	}
	return p
}

// sortedNames is a directory's entry names in order.
func (n *inode) sortedNames() []string {
	if n.names == nil {
		n.names = slices.Sorted(maps.Keys(n.kids))
	}
	return n.names
}

// lookup finds a file by id or by absolute path.
func (fs *fileSystem) lookup(ref string) (*inode, error) {
	if strings.HasPrefix(ref, "/") {
		n := fs.root
		for _, name := range strings.Split(ref, "/") {
			if name == "" {
				continue
			}
			if n = n.kids[name]; n == nil {
				return nil, newError(errFsNoSuchEntry, "no such file or directory: %s", ref)
			}
		}
		return n, nil
	}
	if id, err := strconv.ParseUint(ref, 10, 64); err == nil {
		if n := fs.byID[id]; n != nil {
			return n, nil
		}
	}
	return nil, newError(errFsNoSuchEntry, "no such file or directory: %s", ref)
}

func resolveFile(e *engine, _ string, ref string) (string, error) {
	n, err := e.fs.lookup(ref)
	if err != nil {
		return "", err
	}
	return strconv.FormatUint(n.id, 10), nil
}

// file is the inode a call's {ref} names; locate resolved it already.
func (e *engine) file(c *call) *inode {
	id, _ := strconv.ParseUint(strings.Split(c.key, "/")[2], 10, 64)
	return e.fs.byID[id]
}

// attrs renders an inode's attributes as a cluster answers them.
func (e *engine) attrs(n *inode) map[string]any {
	id := strconv.FormatUint(n.id, 10)
	ts := func(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }
	blocks := (n.size + 4095) / 4096
	a := map[string]any{
		"id": id, "file_number": id, "name": n.name, "path": n.path(), "type": n.typ,
		"mode": n.mode, "owner": n.owner, "group": n.group,
		"owner_details": map[string]any{"id_type": "LOCAL_USER", "id_value": n.owner},
		"group_details": map[string]any{"id_type": "LOCAL_GROUP", "id_value": n.group},
		"size":          strconv.FormatInt(n.size, 10), "blocks": strconv.FormatInt(blocks+1, 10),
		"datablocks": strconv.FormatInt(blocks, 10), "metablocks": "1",
		"creation_time": ts(n.created), "modification_time": ts(n.modified), "change_time": ts(n.changed), "access_time": ts(n.accessed),
		"num_links": n.links, "child_count": len(n.kids),
		"data_revision": strconv.FormatUint(n.rev, 10), "user_metadata_revision": "0",
		"extended_attributes": map[string]any{"archive": false, "compressed": false, "hidden": false, "not_content_indexed": false,
			"offline": false, "read_only": false, "sparse_file": false, "system": false, "temporary": false},
		"major_minor_numbers": map[string]any{"major": 0, "minor": 0},
		"symlink_target_type": "FS_FILE_TYPE_UNKNOWN",
	}
	if n.isDir() {
		a["directory_entry_hash_policy"] = "FS_DIRECTORY_HASH_VERSION_FOLDED"
	}
	maps.Copy(a, n.extra)
	return a
}

func getAttributes(e *engine, c *call) (answer, error) {
	n := e.file(c)
	return answer{value: e.attrs(n), etag: etag(n.rev)}, nil
}

// patchAttributes sets what a client may set of a file's attributes.
func patchAttributes(e *engine, c *call) (answer, error) {
	n := e.file(c)
	if err := checkIfMatch(c, etag(n.rev)); err != nil {
		return answer{}, err
	}
	for k, v := range c.object() {
		s, isString := v.(string)
		switch k {
		case "mode":
			if isString {
				n.mode = s
			}
		case "owner":
			if isString {
				n.owner = s
			}
		case "group":
			if isString {
				n.group = s
			}
		case "size":
			size, err := strconv.ParseInt(s, 10, 64)
			if err != nil || size < 0 || n.isDir() {
				return answer{}, newError(errInvalidRequest, "request body field \"size\": %q is not a size this file can take", s)
			}
			e.truncate(n, size)
		case "creation_time", "modification_time", "change_time", "access_time":
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return answer{}, newError(errInvalidRequest, "request body field %q: %q is not an RFC 3339 time", k, s)
			}
			n.setTime(k, t.UnixNano())
		case "id", "file_number", "path", "name", "type", "child_count", "num_links", "blocks", "datablocks", "metablocks":
			// Read-only: a cluster ignores them.
		default:
			if n.extra == nil {
				n.extra = map[string]any{}
			}
			n.extra[k] = mergePatch(e.attrs(n)[k], v)
		}
	}
	e.touch(n)
	return answer{value: e.attrs(n), etag: etag(n.rev)}, nil
}

// touch records a change to an inode.
func (e *engine) touch(n *inode) {
	n.rev = e.m.revision.Add(1)
	n.changed = e.m.cfg.now().UnixNano()
}

func listEntries(e *engine, c *call) (answer, error) {
	dir := e.file(c)
	if !dir.isDir() {
		return answer{}, newError(errFsNotDirectory, "not a directory: %s", dir.path())
	}
	names := dir.sortedNames()
	pg, err := pageOf(c.r, names, strings.Compare)
	if err != nil {
		return answer{}, err
	}
	files := make([]any, 0, pg.end-pg.start)
	for _, name := range names[pg.start:pg.end] {
		files = append(files, e.attrs(dir.kids[name]))
	}
	return answer{value: map[string]any{
		"id": strconv.FormatUint(dir.id, 10), "path": dir.path(), "child_count": len(names),
		"files": files, "paging": pagingOf(pg.next),
	}, etag: etag(dir.rev)}, nil
}

// validName refuses what no directory entry may be called.
func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || len(name) > maxNameBytes {
		return newError(errFsInvalidName, "invalid name %q", name)
	}
	return nil
}

// createEntry makes a file, directory, link or symlink, or renames.
func createEntry(e *engine, c *call) (answer, error) {
	dir := e.file(c)
	if !dir.isDir() {
		return answer{}, newError(errFsNotDirectory, "not a directory: %s", dir.path())
	}
	if err := checkIfMatch(c, etag(dir.rev)); err != nil {
		return answer{}, err
	}
	body := c.object()
	name, _ := body["name"].(string)
	if err := validName(name); err != nil {
		return answer{}, err
	}
	action, _ := body["action"].(string)
	oldPath, _ := body["old_path"].(string)
	var n *inode
	var err error
	switch action {
	case "CREATE_DIRECTORY":
		n, err = e.mknod(dir, name, typeDirectory)
	case "CREATE_FILE":
		n, err = e.mknod(dir, name, typeFile)
	case "CREATE_UNIX_FILE":
		typ, _ := body["unix_file_type"].(string)
		if typ == "" {
			return answer{}, newError(errInvalidRequest, "request body field \"unix_file_type\": required with CREATE_UNIX_FILE")
		}
		n, err = e.mknod(dir, name, typ)
	case "CREATE_SYMLINK":
		if n, err = e.mknod(dir, name, typeSymlink); err == nil {
			n.target, n.size, n.mode = oldPath, int64(len(oldPath)), "0777"
		}
	case "CREATE_LINK":
		n, err = e.link(dir, name, oldPath)
	case "RENAME":
		clobber, _ := body["clobber"].(bool)
		n, err = e.rename(dir, name, oldPath, clobber)
	default:
		return answer{}, newError(errInvalidRequest, "request body field \"action\": %q is not an action", action)
	}
	if err != nil {
		return answer{}, err
	}
	return answer{value: e.attrs(n), etag: etag(n.rev)}, nil
}

// mknod adds a new entry of type typ to dir.
func (e *engine) mknod(dir *inode, name, typ string) (*inode, error) {
	if dir.kids[name] != nil {
		return nil, newError(errFsEntryExists, "%s%s already exists", dir.path(), name)
	}
	now := e.m.cfg.now().UnixNano()
	n := &inode{id: e.fs.nextID, typ: typ, name: name, parent: dir, mode: "0644", owner: adminID, group: usersGroupID, links: 1,
		created: now, modified: now, changed: now, accessed: now}
	if typ == typeDirectory {
		n.kids, n.mode = map[string]*inode{}, "0755"
	}
	e.fs.nextID++
	e.fs.byID[n.id] = n
	e.attach(dir, name, n)
	e.touch(n)
	return n, nil
}

// attach names n in dir.
func (e *engine) attach(dir *inode, name string, n *inode) {
	dir.kids[name] = n
	dir.names = nil
	dir.modified = e.m.cfg.now().UnixNano()
	e.touch(dir)
}

// detach removes the entry name from dir.
func (e *engine) detach(dir *inode, name string) {
	delete(dir.kids, name)
	dir.names = nil
	dir.modified = e.m.cfg.now().UnixNano()
	e.touch(dir)
}

// link names an existing file a second time.
func (e *engine) link(dir *inode, name, target string) (*inode, error) {
	n, err := e.fs.lookup(target)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, newError(errInvalidRequest, "cannot link a directory: %s", n.path())
	}
	if dir.kids[name] != nil {
		return nil, newError(errFsEntryExists, "%s%s already exists", dir.path(), name)
	}
	n.links++
	e.attach(dir, name, n)
	e.touch(n)
	return n, nil
}

// rename moves the entry at from into dir as name.
func (e *engine) rename(dir *inode, name, from string, clobber bool) (*inode, error) {
	n, err := e.fs.lookup(from)
	if err != nil {
		return nil, err
	}
	if n == e.fs.root {
		return nil, newError(errInvalidRequest, "cannot rename the root directory")
	}
	for d := dir; d != nil; d = d.parent {
		if d == n {
			return nil, newError(errInvalidRequest, "cannot move %s into itself", n.path())
		}
	}
	if old := dir.kids[name]; old != nil && old != n {
		if !clobber {
			return nil, newError(errFsEntryExists, "%s%s already exists", dir.path(), name)
		}
		if err := e.unlink(dir, name); err != nil {
			return nil, err
		}
	}
	e.detach(n.parent, n.name)
	n.parent, n.name = dir, name
	e.attach(dir, name, n)
	e.touch(n)
	return n, nil
}

// unlink removes the entry name of dir; a directory must be empty.
func (e *engine) unlink(dir *inode, name string) error {
	n := dir.kids[name]
	if n.isDir() && len(n.kids) > 0 {
		return newError(errFsNotEmpty, "directory not empty: %s", n.path())
	}
	e.detach(dir, name)
	if n.links--; n.links > 0 {
		if n.parent == dir && n.name == name {
			e.reparent(n)
		}
		return nil
	}
	e.forget(n)
	return nil
}

// reparent makes another of a file's remaining names its path.
func (e *engine) reparent(n *inode) {
	var walk func(d *inode) bool
	walk = func(d *inode) bool {
		for _, name := range d.sortedNames() {
			if k := d.kids[name]; k == n {
				n.parent, n.name = d, name
				return true
			} else if k.isDir() && walk(k) {
				return true
			}
		}
		return false
	}
	walk(e.fs.root)
}

// forget drops an inode and what the store keeps about it: its ACL,
// streams, metadata and quota.
func (e *engine) forget(n *inode) {
	delete(e.fs.byID, n.id)
	e.setData(n, nil, 0)
	id := strconv.FormatUint(n.id, 10)
	e.removeBelow("/files/" + id)
	if q := "/files/quotas/" + id; e.res[q] != nil {
		e.removeItem(q)
	}
}

// removeTree deletes a directory and everything under it.
func (e *engine) removeTree(n *inode) {
	for _, name := range slices.Clone(n.sortedNames()) {
		k := n.kids[name]
		if k.isDir() {
			e.removeTree(k)
		} else {
			_ = e.unlink(n, name)
		}
	}
	if n.parent != nil {
		_ = e.unlink(n.parent, n.name)
	}
}

func deleteFile(e *engine, c *call) (answer, error) {
	n := e.file(c)
	if n == e.fs.root {
		return answer{}, newError(errInvalidRequest, "cannot delete the root directory")
	}
	if err := checkIfMatch(c, etag(n.rev)); err != nil {
		return answer{}, err
	}
	return answer{}, e.unlink(n.parent, n.name)
}

// resolvePaths answers the path of each file id.
func resolvePaths(e *engine, c *call) (answer, error) {
	refs, _ := c.body.([]any)
	out := make([]any, 0, len(refs))
	for _, r := range refs {
		s, _ := r.(string)
		n, err := e.fs.lookup(s)
		if err != nil {
			return answer{}, err
		}
		out = append(out, map[string]any{"id": strconv.FormatUint(n.id, 10), "path": n.path()})
	}
	return answer{value: out}, nil
}

// aggregates sums up what is under a directory.
func aggregates(e *engine, c *call) (answer, error) {
	n := e.file(c)
	var files, dirs, links, other, data int64
	var walk func(d *inode)
	walk = func(d *inode) {
		for _, k := range d.kids {
			switch k.typ {
			case typeDirectory:
				dirs++
				walk(k)
			case typeFile:
				files++
				data += k.size
			case typeSymlink:
				links++
			default:
				other++
			}
		}
	}
	walk(n)
	num := func(v int64) string { return strconv.FormatInt(v, 10) }
	meta := 4096 * (files + dirs + links + other + 1)
	return answer{value: map[string]any{
		"id": strconv.FormatUint(n.id, 10), "path": n.path(), "files": []any{},
		"total_files": num(files), "total_directories": num(dirs), "total_symlinks": num(links), "total_other_objects": num(other),
		"total_data": num(data), "total_meta": num(meta), "total_capacity": num(data + meta),
		"total_named_streams": "0", "total_named_stream_data": "0",
	}}, nil
}

// mkdirAll finds or makes the directory at path, as a create with
// allow-fs-path-create or create_fs_path does.
func (e *engine) mkdirAll(path string) (*inode, error) {
	n := e.fs.root
	for _, name := range strings.Split(path, "/") {
		if name == "" {
			continue
		}
		next := n.kids[name]
		if next == nil {
			if err := validName(name); err != nil {
				return nil, err
			}
			var err error
			if next, err = e.mknod(n, name, typeDirectory); err != nil {
				return nil, err
			}
		}
		if !next.isDir() {
			return nil, newError(errFsNotDirectory, "not a directory: %s", next.path())
		}
		n = next
	}
	return n, nil
}

// needDir checks that a create names an existing directory in field, or
// makes it when the request allows.
func (e *engine) needDir(obj map[string]any, field string, create bool) error {
	path, _ := obj[field].(string)
	if path == "" {
		return nil
	}
	if create {
		_, err := e.mkdirAll(path)
		return err
	}
	n, err := e.fs.lookup(path)
	if err != nil {
		return err
	}
	if !n.isDir() {
		return newError(errFsNotDirectory, "not a directory: %s", path)
	}
	return nil
}
