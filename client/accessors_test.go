package client_test

import (
	"testing"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/mock/mocktest"
)

// Answers read without nil checks: gen's accessors return the value of a
// pointer field, or its zero value when the field or the answer is nil.
func TestAccessorsReadAnswers(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	ctx := t.Context()
	c := tw.Client

	v, err := c.Version.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v.GetRevisionID() == "" || v.GetRevisionID() != *v.RevisionID {
		t.Errorf("GetRevisionID() = %q, field %v", v.GetRevisionID(), v.RevisionID)
	}
	dir, err := c.Files.CreateFileEntry(ctx, "/", gen.FilesCreateEntry{Name: client.Ptr("projects"), Action: client.Ptr(gen.CreateDirectory)})
	if err != nil {
		t.Fatal(err)
	}
	share, err := c.SMB.CreateShare(ctx, nil, gen.SMBSharePostV3{ShareName: client.Ptr("projects"), FSPath: client.Ptr("/projects")})
	if err != nil {
		t.Fatal(err)
	}
	export, err := c.NFS.CreateExport(ctx, nil, gen.NFSExportPostV3{ExportPath: client.Ptr("/projects"), FSPath: client.Ptr("/projects")})
	if err != nil {
		t.Fatal(err)
	}
	if dir.GetID() == "" || share.GetShareName() != "projects" || export.GetExportPath() != "/projects" {
		t.Errorf("directory %q, share %q, export %q", dir.GetID(), share.GetShareName(), export.GetExportPath())
	}

	// Absent fields and absent answers read as zero values; a struct field
	// reads as its pointer, so reads chain.
	var none *gen.SMBShareV3
	if none.GetShareName() != "" || (&gen.VersionInfo{}).GetRevisionID() != "" || none.GetNetworkPermissions() != nil {
		t.Error("an accessor of a nil answer or field is not the zero value")
	}
	var paged *gen.FilesQuotaEntries
	if paged.GetPaging().GetNext() != "" {
		t.Error("a chain of accessors through nil is not the zero value")
	}
}

// A list that does not page is its items: a fresh twin exports / over NFS.
func TestListReturnsItems(t *testing.T) {
	t.Parallel()
	tw := mocktest.New(t)
	exports, err := tw.Client.NFS.ListExports(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(exports) != 1 || exports[0].GetExportPath() != "/" {
		t.Errorf("exports %+v, want the export of /", exports)
	}
}
