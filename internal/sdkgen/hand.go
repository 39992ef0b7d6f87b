package sdkgen

import "slices"

// handWritten are the operations whose methods package client writes by
// hand, with the names and documents the generator would give them, where
// a generated one cannot do what the method must: starting a tree delete
// returns a handle on the job (client/jobs.go), whose id the answer, 202
// with no body, does not carry, and an Active Directory action a handle on
// the cluster's monitor that knows which action it waits for
// (client/adjob.go), as preparing and committing an upgrade return one on
// the upgrade's status (client/upgradejob.go), starting a reboot cycle one
// on the Reboot Manager's (client/rebootjob.go) and replicating a source
// relationship one on the relationship's (client/replicationjob.go).
var handWritten = map[string]string{
	"CreateTreeDeleteJob":                    "client/jobs.go",
	"RestartTreeDeleteJob":                   "client/jobs.go",
	"JoinAD":                                 "client/adjob.go",
	"LeaveAD":                                "client/adjob.go",
	"ReconfigureAD":                          "client/adjob.go",
	"PrepareUpgrade":                         "client/upgradejob.go",
	"CommitUpgrade":                          "client/upgradejob.go",
	"StartShutdownReboot":                    "client/rebootjob.go",
	"ReplicateReplicationSourceRelationship": "client/replicationjob.go",
}

// HandWrittenFiles lists the files of package client, from the module's
// root, that hold the methods written by hand, sorted.
func HandWrittenFiles() []string {
	var files []string
	for _, f := range handWritten {
		if !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	slices.Sort(files)
	return files
}
