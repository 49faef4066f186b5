package bench

import (
	"context"
	"testing"
	"time"

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

// 200 concurrent lookups of 20 distinct ids cost 20 calls: identical lookups
// in flight share one request, and answers are remembered by the client.
func TestLookupsCoalesced(t *testing.T) {
	t.Parallel()
	// The latency keeps requests in flight long enough for lookups to
	// overlap, which is when sharing one request matters.
	srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(50), Latency: 20 * time.Millisecond})
	got, err := MeasureCoalescedLookups(context.Background(), srv, 200, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got.Calls != 20 {
		t.Errorf("200 lookups of 20 distinct ids made %d calls, want 20", got.Calls)
	}
}
