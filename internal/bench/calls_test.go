package bench

import (
	"context"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// One read of the list makes exactly ⌈N/2000⌉ page calls (1 when N ≤ 2000).
func TestPageCallsPerRead(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2000, 2001, 4000, 100000} {
		srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(n)})
		for _, concurrency := range []int{1, 4} {
			got, err := MeasureListing(context.Background(), srv, concurrency)
			if err != nil {
				t.Fatalf("N=%d, concurrency %d: %v", n, concurrency, err)
			}
			if got.Connections != n || got.PageCalls != PagesFor(n) {
				t.Errorf("N=%d, concurrency %d: read %d connections in %d page calls, want %d in %d",
					n, concurrency, got.Connections, got.PageCalls, n, PagesFor(n))
			}
		}
	}
}

// 200 lookups of 20 distinct ids, all started at once, cost 20 calls in
// about (1 + ⌈20/4⌉) round trips: a lookup that finds the same id already in
// flight waits for that request instead of making its own. The remembered
// answers alone cannot do this: every lookup starts before any answer
// arrives, so without in-flight sharing each would miss and make its own
// request (200 calls, at 4 in flight ⌈200/4⌉ = 50 round trips).
func TestLookupsCoalesced(t *testing.T) {
	t.Parallel()
	const (
		lookups  = 200
		distinct = 20
		latency  = 100 * time.Millisecond
		// margin absorbs scheduling and connection set-up; well under the
		// 45 extra round trips that unshared lookups would take.
		margin = 500 * time.Millisecond
	)
	srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(50), Latency: latency})
	got, err := MeasureCoalescedLookups(context.Background(), srv, lookups, distinct)
	if err != nil {
		t.Fatal(err)
	}
	if got.Calls != distinct {
		t.Errorf("%d concurrent lookups of %d distinct ids made %d calls, want %d", lookups, distinct, got.Calls, distinct)
	}
	rounds := 1 + (distinct+flosumapi.DefaultMaxConcurrentRequests-1)/flosumapi.DefaultMaxConcurrentRequests
	if limit := time.Duration(rounds)*latency + margin; got.Wall > limit {
		t.Errorf("%d concurrent lookups of %d distinct ids took %v, want at most %v ((1 + ⌈%d/%d⌉) × %v + %v): lookups in flight were not shared",
			lookups, distinct, got.Wall, limit, distinct, flosumapi.DefaultMaxConcurrentRequests, latency, margin)
	}
	t.Logf("%d lookups: %d calls in %v", lookups, got.Calls, got.Wall)
}
