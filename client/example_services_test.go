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

// Delete a directory tree and wait until it is gone.
func ExampleTreeDeleteService_WaitJob() {
	ctx := context.Background()
	c, err := client.New("qumulo.example.com", client.WithCredentials("admin", "secret"))
	if err != nil {
		panic(err)
	}
	dir, err := c.Files.GetFileInfoAttributes(ctx, "/scratch", nil)
	if err != nil {
		panic(err)
	}
	if err := c.TreeDelete.CreateJob(ctx, gen.TreeDeleteJobPost{ID: dir.ID}); err != nil {
		panic(err)
	}
	if err := c.TreeDelete.WaitJob(ctx, *dir.ID); err != nil {
		panic(err)
	}
}
