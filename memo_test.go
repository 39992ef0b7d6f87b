package qapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// memo keeps what the staleness tests compute, keyed by a digest of every
// input byte. Conversion and code generation are deterministic, and each
// case of TestStaleFilesAreDetected changes one input of several, so the
// steps whose inputs a case leaves alone are not run again for it.
var memo sync.Map // digest → result

// memoized returns f's result for the inputs digested into key. An error
// is not kept: it names the paths of the run that met it.
func memoized[T any](key string, f func() (T, error)) (T, error) {
	if v, ok := memo.Load(key); ok {
		return v.(T), nil
	}
	v, err := f()
	if err == nil {
		memo.Store(key, v)
	}
	return v, err
}

// digest hashes a step's name and the bytes of its inputs: files, and
// every file below a folder with its path relative to it.
func digest(step string, data []byte, paths ...string) (string, error) {
	h := sha256.New()
	h.Write([]byte(step + "\x00"))
	h.Write(data)
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(p, path)
			if err != nil {
				return err
			}
			h.Write([]byte("\x00" + filepath.ToSlash(rel) + "\x00"))
			fmt.Fprintf(h, "%d\x00", len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
