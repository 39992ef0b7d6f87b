package mock

import (
	"context"
	"net/http"

	"github.com/qapitools/qapi/gen"
	"github.com/qapitools/qapi/internal/oas"
	"github.com/qapitools/qapi/mock/internal/server"
)

// The cluster itself: the release it runs, and nodes that are added by an
// action, not created as items.

var clusterModule = module{
	families: map[string]*family{
		"/cluster/nodes": {action: true},
	},
}

// version is what GET /v1/version answers: the release the guide
// documents, in the form clients parse (Qumulo Core x.y.z).
var version = gen.VersionInfo{
	RevisionID: new("Qumulo Core " + oas.ProductVersion), BuildID: new(oas.ProductVersion + ".1"),
	Flavor: new("release"), BuildDate: new("2024-10-01T00:00:00Z"),
}

// versionView is the version with the ETag every read carries; it never
// changes.
type versionView struct {
	server.GetVersion200JSONResponse
}

// VisitGetVersionResponse writes the version with its ETag.
func (v versionView) VisitGetVersionResponse(w http.ResponseWriter) error {
	w.Header().Set("ETag", etag(0))
	return v.GetVersion200JSONResponse.VisitGetVersionResponse(w)
}

// GetVersion answers the release the twin plays.
func (t *typedServer) GetVersion(context.Context, server.GetVersionRequestObject) (server.GetVersionResponseObject, error) {
	return versionView{server.GetVersion200JSONResponse(version)}, nil
}
