package mock

import (
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
)

// A file's data: GET /v1/files/{ref}/data answers the bytes, or the part
// offset and length name; PUT replaces them and PATCH writes at offset,
// zero-extending the file up to it (docs/rest-api-guide/files/
// files_ref_data.md). Both ways the body is application/octet-stream
// (overlays/80-file-data.yaml). A file keeps its leading bytes in
// inode.data; from len(data) up to its size it reads as zeros, so a file
// made larger by setting its size holds nothing more.
//
// A cluster holds petabytes and the twin holds memory: the bytes a file
// holds, up to the end of its last write, are bounded by WithMaxFileData
// (DefaultMaxFileBytes), and so are the bytes all files hold
// (DefaultMaxDataBytes). A write beyond either answers 413
// http_request_entity_too_large_error, as a request body over the limit
// does. A size set as an attribute costs nothing and is not bounded.

const (
	// DefaultMaxFileBytes is the largest size a file of the twin takes
	// unless WithMaxFileData says otherwise: 64 MiB.
	DefaultMaxFileBytes = 64 << 20
	// DefaultMaxDataBytes is how many bytes of data all the twin's files
	// hold at most unless WithMaxFileData says otherwise: 256 MiB.
	DefaultMaxDataBytes = 256 << 20
)

// WithMaxFileData bounds the size of one file (and so the body of a write
// of its data) to perFile bytes and the data all files hold to total
// bytes; a write beyond either answers 413.
func WithMaxFileData(perFile, total int64) Option {
	return func(c *config) { c.maxFile, c.maxData = perFile, total }
}

// checkStreamType refuses, before the body is read, a request whose
// Content-Type is not one of the operation's, as a cluster refuses JSON
// sent as a file's data.
func checkStreamType(r *http.Request, types []string) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" && (r.Body == nil || r.Body == http.NoBody) {
		return nil
	}
	if err != nil || !slices.Contains(types, mt) {
		return newError(errUnsupportedMedia, "unsupported content type %q: send %s", ct, types[0])
	}
	return nil
}

// setData makes data n's leading bytes and size its size, counting what
// the file system holds. The caller holds the lock.
func (e *engine) setData(n *inode, data []byte, size int64) {
	e.fs.held += int64(len(data)) - int64(len(n.data))
	n.data, n.size = data, size
}

// written is what a PUT (the body) or a PATCH (the body at offset,
// zero-filling up to it) of c makes of the data of a file or stream, named
// what, that holds old as its leading bytes and is size bytes long: its new
// leading bytes and size, within the bounds.
func (e *engine) written(c *call, what string, old []byte, size int64) ([]byte, int64, error) {
	patch := c.route.Method == http.MethodPatch
	var off int64
	if patch {
		var err error
		if off, err = int64Query(c, "offset", 0); err != nil {
			return nil, 0, err
		}
	}
	if off > e.m.cfg.maxFile {
		return nil, 0, e.checkHeld(what, old, off) // before off+len can overflow
	}
	end := off + int64(len(c.raw))
	// PATCH keeps what is held and makes the zeros up to the write.
	newSize, held := end, end
	if patch {
		newSize, held = max(size, end), max(end, int64(len(old)))
	}
	if err := e.checkHeld(what, old, held); err != nil {
		return nil, 0, err
	}
	data := make([]byte, held)
	if patch {
		copy(data, old)
	}
	copy(data[off:], c.raw)
	return data, newSize, nil
}

// checkHeld refuses a write that would make a file or stream, named what,
// that holds old hold held bytes, by the bounds.
func (e *engine) checkHeld(what string, old []byte, held int64) error {
	if held > e.m.cfg.maxFile {
		return newError(errTooLarge, "%s: %d bytes of data in one file would be over the twin's limit of %d bytes a file", what, held, e.m.cfg.maxFile)
	}
	if total := e.fs.held - int64(len(old)) + held; total > e.m.cfg.maxData {
		return newError(errTooLarge, "%s: %d bytes of data in all files would be over the twin's limit of %d bytes", what, total, e.m.cfg.maxData)
	}
	return nil
}

// truncate sets a file's size, keeping the data below it; what it holds
// does not grow, so any size is taken.
func (e *engine) truncate(n *inode, size int64) {
	e.setData(n, n.data[:min(size, int64(len(n.data)))], size)
}

// read answers length bytes of a file from off (length < 0 for all there
// is): the part of its data in range, which is never changed in place
// (writes make new data), and how many zeros follow it.
func (n *inode) read(off, length int64) (data []byte, zeros int64) {
	off = min(off, n.size)
	end := n.size
	if length >= 0 && length < end-off {
		end = off + length
	}
	held := int64(len(n.data))
	data = n.data[min(off, held):min(end, held)]
	if data == nil {
		data = []byte{}
	}
	return data, end - off - int64(len(data))
}

// writeZeros writes n zero bytes.
func writeZeros(w io.Writer, n int64) {
	var zero [32 << 10]byte
	for n > 0 {
		k, err := w.Write(zero[:min(n, int64(len(zero)))])
		if err != nil {
			return
		}
		n -= int64(k)
	}
}

// int64Query reads a query parameter that is a byte count or offset;
// absent, it is def.
func int64Query(c *call, name string, def int64) (int64, error) {
	s := c.query(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, newError(errInvalidRequest, "query parameter %s: %q is not a byte count", name, s)
	}
	return v, nil
}

// rangeQuery reads the part of a file's or stream's data a GET names:
// from offset (0), length bytes (-1 for all there is).
func rangeQuery(c *call) (off, length int64, err error) {
	if off, err = int64Query(c, "offset", 0); err != nil {
		return 0, 0, err
	}
	length, err = int64Query(c, "length", -1)
	return off, length, err
}

// readData answers a file's contents, or the part offset and length name.
func readData(e *engine, c *call) (answer, error) {
	n := e.file(c)
	if n.isDir() {
		return answer{}, newError(errInvalidRequest, "%s is a directory", n.path())
	}
	off, length, err := rangeQuery(c)
	if err != nil {
		return answer{}, err
	}
	data, zeros := n.read(off, length)
	return answer{raw: data, zeros: zeros, etag: etag(n.rev)}, nil
}

// writeData replaces a file's contents (PUT) or writes at an offset
// (PATCH) with the request body, and answers the file's attributes.
func writeData(e *engine, c *call) (answer, error) {
	n := e.file(c)
	if n.isDir() {
		return answer{}, newError(errInvalidRequest, "%s is a directory", n.path())
	}
	if err := checkIfMatch(c, etag(n.rev)); err != nil {
		return answer{}, err
	}
	data, size, err := e.written(c, n.path(), n.data, n.size)
	if err != nil {
		return answer{}, err
	}
	e.setData(n, data, size)
	n.modified = e.m.cfg.now().UnixNano()
	e.touch(n)
	return answer{value: e.attrs(n), etag: etag(n.rev)}, nil
}

// A named stream's data travels as a file's does (files_ref_streams_
// stream_id_data.md, overlays/80-file-data.yaml): the twin keeps its
// leading bytes in the store under the stream's key plus /data, as the
// []byte it answers, bounded by the same limits and counted with the files'
// data; up to the stream's size, which is bounded as its data is, it reads
// as zeros. The stream's size and
// data_revision follow its data, in the list of streams and at its
// attributes, which are the stream item's. Its ETag is the data's own.

// createStream creates a stream as any item is created, named by the
// request's stream_name (NamedStreamEntry) and holding nothing yet.
func createStream(e *engine, c *call) (answer, error) {
	body := maps.Clone(c.object())
	if name, ok := body["stream_name"]; ok {
		body["name"] = name
		delete(body, "stream_name")
	}
	body["size"], body["data_revision"] = "0", "0"
	c.body = body
	return e.write(c, e.plan[c.route.Path])
}

// streamData is the leading bytes a stream holds. The caller holds the lock.
func (e *engine) streamData(k string) []byte {
	if r := e.res[k]; r != nil {
		if b, ok := r.value.([]byte); ok {
			return b
		}
	}
	return nil
}

// streamSize is the size of the stream stored as stream, whose data is
// data: its size attribute, or what it holds when that says nothing.
func streamSize(stream *resource, data []byte) int64 {
	if n, err := strconv.ParseInt(scalarString(objectOf(stream.value)["size"]), 10, 64); err == nil && n >= int64(len(data)) {
		return n
	}
	return int64(len(data))
}

// stream is the stored stream whose data c names.
func (e *engine) stream(c *call, k string) (*resource, error) {
	if stream := e.res[k]; stream != nil {
		return stream, nil
	}
	return nil, newError(errNoSuchEntry, "no such stream: %s", c.r.URL.Path)
}

// readStreamData answers a stream's contents, or the part offset and
// length name.
func readStreamData(e *engine, c *call) (answer, error) {
	stream, err := e.stream(c, parent(c.key))
	if err != nil {
		return answer{}, err
	}
	off, length, err := rangeQuery(c)
	if err != nil {
		return answer{}, err
	}
	held := e.streamData(c.key)
	n := &inode{data: held, size: streamSize(stream, held)}
	data, zeros := n.read(off, length)
	return answer{raw: data, zeros: zeros, etag: e.currentTag(c.key)}, nil
}

// writeStreamData replaces a stream's contents (PUT) or writes at an
// offset (PATCH), zero-filling up to it, and answers the stream's
// attributes.
func writeStreamData(e *engine, c *call) (answer, error) {
	if err := checkIfMatch(c, e.currentTag(c.key)); err != nil {
		return answer{}, err
	}
	stream, err := e.stream(c, parent(c.key))
	if err != nil {
		return answer{}, err
	}
	old := e.streamData(c.key)
	data, size, err := e.written(c, c.r.URL.Path, old, streamSize(stream, old))
	if err != nil {
		return answer{}, err
	}
	return e.setStream(parent(c.key), stream, data, size), nil
}

// setStream stores data as the leading bytes of the stream at k, which
// held what stream says, and size as its size, and answers the stream's
// attributes. The caller holds the lock and has checked the bounds.
func (e *engine) setStream(k string, stream *resource, data []byte, size int64) answer {
	old := e.streamData(k + "/data")
	e.fs.held += int64(len(data)) - int64(len(old))
	rev := e.m.revision.Add(1)
	e.put(k+"/data", &resource{value: data, rev: rev})
	attrs := maps.Clone(objectOf(stream.value))
	attrs["size"] = strconv.FormatInt(size, 10)
	attrs["data_revision"] = strconv.FormatUint(rev, 10)
	next := *stream
	next.value, next.rev = attrs, rev
	e.res[k] = &next
	return answer{value: attrs, etag: etag(rev)}
}

// streamAttributes answers a stream's attributes (GET), or changes them
// (PATCH, SettableFilesAttributes, of which a stream keeps what its own
// attributes have): a new size cuts its data or makes it read as zeros up
// to it.
func streamAttributes(e *engine, c *call) (answer, error) {
	k := parent(c.key)
	stream, err := e.stream(c, k)
	if err != nil {
		return answer{}, err
	}
	if c.route.Method == http.MethodGet {
		return answer{value: stream.value, etag: etag(stream.rev)}, nil
	}
	if err := checkIfMatch(c, etag(stream.rev)); err != nil {
		return answer{}, err
	}
	next := *stream
	next.value = mergePatch(stream.value, c.object())
	old := e.streamData(k + "/data")
	size, ok := c.object()["size"]
	if !ok {
		return e.setStream(k, &next, old, streamSize(stream, old)), nil
	}
	n, err := strconv.ParseInt(scalarString(size), 10, 64)
	if err != nil || n < 0 {
		return answer{}, newError(errInvalidRequest, "size: %q is not a byte count", scalarString(size))
	}
	if n > e.m.cfg.maxFile {
		// Zeros cost nothing held, but a GET of the whole stream would
		// write them all, and a shutdown would wait for that.
		return answer{}, newError(errTooLarge, "%s: a stream of %d bytes would be over the twin's limit of %d bytes a file", c.r.URL.Path, n, e.m.cfg.maxFile)
	}
	return e.setStream(k, &next, old[:min(n, int64(len(old)))], n), nil
}
