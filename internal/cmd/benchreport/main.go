// Command benchreport measures the provider's performance figures in one run
// and prints them as a table of ratios against their goals:
//
//   - listing 20,000 connections against a simulated 200 ms round trip, with
//     the default 4 requests in flight and with 1, against the ideal
//     (1 + ⌈9/4⌉) × 200 ms;
//   - 200 lookups of 20 distinct ids: API calls, and time against the same
//     lookups made one by one, uncoalesced;
//   - page calls per read of 1; 2,000; 2,001 and 100,000 connections;
//   - CPU time and peak RSS of the provider process (summed over, and the
//     largest of, every provider process Terraform starts) for a terraform
//     plan listing 20,000 and 100,000 connections.
//
// Run it inside the module: go run ./internal/cmd/benchreport
// It needs terraform on PATH (or TF_ACC_TERRAFORM_PATH) and a Unix system,
// and builds the provider itself.
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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/bench"
	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
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

	// The provider process under terraform plan.
	workDir, err := os.MkdirTemp("", "flosum-bench-")
	check(err)
	defer os.RemoveAll(workDir)
	providers := []struct{ label, mainPackage string }{{"provider", tfrun.ProviderPackage}}
	for _, p := range providers {
		runner, err := bench.NewPlanRunner(ctx, p.mainPackage, filepath.Join(workDir, strings.ReplaceAll(p.label, " ", "-")))
		check(err)
		for _, size := range []struct {
			n      int
			cpuMax float64 // seconds; 0 for none
			rssMax float64 // MiB
		}{{20000, 0.4, 100}, {100000, 0, 300}} {
			srv, stop := listen(size.n, 0)
			var usages []bench.ProcessUsage
			for range *runs {
				u, err := runner.PlanConnections(ctx, srv, size.n)
				check(err)
				usages = append(usages, u)
			}
			stop()
			u := median(usages)
			cpu := u.CPU.Seconds()
			rss := float64(u.PeakRSS) / (1 << 20)
			cpuGoal, cpuRatio, cpuVerdict := "none", "", ""
			if size.cpuMax > 0 {
				cpuGoal, cpuRatio, cpuVerdict = fmt.Sprintf("≤ %.1f s", size.cpuMax), fmt.Sprintf("%.2f× goal", cpu/size.cpuMax), okIf(cpu <= size.cpuMax)
			}
			rows = append(rows,
				row{fmt.Sprintf("%s CPU, plan of %s (%d processes)", p.label, count(size.n), u.Invocations), fmt.Sprintf("%.3f s", cpu), cpuRatio, cpuGoal, cpuVerdict},
				row{fmt.Sprintf("%s peak RSS, plan of %s", p.label, count(size.n)), fmt.Sprintf("%.0f MiB", rss), fmt.Sprintf("%.2f× goal", rss/size.rssMax), fmt.Sprintf("< %.0f MiB", size.rssMax), okIf(rss < size.rssMax)},
			)
		}
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
	runner, err := bench.NewPlanRunner(ctx, bench.ProfiledProviderPackage, filepath.Join(workDir, "profiled"))
	if err != nil {
		return err
	}
	runner.SetEnv("FLOSUM_CPUPROFILE="+filepath.Join(dir, "cpu.pprof"), "FLOSUM_MEMPROFILE="+filepath.Join(dir, "allocs.pprof"))
	srv, stop := listen(20000, 0)
	defer stop()
	if _, err := runner.PlanConnections(ctx, srv, 20000); err != nil {
		return err
	}
	log.Printf("profiles of each provider process (by pid) are in %s; the largest is the one that read the list", dir)
	return nil
}

func median(usages []bench.ProcessUsage) bench.ProcessUsage {
	byCPU := slices.Clone(usages)
	slices.SortFunc(byCPU, func(a, b bench.ProcessUsage) int { return cmp.Compare(a.CPU, b.CPU) })
	byRSS := slices.Clone(usages)
	slices.SortFunc(byRSS, func(a, b bench.ProcessUsage) int { return cmp.Compare(a.PeakRSS, b.PeakRSS) })
	m := byCPU[len(byCPU)/2]
	m.PeakRSS = byRSS[len(byRSS)/2].PeakRSS
	return m
}

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
