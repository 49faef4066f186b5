// Package bench measures the provider's performance: page calls per read,
// coalesced lookups, TCP connection reuse, listing time against a slow API,
// and the CPU time and memory of the provider process under terraform plan.
//
// Its tests (run by make test) check counts, never bare times: page calls,
// coalesced calls and connections per provider client (the coalescing test
// also bounds the wall time of lookups started together). Its
// benchmarks and the benchreport command (make bench) measure times and
// report them as ratios measured in the same run.
//
// Commands:
//   - cmd/benchreport prints the table of figures;
//   - cmd/measure runs a program and appends its CPU time and peak RSS to a
//     file (rusage; no GNU time needed);
//   - cmd/provider-profiled is the provider writing pprof profiles.
package bench
