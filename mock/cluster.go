package mock

import "github.com/qapitools/qapi/internal/oas"

// The cluster itself: the release it runs, and nodes that are added by an
// action, not created as items.

var clusterModule = module{
	families: map[string]*family{
		"/cluster/nodes": {action: true},
	},
	singletons: map[string]map[string]any{
		"/version": {
			"revision_id": "Qumulo Core " + oas.ProductVersion, "build_id": oas.ProductVersion + ".1",
			"flavor": "release", "build_date": "2024-10-01T00:00:00Z",
		},
	},
}
