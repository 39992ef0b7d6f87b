package convert

import "testing"

// The pages type every number number; the names and descriptions below are
// the guide's own (2024-10-16), with the type clusters send.
func TestNumberType(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, description, want string }{
		{"id", "The unique snapshot identifier.", "integer"},
		{"id", "Hub portal ID", "integer"},
		{"tenant_id", "The tenant ID of the tenant that the NFS export is a part of", "integer"},
		{"networks", "List of network IDs associated with this tenant.", "integer"},
		{"port", "HTTPS port to use when communicating with the object store (default: 443)", "integer"},
		{"target_port", "Network port to replicate to on the target (defaults to 3712)", "integer"},
		{"child_count", "Count of children (valid for directories)", "integer"},
		{"num_iterations", "num_iterations", "integer"},
		{"max_node_failures", "The maximum number of node failures this cluster can sustain and remain operational.", "integer"},
		{"hour", "For MONTHLY or DAILY_OR_WEEKLY frequency: Hour of day [0, 23] at which to take snapshot", "integer"},
		{"window_end_minute", "For HOURLY_OR_LESS frequency: minute of hour [0, 59] for end of window during which to take snapshots", "integer"},
		{"elapsed_seconds", "Elapsed time since the current phase began (0 if state is not RUNNING).", "integer"},
		{"estimated_seconds_left", "How much longer the current phase is expected to take (UINTMAX if status != RUNNING).", "integer"},
		{"uid", "uid", "integer"},
		{"gid_numbers", "gid_numbers", "integer"},
		{"mtu", "(STATIC only) The maximum transfer unit (MTU) in bytes", "integer"},
		{"vlan_id", "User assigned VLAN tag for network configuration. 1-4094 are valid VLAN IDs and 0 is used for untagged networks.", "integer"},
		{"speed", "Network card speed in Mbps.", "integer"},
		{"block_size_bytes", "File system block size in bytes", "integer"},
		{"value", "The number of either DAYS or YEARS in the retention period", "integer"},
		{"value", "The bytes that represent the Base64-encoded value of the user-defined metadata entry.", "integer"},
		{"times", "times", "integer"},
		{"period_start_time", "period_start_time", "integer"},
		{"available_ips", "Number of IP addresses available; can be negative", "integer"},
		{"major", "major", "integer"},
		{"percent_complete", "Percent completion of the current phase (0 if state is not RUNNING).", "number"},
		{"percent_complete", "Percent of way through the job, computed from a weighting of data and files processed", "number"},
		{"free_threshold", "Fraction of free total cluster capacity that the system will try to maintain by evicting cached spoke portal data", "number"},
		{"rate", "rate", "number"},
		{"progress", "progress", "number"},
		{"values", "values", "number"},
		{"read_ratio", "read_ratio", "number"},
		{"latency", "The average latency of the last minute", "number"},
		{"throughput", "Bytes per second", "number"},
	} {
		typ, format := numberType(c.name, c.description)
		if typ != c.want {
			t.Errorf("numberType(%q, %q) = %s, want %s", c.name, c.description, typ, c.want)
		}
		if want := map[string]string{"integer": "int64", "number": "double"}[c.want]; format != want {
			t.Errorf("numberType(%q, %q) has format %s, want %s", c.name, c.description, format, want)
		}
	}
}
