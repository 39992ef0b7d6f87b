package client_test

import (
	"context"
	"fmt"
	"time"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
)

// A read saves the ETag; the write that follows applies only if no one
// changed the share in between.
func ExampleSaveETag() {
	ctx := context.Background()
	c, err := client.New("qumulo.example.com", client.WithCredentials("admin", "secret"))
	if err != nil {
		panic(err)
	}
	var etag string
	share, err := c.SMB.GetShare(ctx, "projects", client.SaveETag(&etag))
	if err != nil {
		panic(err)
	}
	share.Description = client.Ptr("Project files, read only")
	if _, err := c.SMB.ReplaceShare(ctx, "projects", nil, *share, client.IfMatch(etag)); client.IsPreconditionFailed(err) {
		fmt.Println("someone changed the share meanwhile; read it again")
	}
}

// Prepare an upgrade, which the cluster does in the background, and wait
// at most half an hour for it.
func ExampleWait() {
	ctx := context.Background()
	c, err := client.New("qumulo.example.com", client.WithCredentials("admin", "secret"))
	if err != nil {
		panic(err)
	}
	if err := c.Upgrade.Prepare(ctx, gen.UpgradePrepareRequest{}); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	err = client.Wait(ctx, func(ctx context.Context) (bool, error) {
		s, err := c.Upgrade.GetStatus(ctx)
		return err == nil && s.State != nil && *s.State == gen.UpgradeStatePrepared, err
	})
	if err != nil {
		panic(err)
	}
}

// Delete a directory tree and wait until it is gone. The job's id (the
// directory's file id) is all a program that restarts meanwhile needs to
// wait again: c.TreeDelete.Job(id).Wait(ctx).
func ExampleTreeDeleteService_CreateJob() {
	ctx := context.Background()
	c, err := client.New("qumulo.example.com", client.WithCredentials("admin", "secret"))
	if err != nil {
		panic(err)
	}
	job, err := c.TreeDelete.CreateJob(ctx, gen.TreeDeleteJobPost{ID: client.Ptr("/scratch")})
	if err != nil {
		panic(err)
	}
	if err := job.Wait(ctx); err != nil {
		panic(err) // errors.Is(err, client.ErrJobFailed) when the job stopped on an error
	}
}
