package convert_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/qapitools/qapi/convert"
)

// The benchmarks run on the 682-page revision; make bench compares them side
// by side in bench/RESULTS.md, and go test -bench with -cpuprofile shows where
// conversion spends its time.
const benchRevision = "qumulo-rest-api-guide-2024-07-18"

// BenchmarkParseOnly is the floor under conversion: read every page and parse
// its front matter into a yaml.Node, nothing else.
func BenchmarkParseOnly(b *testing.B) {
	dir := corpusRevision(b, benchRevision)
	fsys := os.DirFS(dir)
	b.ReportAllocs()
	for b.Loop() {
		if n := parseOnly(b, fsys); n == 0 {
			b.Fatal("no pages")
		}
	}
}

// BenchmarkConvert is pages to document: convert.Convert.
func BenchmarkConvert(b *testing.B) {
	dir := corpusRevision(b, benchRevision)
	src := []convert.Source{{Name: filepath.Base(dir), FS: os.DirFS(dir)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := convert.Convert(src, convert.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild is the whole of qapi convert: conversion, kin-openapi
// loading and validation, and the YAML rendering.
func BenchmarkBuild(b *testing.B) {
	dir := corpusRevision(b, benchRevision)
	src := []convert.Source{{Name: filepath.Base(dir), FS: os.DirFS(dir)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := convert.Build(src, nil, convert.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func parseOnly(tb testing.TB, fsys fs.FS) int {
	n := 0
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".md") {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		rest, ok := bytes.CutPrefix(data, []byte("---\n"))
		end := bytes.Index(rest, []byte("\n---"))
		if !ok || end < 0 {
			tb.Fatalf("%s: no front matter", name)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(rest[:end+1], &root); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}
