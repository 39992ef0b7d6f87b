package client_test

import (
	"context"

	"github.com/qapitools/qapi/client"
	"github.com/qapitools/qapi/gen"
)

// Create, get and list of one object answer one type, so what a list
// holds is what a get returns (convert's rule for the entries of a
// collection); this file does not compile otherwise.
var (
	_ func(*client.NFSService, context.Context, *gen.CreateNFSExportParams, gen.NFSExportPostV3, ...client.RequestOption) (*gen.NFSExportV3, error) = (*client.NFSService).CreateExport
	_ func(*client.NFSService, context.Context, string, ...client.RequestOption) (*gen.NFSExportV3, error)                                          = (*client.NFSService).GetExport
	_ func(*client.NFSService, context.Context, ...client.RequestOption) ([]gen.NFSExportV3, error)                                                 = (*client.NFSService).ListExports
	_ func(*client.MultitenancyService, context.Context, gen.TenantConfigPost, ...client.RequestOption) (*gen.TenantConfig, error)                  = (*client.MultitenancyService).CreateTenant
	_ func(*client.MultitenancyService, context.Context, int64, ...client.RequestOption) (*gen.TenantConfig, error)                                 = (*client.MultitenancyService).GetTenant
	_ func(*client.MultitenancyService, context.Context, ...client.RequestOption) ([]gen.TenantConfig, error)                                       = (*client.MultitenancyService).ListTenants
	_ func(*client.PortalService, context.Context, int64, ...client.RequestOption) (*gen.PortalHubRelationship, error)                              = (*client.PortalService).GetHub
	_ func(*client.PortalService, context.Context, ...client.RequestOption) ([]gen.PortalHubRelationship, error)                                    = (*client.PortalService).ListHubs
	_ func(*client.PortalService, context.Context, int64, ...client.RequestOption) (*gen.PortalSpokeRelationship, error)                            = (*client.PortalService).GetSpoke
	_ func(*client.PortalService, context.Context, ...client.RequestOption) ([]gen.PortalSpokeRelationship, error)                                  = (*client.PortalService).ListSpokes

	// What is read of an object can be sent back in a create: nested
	// objects under one property name are one type (convert's rule).
	_ = gen.NFSExportPostV3{Restrictions: gen.NFSExportV3{}.Restrictions}
	_ = gen.SMBSharePostV3{Permissions: gen.SMBShareV3{}.Permissions, NetworkPermissions: gen.SMBShareV3{}.NetworkPermissions}
	_ = gen.SnapshotPolicyCreateV2{Schedule: gen.SnapshotPolicyInfoV2{}.Schedule}
)
