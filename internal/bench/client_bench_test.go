package bench

import (
	"context"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// benchRTT is the simulated API round trip of the timing benchmarks.
const benchRTT = 200 * time.Millisecond

// BenchmarkListing20k reads 20,000 connections against a 200 ms round trip
// with the default 4 requests in flight and with 1, in the same op, and
// reports the ratios: x-ideal is the default's time over the ideal
// (1 + ⌈9/4⌉) × 200 ms = 800 ms (goal ≤ 1.25); x-sequential is the time
// with 1 request in flight over the default's.
func BenchmarkListing20k(b *testing.B) {
	const n = 20000
	srv := testserver.Start(b, testserver.Options{Connections: testserver.Seed(n), Latency: benchRTT})
	ctx := context.Background()
	ideal := IdealListing(n, flosumapi.DefaultMaxConcurrentRequests, benchRTT)
	var concurrent, sequential time.Duration
	for b.Loop() {
		got4, err := MeasureListing(ctx, srv, flosumapi.DefaultMaxConcurrentRequests)
		if err != nil {
			b.Fatal(err)
		}
		got1, err := MeasureListing(ctx, srv, 1)
		if err != nil {
			b.Fatal(err)
		}
		concurrent += got4.Wall
		sequential += got1.Wall
	}
	b.ReportMetric(float64(concurrent)/float64(b.N)/float64(ideal), "x-ideal")
	b.ReportMetric(float64(sequential)/float64(concurrent), "x-sequential")
	b.ReportMetric(concurrent.Seconds()/float64(b.N), "s/read")
}

// BenchmarkLookups200 makes 200 concurrent lookups of 20 distinct ids
// against a 200 ms round trip and reports the API calls they made (goal 20)
// and the time over the ideal ⌈20/4⌉ × 200 ms. The sequential, uncoalesced
// baseline (200 × 200 ms) is measured by benchreport.
func BenchmarkLookups200(b *testing.B) {
	srv := testserver.Start(b, testserver.Options{Connections: testserver.Seed(50), Latency: benchRTT})
	ctx := context.Background()
	const lookups, distinct = 200, 20
	ideal := time.Duration((distinct+flosumapi.DefaultMaxConcurrentRequests-1)/flosumapi.DefaultMaxConcurrentRequests) * benchRTT
	var wall time.Duration
	calls := 0
	for b.Loop() {
		got, err := MeasureCoalescedLookups(ctx, srv, lookups, distinct)
		if err != nil {
			b.Fatal(err)
		}
		wall += got.Wall
		calls += got.Calls
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls")
	b.ReportMetric(float64(wall)/float64(b.N)/float64(ideal), "x-ideal")
}

// BenchmarkPageCalls reports the page calls of one read of N connections
// (goal ⌈N/2000⌉, 1 for N ≤ 2000).
func BenchmarkPageCalls(b *testing.B) {
	for _, n := range []int{1, flosumapi.PageLimit, flosumapi.PageLimit + 1, 100000} {
		b.Run(itoaSize(n), func(b *testing.B) {
			srv := testserver.Start(b, testserver.Options{Connections: testserver.Seed(n)})
			calls := 0
			for b.Loop() {
				got, err := MeasureListing(context.Background(), srv, flosumapi.DefaultMaxConcurrentRequests)
				if err != nil {
					b.Fatal(err)
				}
				calls += got.PageCalls
			}
			b.ReportMetric(float64(calls)/float64(b.N), "calls")
			b.ReportMetric(float64(PagesFor(n)), "want-calls")
		})
	}
}
