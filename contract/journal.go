package contract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"

	"github.com/qapitools/qapi/internal/oas"
)

// A journal records each change a run makes to a cluster before the run
// makes it, and how to undo it: a setting's saved state to write back, or
// an item the run created to delete. The run undoes it at the end, also
// after a failure or an interrupt; when the process was killed before that,
// `qapi contract --restore FILE` reads the file and undoes what is left.
//
// The file holds one JSON object a line, appended before the change is
// sent. It holds saved settings (write-only fields are never
// saved: operations that set them are not reversible) and no request
// bodies; it is created readable by its owner only.
type journal struct {
	file    *os.File
	path    string
	entries []journalEntry
}

// Kinds of journal entries.
const (
	kindTarget  = "target"  // the first line: which cluster
	kindUndo    = "undo"    // a request that undoes a change
	kindPending = "pending" // a create sent whose answer has not come yet
	kindSettled = "settled" // entry Of needs nothing more
)

type journalEntry struct {
	Seq    int               `json:"seq,omitempty"`
	Kind   string            `json:"kind"`
	Target string            `json:"target,omitempty"`
	Method string            `json:"method,omitempty"`
	Path   string            `json:"path,omitempty"`
	Params map[string]string `json:"params,omitempty"`
	Query  url.Values        `json:"query,omitempty"`
	Body   json.RawMessage   `json:"body,omitempty"`
	// Match holds what a pending create's item will read: the string
	// fields the create sets, secrets aside, to find the item by when no
	// answer said its id.
	Match map[string]string `json:"match,omitempty"`
	// Of is the entry a settled entry closes, or the pending create an
	// undo entry resolves.
	Of int `json:"of,omitempty"`
}

// where names the resource an entry acts on.
func (e journalEntry) where() string {
	return e.Method + " " + oas.FillPath(e.Path, e.Params)
}

// newJournal starts a journal for target, in the file at path when path
// is not empty; an existing file is refused, so that no run overwrites
// what another could not undo.
func newJournal(path, target string) (*journal, error) {
	j := &journal{path: path}
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("journal %s exists: a run that did not finish left it; put its changes back with qapi contract --restore %s, or remove it", path, path)
		}
		if err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		j.file = f
	}
	if _, err := j.add(journalEntry{Kind: kindTarget, Target: target}); err != nil {
		j.close()
		return nil, err
	}
	return j, nil
}

// readJournal opens the journal at path to finish its undoing; new
// entries are appended to it.
func readJournal(path string) (*journal, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &journal{path: path}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e journalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// A kill -9 mid-write leaves at most the last line cut short.
			if !sc.Scan() {
				break
			}
			return nil, fmt.Errorf("journal %s:%d: %w", path, line, err)
		}
		j.entries = append(j.entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if len(j.entries) == 0 || j.entries[0].Kind != kindTarget {
		return nil, fmt.Errorf("journal %s:1: not a qapi contract journal (no target line)", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j.file = f
	return j, nil
}

// target is the cluster the journal's changes were made to.
func (j *journal) target() string { return j.entries[0].Target }

// add appends an entry to the file before it answers its number.
func (j *journal) add(e journalEntry) (int, error) {
	e.Seq = len(j.entries) + 1
	j.entries = append(j.entries, e)
	if j.file == nil {
		return e.Seq, nil
	}
	line, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	// One write call, not synced: once it returns, the kernel keeps the
	// line whatever happens to the process (kill -9); only a crash of the
	// machine could lose it, and syncing each line would cost each write
	// milliseconds.
	if _, err := j.file.Write(append(line, '\n')); err != nil {
		return 0, fmt.Errorf("journal %s: %w", j.path, err)
	}
	return e.Seq, nil
}

// settle marks entry seq as needing nothing more.
func (j *journal) settle(seq int) error {
	_, err := j.add(journalEntry{Kind: kindSettled, Of: seq})
	return err
}

// open lists the undo and pending entries not settled, newest first.
func (j *journal) open() []journalEntry {
	closed := map[int]bool{}
	for _, e := range j.entries {
		switch {
		case e.Kind == kindSettled:
			closed[e.Of] = true
		case e.Kind == kindUndo && e.Of != 0:
			closed[e.Of] = true
		}
	}
	var out []journalEntry
	for _, e := range j.entries {
		if (e.Kind == kindUndo || e.Kind == kindPending) && !closed[e.Seq] {
			out = append(out, e)
		}
	}
	slices.Reverse(out)
	return out
}

// finish closes the file, and removes it when nothing is left to undo;
// it answers whether the file is kept.
func (j *journal) finish() (kept bool) {
	j.close()
	if j.path == "" {
		return false
	}
	if len(j.open()) == 0 {
		return os.Remove(j.path) != nil
	}
	return true
}

func (j *journal) close() {
	if j.file != nil {
		_ = j.file.Close()
		j.file = nil
	}
}
