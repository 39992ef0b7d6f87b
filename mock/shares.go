package mock

// Shares and exports: SMB shares are addressed by id or share name, NFS
// exports by id or export path, and a fresh cluster exports / over NFS.
// The directory a share or export names must exist, unless the create
// allows the twin to make it (allow-fs-path-create=true).

var sharesModule = module{
	families: map[string]*family{
		"/smb/shares": {
			idField: "id", keys: []string{"share_name"}, notFound: errNoSuchEntry, exists: errInvalidRequest,
			create: needFSPath,
		},
		"/nfs/exports": {
			idField: "id", keys: []string{"export_path"}, notFound: errNFSExportMissing, exists: errInvalidRequest,
			seed: []map[string]any{{
				"id": "1", "export_path": "/", "fs_path": "/", "description": "", "tenant_id": 1,
				"fields_to_present_as_32_bit": []any{},
				"restrictions": []any{map[string]any{
					"host_restrictions": []any{}, "read_only": false, "require_privileged_port": false,
					"user_mapping": "NFS_MAP_NONE",
				}},
			}},
			create: needFSPath,
		},
	},
}

func needFSPath(e *engine, c *call, item map[string]any) (map[string]any, error) {
	return nil, e.needDir(item, "fs_path", c.query("allow-fs-path-create") == "true")
}
