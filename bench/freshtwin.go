package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	qapi "github.com/qapitools/qapi"
	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/mock"
)

// The fresh-twin section measures what a test pays for a twin of its own
// on the embedded api.yaml, 20 in a row after the first, as issue 19
// measured it (about 22 ms each then): mock.New alone; mock.New of a
// document no twin has served yet, which builds the router and the plans
// as every twin did before they were shared; and what mocktest.New does
// (a server on loopback with TLS, a client logged in to it, closed again).
const (
	freshTwins      = 20
	freshTwinTarget = 10 * time.Millisecond
	// freshTwinIssue is the figure issue 19 measured before the
	// blueprint was shared.
	freshTwinIssue = 22 * time.Millisecond
)

func init() {
	register(section{name: "Fresh twin per test", run: runFreshTwin})
}

func runFreshTwin(ctx context.Context, cfg config) (string, error) {
	if _, err := mock.New(); err != nil { // the first: spec parsed, blueprint built
		return "", err
	}
	// Each run answers how long its measured part took.
	timed := func(f func() error) (time.Duration, error) {
		start := time.Now()
		err := f()
		return time.Since(start), err
	}
	newTwin := func() (time.Duration, error) {
		return timed(func() error { _, err := mock.New(); return err })
	}
	unseen := func() (time.Duration, error) {
		doc, err := openapi3.NewLoader().LoadFromData(qapi.APIYAML)
		if err != nil {
			return 0, err
		}
		return timed(func() error { _, err := mock.New(mock.WithSpec(doc)); return err })
	}
	withClient := func() (time.Duration, error) {
		return timed(func() error {
			srv, err := mock.Start(mock.WithTLS())
			if err != nil {
				return err
			}
			defer srv.Close()
			c, err := client.New(srv.URL, client.WithCredentials(mock.DefaultUser, mock.DefaultPassword), client.WithCABundle(srv.CertPEM))
			if err != nil {
				return err
			}
			return c.Login(ctx)
		})
	}
	rows := []struct {
		name   string
		run    func() (time.Duration, error)
		target bool
	}{
		{"`mock.New()`, after the first", newTwin, true},
		{"`mock.New(mock.WithSpec(doc))` of a document not served before (router and plans built, as for every twin before; parse aside)", unseen, false},
		{"`mock.Start(mock.WithTLS())`, a client logged in over TLS, `Close` (what `mocktest.New` does)", withClient, false},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "A fresh twin per test on the embedded api.yaml: %d in a row after the first, in the bench process. Issue 19 measured about %s per fresh twin before what a twin works out from its document was shared; the target is at most %s.\n\n", freshTwins, freshTwinIssue, freshTwinTarget)
	b.WriteString("| what | median | mean | target |\n|---|---:|---:|---|\n")
	fmt.Fprintf(&b, "| issue 19's figure (mock.New before) | %s | | |\n", freshTwinIssue)
	for _, r := range rows {
		var took []time.Duration
		for range freshTwins {
			d, err := r.run()
			if err != nil {
				return b.String(), fmt.Errorf("%s: %w", r.name, err)
			}
			took = append(took, d)
		}
		var sum time.Duration
		for _, d := range took {
			sum += d
		}
		med := medianDuration(took)
		target := ""
		if r.target {
			target = fmt.Sprintf("≤ %s: %s", freshTwinTarget, metOrNot(med <= freshTwinTarget))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.name, roundDuration(med), roundDuration(sum/time.Duration(len(took))), target)
	}
	return b.String(), nil
}

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

// roundDuration keeps three significant figures or so.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}
