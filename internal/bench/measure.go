package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// NewClient returns an API client for srv with retries off, so that every
// request the server counts is one the caller asked for.
func NewClient(srv *testserver.Server, maxConcurrent int) (*flosumapi.Client, error) {
	return flosumapi.New(flosumapi.Config{
		BaseURL:               srv.URL,
		AccessToken:           srv.Token(),
		MaxConcurrentRequests: maxConcurrent,
		RequestTimeout:        2 * time.Minute,
	})
}

// PagesFor is ⌈n/PageLimit⌉, at least 1: the page calls one read of n
// connections should make.
func PagesFor(n int) int {
	return max(1, (n+flosumapi.PageLimit-1)/flosumapi.PageLimit)
}

// Listing is one read of the whole list by a new client.
type Listing struct {
	Connections int
	PageCalls   int
	Wall        time.Duration
}

// MeasureListing reads every connection srv holds with a new client allowed
// maxConcurrent requests in flight, counting the page calls it made.
func MeasureListing(ctx context.Context, srv *testserver.Server, maxConcurrent int) (Listing, error) {
	client, err := NewClient(srv, maxConcurrent)
	if err != nil {
		return Listing{}, err
	}
	defer client.CloseIdleConnections()
	before := srv.RequestCount()
	start := time.Now()
	all, err := client.ListConnections(ctx, "")
	wall := time.Since(start)
	if err != nil {
		return Listing{}, err
	}
	return Listing{Connections: len(all), PageCalls: srv.RequestCount() - before, Wall: wall}, nil
}

// IdealListing is the least time a read of n connections can take with
// maxConcurrent requests in flight, each taking rtt: page 1 alone (it tells
// the total), then the other pages maxConcurrent at a time.
func IdealListing(n, maxConcurrent int, rtt time.Duration) time.Duration {
	rest := PagesFor(n) - 1
	waves := (rest + maxConcurrent - 1) / maxConcurrent
	return time.Duration(1+waves) * rtt
}

// Lookups is the outcome of many by-id lookups.
type Lookups struct {
	Lookups, Distinct, Calls int
	Wall                     time.Duration
}

// MeasureCoalescedLookups makes lookups lookups of distinct ids (1 to
// distinct, round robin), all at once through one client, as Terraform's
// concurrent reads of that many flosum_connection data sources do.
func MeasureCoalescedLookups(ctx context.Context, srv *testserver.Server, lookups, distinct int) (Lookups, error) {
	client, err := NewClient(srv, 0)
	if err != nil {
		return Lookups{}, err
	}
	defer client.CloseIdleConnections()
	before := srv.RequestCount()
	start := time.Now()
	errs := make(chan error, lookups)
	var wg sync.WaitGroup
	for i := range lookups {
		wg.Go(func() {
			id := int64(i%distinct + 1)
			conn, err := client.GetConnection(ctx, id)
			if err == nil && conn.ID != id {
				err = fmt.Errorf("looked up %d, got %d", id, conn.ID)
			}
			errs <- err
		})
	}
	wg.Wait()
	wall := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			return Lookups{}, err
		}
	}
	return Lookups{Lookups: lookups, Distinct: distinct, Calls: srv.RequestCount() - before, Wall: wall}, nil
}

// MeasureSequentialLookups makes the same lookups one after another, each by
// a new client, so nothing is shared or remembered: the baseline that
// coalescing and concurrency improve on.
func MeasureSequentialLookups(ctx context.Context, srv *testserver.Server, lookups, distinct int) (Lookups, error) {
	before := srv.RequestCount()
	start := time.Now()
	for i := range lookups {
		client, err := NewClient(srv, 1)
		if err != nil {
			return Lookups{}, err
		}
		_, err = client.GetConnection(ctx, int64(i%distinct+1))
		client.CloseIdleConnections()
		if err != nil {
			return Lookups{}, err
		}
	}
	return Lookups{Lookups: lookups, Distinct: distinct, Calls: srv.RequestCount() - before, Wall: time.Since(start)}, nil
}
