package main

import (
	"context"
	"errors"
	"io"
)

type generateCmd struct {
	stdout, stderr io.Writer
}

func (c *generateCmd) parse([]string) error { return errors.New("generate: not built yet") }

func (c *generateCmd) Run(context.Context) error { return nil }
