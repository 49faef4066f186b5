// Package bench measures the provider's performance: page calls per read,
// coalesced lookups, TCP connection reuse, listing time against a slow API,
// and the CPU time and memory of the provider process under terraform plan.
//
// Its tests (run by make test) check counts and equivalences only, never
// times: page calls, coalesced calls, connections per provider client, and
// that the state built without attr values is exactly what the plain
// framework way gives. Its benchmarks and the
// benchreport command (make bench) measure times and report them as ratios
// measured in the same run.
//
// Commands:
//   - cmd/benchreport prints the table of figures;
//   - cmd/measure runs a program and appends its CPU time and peak RSS to a
//     file (rusage; no GNU time needed);
//   - cmd/provider-profiled is the provider writing pprof profiles.
package bench
