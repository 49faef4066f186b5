// Command benchreport measures the provider's performance figures in one run
// and prints them as a table of ratios against their goals:
//
//   - listing 20,000 connections against a simulated 200 ms round trip, with
//     the default 4 requests in flight and with 1, against the ideal
//     (1 + ⌈9/4⌉) × 200 ms;
//   - 200 lookups of 20 distinct ids: API calls, and time against the same
//     lookups made one by one, uncoalesced;
//   - page calls per read of 1; 2,000; 2,001 and 100,000 connections;
//   - for a terraform plan listing 20,000 and 100,000 connections: the CPU
//     time and peak RSS of the provider processes (summed over, and the
//     largest of, every one Terraform starts) against the same provider
//     served by the framework alone, and the plan's wall time and CPU time
//     (terraform and its providers) against the same job done with
//     hashicorp/http and jsondecode.
//
// Run it inside the module: go run ./internal/cmd/benchreport
// It needs terraform on PATH (or TF_ACC_TERRAFORM_PATH) and a Unix system,
// and builds the provider, its framework-only baseline and hashicorp/http
// (pinned by tools/peerhttp) itself.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/bench"
	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

func main() {
	rtt := flag.Duration("rtt", 200*time.Millisecond, "simulated API round trip for the timing figures")
	runs := flag.Int("runs", 3, "terraform plans per size; the median is reported")
	profile := flag.String("profile", "", "also write CPU and allocation profiles of the provider processes of one 20,000-connection plan to this directory")
	skipSequential := flag.Bool("skip-sequential", false, "skip the sequential lookup baseline (200 round trips)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("benchreport: ")

	ctx := context.Background()
	var rows []row

	// Listing with a slow API.
	const listN = 20000
	slow, stop := listen(listN, *rtt)
	const inFlight = flosumapi.DefaultMaxConcurrentRequests
	got4, err := bench.MeasureListing(ctx, slow, inFlight)
	check(err)
	got1, err := bench.MeasureListing(ctx, slow, 1)
	check(err)
	stop()
	ideal := bench.IdealListing(listN, inFlight, *rtt)
	rows = append(rows,
		row{fmt.Sprintf("list 20,000, %d in flight / ideal %s", inFlight, ms(ideal)), ms(got4.Wall) + " / " + ms(ideal), ratio(got4.Wall, ideal), "≤ 1.25", ratioOK(got4.Wall, ideal, 1.25)},
		row{fmt.Sprintf("list 20,000, 1 in flight / %d in flight", inFlight), ms(got1.Wall) + " / " + ms(got4.Wall), ratio(got1.Wall, got4.Wall), "speed-up", ""},
		row{fmt.Sprintf("list 20,000, page calls (%d / 1 in flight)", inFlight), fmt.Sprintf("%d / %d", got4.PageCalls, got1.PageCalls), "", fmt.Sprint(bench.PagesFor(listN)), okIf(got4.PageCalls == bench.PagesFor(listN) && got1.PageCalls == bench.PagesFor(listN))},
	)

	// Lookups.
	lookupSrv, stop := listen(50, *rtt)
	coalesced, err := bench.MeasureCoalescedLookups(ctx, lookupSrv, 200, 20)
	check(err)
	rows = append(rows, row{"200 lookups of 20 ids: API calls", fmt.Sprint(coalesced.Calls), "", "20", okIf(coalesced.Calls == 20)})
	if !*skipSequential {
		sequential, err := bench.MeasureSequentialLookups(ctx, lookupSrv, 200, 20)
		check(err)
		rows = append(rows, row{"200 lookups: sequential uncoalesced / coalesced", ms(sequential.Wall) + " / " + ms(coalesced.Wall), ratio(sequential.Wall, coalesced.Wall),
			fmt.Sprintf("calls %d / %d", sequential.Calls, coalesced.Calls), ""})
	}
	stop()

	// Page calls per read.
	for _, n := range []int{1, flosumapi.PageLimit, flosumapi.PageLimit + 1, 100000} {
		srv, stop := listen(n, 0)
		got, err := bench.MeasureListing(ctx, srv, inFlight)
		check(err)
		stop()
		rows = append(rows, row{fmt.Sprintf("page calls, one read of %s", count(n)), fmt.Sprint(got.PageCalls), "", fmt.Sprint(bench.PagesFor(n)), okIf(got.PageCalls == bench.PagesFor(n))})
	}

	// terraform plan with the provider, against two baselines measured in
	// the same run, the plans of the three taking turns: the same provider
	// served by the framework alone (what the direct reads save), and the
	// same job done with hashicorp/http and jsondecode (what a user without
	// this provider would write).
	workDir, err := os.MkdirTemp("", "flosum-bench-")
	check(err)
	defer os.RemoveAll(workDir)
	flosum := newRunner(ctx, workDir, "flosum", tfrun.ProviderPackage)
	framework := newRunner(ctx, workDir, "framework-only", bench.FrameworkOnlyPackage)
	httpBinary, err := bench.BuildHTTPProvider(ctx, filepath.Join(workDir, "http", "bin"))
	check(err)
	httpRunner, err := bench.NewPlanRunner(ctx, httpBinary, bench.HTTPProviderAddress, filepath.Join(workDir, "http"))
	check(err)
	for _, size := range []struct {
		n      int
		goals  bool
		rssMax float64 // MiB
	}{{20000, true, 100}, {100000, false, 300}} {
		srv, stop := listen(size.n, 0)
		var ours, fw, peer []bench.ProcessUsage
		for range *runs {
			ours = append(ours, plan(ctx, flosum, bench.FlosumConfig(srv), size.n))
			fw = append(fw, plan(ctx, framework, bench.FlosumConfig(srv), size.n))
			peer = append(peer, plan(ctx, httpRunner, bench.HTTPConfig(srv), size.n))
		}
		stop()
		o, f, h := median(ours), median(fw), median(peer)
		goal := func(limit string) string {
			if size.goals {
				return limit
			}
			return ""
		}
		verdict := func(a, b time.Duration, limit float64) string {
			if size.goals {
				return ratioOK(a, b, limit)
			}
			return ""
		}
		rss := float64(o.PeakRSS) / (1 << 20)
		of := count(size.n)
		rows = append(rows,
			row{fmt.Sprintf("provider CPU, plan of %s: direct / framework path", of), secs(o.CPU) + " / " + secs(f.CPU), ratio(o.CPU, f.CPU), goal("≤ 0.6"), verdict(o.CPU, f.CPU, 0.6)},
			row{fmt.Sprintf("provider peak RSS, plan of %s (framework path %s)", of, mib(f.PeakRSS)), mib(o.PeakRSS), fmt.Sprintf("%.2f× goal", rss/size.rssMax), fmt.Sprintf("< %.0f MiB", size.rssMax), okIf(rss < size.rssMax)},
			row{fmt.Sprintf("plan of %s, wall: flosum / hashicorp/http", of), secs(o.Wall) + " / " + secs(h.Wall), ratio(o.Wall, h.Wall), goal("≤ 0.6"), verdict(o.Wall, h.Wall, 0.6)},
			row{fmt.Sprintf("plan of %s, CPU of terraform and providers: flosum / hashicorp/http", of), secs(o.PlanCPU) + " / " + secs(h.PlanCPU), ratio(o.PlanCPU, h.PlanCPU), goal("≤ 0.6"), verdict(o.PlanCPU, h.PlanCPU, 0.6)},
			row{fmt.Sprintf("  of which providers: flosum / hashicorp/http (%d / %d processes)", o.Invocations, h.Invocations), secs(o.CPU) + " / " + secs(h.CPU), ratio(o.CPU, h.CPU), "", ""},
		)
	}

	if *profile != "" {
		check(writeProfiles(ctx, workDir, *profile))
	}

	fmt.Printf("\nFlosum provider benchmark (round trip %s, %d plan runs per size, median)\n\n", *rtt, *runs)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "figure\tmeasured\tratio\tgoal\t")
	fmt.Fprintln(w, "------\t--------\t-----\t----\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.figure, r.measured, r.ratio, r.goal, r.verdict)
	}
	check(w.Flush())
}

type row struct{ figure, measured, ratio, goal, verdict string }

// listen serves n seeded connections with the given latency on a loopback
// port in this process (its CPU is not the provider's).
func listen(n int, latency time.Duration) (*testserver.Server, func()) {
	srv, httpServer, err := testserver.Listen("127.0.0.1:0", testserver.Options{Connections: testserver.Seed(n), Latency: latency})
	check(err)
	return srv, func() { _ = httpServer.Close() }
}

func writeProfiles(ctx context.Context, workDir, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	runner := newRunner(ctx, workDir, "profiled", bench.ProfiledProviderPackage)
	runner.SetEnv("FLOSUM_CPUPROFILE="+filepath.Join(dir, "cpu.pprof"), "FLOSUM_MEMPROFILE="+filepath.Join(dir, "allocs.pprof"))
	srv, stop := listen(20000, 0)
	defer stop()
	plan(ctx, runner, bench.FlosumConfig(srv), 20000)
	log.Printf("profiles of each provider process (by pid) are in %s; the largest is the one that read the list", dir)
	return nil
}

// newRunner builds the main package mainPackage as the flosum provider and
// a plan runner for it, in workDir/label.
func newRunner(ctx context.Context, workDir, label, mainPackage string) *bench.PlanRunner {
	dir := filepath.Join(workDir, label)
	binary, err := bench.BuildProvider(ctx, mainPackage, provider.Address, filepath.Join(dir, "bin"))
	check(err)
	runner, err := bench.NewPlanRunner(ctx, binary, provider.Address, dir)
	check(err)
	return runner
}

func plan(ctx context.Context, r *bench.PlanRunner, config string, want int) bench.ProcessUsage {
	u, err := r.Plan(ctx, config, want)
	check(err)
	return u
}

// median is each figure's own median over the runs.
func median(usages []bench.ProcessUsage) bench.ProcessUsage {
	return bench.ProcessUsage{
		Invocations: medianOf(usages, func(u bench.ProcessUsage) int { return u.Invocations }),
		CPU:         medianOf(usages, func(u bench.ProcessUsage) time.Duration { return u.CPU }),
		PeakRSS:     medianOf(usages, func(u bench.ProcessUsage) int64 { return u.PeakRSS }),
		Wall:        medianOf(usages, func(u bench.ProcessUsage) time.Duration { return u.Wall }),
		PlanCPU:     medianOf(usages, func(u bench.ProcessUsage) time.Duration { return u.PlanCPU }),
	}
}

func medianOf[T cmp.Ordered](usages []bench.ProcessUsage, figure func(bench.ProcessUsage) T) T {
	values := make([]T, len(usages))
	for i, u := range usages {
		values[i] = figure(u)
	}
	slices.Sort(values)
	return values[len(values)/2]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

func mib(bytes int64) string { return fmt.Sprintf("%.0f MiB", float64(bytes)/(1<<20)) }

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func ratio(a, b time.Duration) string { return fmt.Sprintf("%.2f×", float64(a)/float64(b)) }

func ratioOK(a, b time.Duration, limit float64) string { return okIf(float64(a)/float64(b) <= limit) }

func okIf(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

func count(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
