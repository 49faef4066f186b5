// Package bench measures the provider's performance: page calls per read,
// coalesced lookups, TCP connection reuse, listing time against a slow API,
// and the CPU time and memory of the provider process under terraform plan.
//
// Its tests (run by make test) count the TCP connections each provider
// client opens under Terraform and run once each plan the benchmark
// measures; the client's own counts (page calls, coalesced calls) are tested
// in internal/flosumapi. Its benchmarks and the
// benchreport command (make bench) measure times and report them as ratios
// measured in the same run.
//
// Commands it uses, under internal/cmd:
//   - benchreport prints the table of figures;
//   - measure runs a program and appends its CPU time and peak RSS to a
//     file (rusage; no GNU time needed);
//   - provider-profiled is the provider writing pprof profiles;
//   - provider-framework-only is the provider without its direct reads, the
//     baseline they are measured against.
//
// The other baseline, hashicorp/http listing the same connections with
// jsondecode, is built from tools/peerhttp.
package bench
