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

// Add nodes, which the cluster does in the background, and wait at most
// half an hour until it lists them.
func ExampleWait() {
	ctx := context.Background()
	c, err := client.New("qumulo.example.com", client.WithCredentials("admin", "secret"))
	if err != nil {
		panic(err)
	}
	uuids := []string{"5a4b…", "9c1d…"}
	nodes, err := c.Cluster.ListNodes(ctx)
	if err != nil {
		panic(err)
	}
	want := len(nodes) + len(uuids)
	if err := c.Cluster.CreateNodeV1(ctx, gen.ClusterNodesModifyRequestV1{NodeUUIDs: &uuids}); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	err = client.Wait(ctx, func(ctx context.Context) (bool, error) {
		nodes, err := c.Cluster.ListNodes(ctx)
		return len(nodes) >= want, err
	})
	if err != nil {
		panic(err)
	}
}

// Prepare an upgrade, which the cluster does in the background, wait at
// most half an hour for it, then commit it. The job fails fast with the
// cluster's error_info; c.Upgrade.PrepareJob() rebuilds the handle after a
// restart.
func ExampleUpgradeService_Prepare() {
	ctx := context.Background()
	c, err := client.New("qumulo.example.com", client.WithCredentials("admin", "secret"))
	if err != nil {
		panic(err)
	}
	job, err := c.Upgrade.Prepare(ctx, gen.UpgradePrepareRequest{ImagePath: client.Ptr("/upgrade/qumulo_core.qimg")})
	if err != nil {
		panic(err)
	}
	wait, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	if err := job.Wait(wait); err != nil {
		panic(err) // errors.Is(err, client.ErrJobFailed) when the prepare failed
	}
	if _, err := c.Upgrade.Commit(ctx); err != nil {
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
