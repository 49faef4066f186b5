package flosumapi

import (
	"context"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"

	"golang.org/x/sync/errgroup"
)

// BenchmarkListRecheckCost measures, for 20,000 connections and a 200 ms
// round trip, what detecting the delete-plus-add race would add to a read
// (TestListDeleteAndAddBetweenPages): re-reading page 1 at the end, or the
// item before each page boundary (limit=1), which catches any shift across
// a boundary that is still there when it is re-read. Ratios are against the
// plain read in the same run.
//
//	go test -run '^$' -bench ListRecheckCost -benchtime 3x ./internal/flosumapi/
func BenchmarkListRecheckCost(b *testing.B) {
	const n, rtt = 20000, 200 * time.Millisecond
	srv := testserver.Start(b, testserver.Options{Token: secretToken, Connections: testserver.Seed(n), Latency: rtt})
	ctx := context.Background()
	var plain, page1, boundaries time.Duration
	var plainCalls, page1Calls, boundaryCalls int
	for b.Loop() {
		client, err := New(Config{BaseURL: srv.URL, AccessToken: secretToken})
		if err != nil {
			b.Fatal(err)
		}
		l := connectionsList("")
		measure := func(extra func() error) (time.Duration, int) {
			srv.ResetRequests()
			start := time.Now()
			if _, err := readOnce(ctx, client, l); err != nil {
				b.Fatal(err)
			}
			if extra != nil {
				if err := extra(); err != nil {
					b.Fatal(err)
				}
			}
			return time.Since(start), srv.RequestCount()
		}
		d, calls := measure(nil)
		plain, plainCalls = plain+d, calls
		d, calls = measure(func() error { _, err := l.readPage(ctx, client, 1, PageLimit); return err })
		page1, page1Calls = page1+d, calls
		d, calls = measure(func() error {
			group, groupCtx := errgroup.WithContext(ctx)
			for k := 1; k < (n+PageLimit-1)/PageLimit; k++ {
				group.Go(func() error { _, err := l.readPage(groupCtx, client, k*PageLimit, 1); return err })
			}
			return group.Wait()
		})
		boundaries, boundaryCalls = boundaries+d, calls
		client.CloseIdleConnections()
	}
	b.ReportMetric(float64(plainCalls), "calls")
	b.ReportMetric(float64(page1Calls), "calls/page1-recheck")
	b.ReportMetric(float64(boundaryCalls), "calls/boundary-recheck")
	b.ReportMetric(page1.Seconds()/plain.Seconds(), "wall-ratio/page1-recheck")
	b.ReportMetric(boundaries.Seconds()/plain.Seconds(), "wall-ratio/boundary-recheck")
}
