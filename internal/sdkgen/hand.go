package sdkgen

// handWritten are the operations whose methods package client writes by
// hand, with the names and documents the generator would give them, where
// a generated one cannot do what the method must: starting a tree delete
// returns a handle on the job (client/jobs.go), whose id the answer, 202
// with no body, does not carry.
var handWritten = map[string]string{
	"CreateTreeDeleteJob":  "client/jobs.go",
	"RestartTreeDeleteJob": "client/jobs.go",
}
