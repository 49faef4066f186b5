// Package bench measures the provider's performance: page calls per read,
// coalesced lookups, TCP connection reuse, listing time against a slow API,
// and the CPU time and memory of the provider process under terraform plan.
//
// Its test (run by make test) counts the TCP connections each provider
// client opens under Terraform; the client's own counts (page calls,
// coalesced calls) are tested in internal/flosumapi. Its benchmarks and the
// benchreport command (make bench) measure times and report them as ratios
// measured in the same run.
//
// Commands it uses, under internal/cmd:
//   - benchreport prints the table of figures;
//   - measure runs a program and appends its CPU time and peak RSS to a
//     file (rusage; no GNU time needed);
//   - provider-profiled is the provider writing pprof profiles.
package bench
