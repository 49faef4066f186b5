package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func TestCoalesceConcurrentSameID(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Token: secretToken, Connections: testserver.Seed(10), Latency: 50 * time.Millisecond})
	client, _ := clientFor(t, srv)
	want := wantConnection(testserver.Seed(10)[6])

	const callers = 50
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		got   [callers]*Connection
		errs  [callers]error
	)
	for i := range callers {
		wg.Go(func() {
			<-start
			got[i], errs[i] = client.GetConnection(context.Background(), 7)
		})
	}
	close(start)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if *got[i] != want {
			t.Fatalf("caller %d got %+v", i, got[i])
		}
	}
	assertRequests(t, srv, "/", 1)
}

func TestCoalesceDistinctIDsRunInParallel(t *testing.T) {
	const latency = 150 * time.Millisecond
	srv := testserver.Start(t, testserver.Options{Token: secretToken, Connections: testserver.Seed(10), Latency: latency})
	client, _ := clientFor(t, srv, withConcurrency(8))

	var wg sync.WaitGroup
	errs := make([]error, 8)
	start := time.Now()
	for i := range 8 {
		wg.Go(func() {
			c, err := client.GetConnection(context.Background(), int64(i+1))
			if err == nil && c.ID != int64(i+1) {
				t.Errorf("GetConnection(%d) returned id %d", i+1, c.ID)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for i, err := range errs {
		if err != nil {
			t.Errorf("GetConnection(%d): %v", i+1, err)
		}
	}
	// Serialised, 8 calls would take 8 × latency.
	if elapsed > 5*latency {
		t.Errorf("8 distinct ids took %v: they were serialised", elapsed)
	}
	assertRequests(t, srv, "/", 8)
}

func TestMemoServesRepeatCalls(t *testing.T) {
	srv := startServer(t, 2500)
	client, _ := clientFor(t, srv)
	ctx := context.Background()

	first, err := client.GetConnection(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	again, err := client.GetConnection(ctx, 7)
	if err != nil || *again != *first {
		t.Fatalf("second GetConnection: %+v, %v", again, err)
	}
	assertRequests(t, srv, "/api/v1/connections/7", 1)

	for range 2 {
		if id, err := client.GetConnectionID(ctx, testserver.OrgID(9)); err != nil || id != 9 {
			t.Fatalf("GetConnectionID: %d, %v", id, err)
		}
	}
	assertRequests(t, srv, "/api/v1/connections/connectionId/", 1)

	for range 2 {
		list, err := client.ListConnections(ctx, "")
		if err != nil || len(list) != 2500 {
			t.Fatalf("ListConnections: %d, %v", len(list), err)
		}
	}
	for range 2 {
		list, err := client.ListConnections(ctx, "Sales")
		if err != nil || len(list) != len(wantList(testserver.Seed(2500), "Sales")) {
			t.Fatalf("ListConnections(Sales): %d, %v", len(list), err)
		}
	}
	// Two pages for the whole list, one for the search; each once.
	total := srv.RequestCount()
	if total != 1+1+2+1 {
		t.Errorf("got %d requests, want 5: %v", total, summarizeRequests(srv.Requests()))
	}

	// A single page is not remembered: it is a low-level call.
	srv.ResetRequests()
	for range 2 {
		if _, err := listConnectionsPage(ctx, client, "", 1, 10); err != nil {
			t.Fatal(err)
		}
	}
	assertRequests(t, srv, "/", 2)
}

func TestErrorsAreNotRemembered(t *testing.T) {
	srv := startServer(t, 10)
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Status: 503, Times: 1, Body: `{"message":"maintenance","statusCode":503}`})
	client, _ := clientFor(t, srv, withRetries(0))
	ctx := context.Background()

	_, err := client.GetConnection(ctx, 7)
	assertContains(t, mustErr(t, err), "HTTP 503 Service Unavailable: maintenance")
	c, err := client.GetConnection(ctx, 7)
	if err != nil || c.ID != 7 {
		t.Fatalf("second GetConnection: %+v, %v", c, err)
	}
	assertRequests(t, srv, "/api/v1/connections/7", 2)

	// A 404 is not remembered either: the connection may be created later.
	for range 2 {
		_, err := client.GetConnection(ctx, 99)
		if !IsNotFound(err) {
			t.Errorf("GetConnection(99): %v", err)
		}
	}
	assertRequests(t, srv, "/api/v1/connections/99", 2)
}

// TestConcurrencyBound: however many callers and pages, the server never sees
// more requests in flight than MaxConcurrentRequests.
func TestConcurrencyBound(t *testing.T) {
	t.Parallel() // mostly waiting: overlaps with the other waiting tests
	api := testserver.New(testserver.Options{Token: secretToken, Connections: testserver.Seed(20000), Latency: 50 * time.Millisecond})
	var inFlight, peak atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := peak.Load()
			if now <= old || peak.CompareAndSwap(old, now) {
				break
			}
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	client, _ := newClient(t, func() Config {
		cfg := fastConfig(ts.URL)
		cfg.MaxConcurrentRequests = 3
		return cfg
	}())

	ctx := context.Background()
	var wg sync.WaitGroup
	var listErr error
	var list []ConnectionSummary
	wg.Go(func() { list, listErr = client.ListConnections(ctx, "") })
	// Other callers compete for the same slots.
	for id := int64(1); id <= 6; id++ {
		wg.Go(func() {
			if _, err := client.GetConnection(ctx, id); err != nil {
				t.Errorf("GetConnection(%d): %v", id, err)
			}
		})
	}
	wg.Wait()
	if listErr != nil {
		t.Fatalf("ListConnections: %v", listErr)
	}
	if len(list) != 20000 {
		t.Fatalf("got %d connections", len(list))
	}
	if p := peak.Load(); p > 3 {
		t.Errorf("the server saw %d requests in flight, more than the bound of 3", p)
	} else if p < 2 {
		t.Errorf("the server saw at most %d request in flight: pages were not read concurrently", p)
	}
	if n := api.CountRequests("/api/v1/connections"); n != 10+6 {
		t.Errorf("got %d requests, want 10 pages and 6 connections", n)
	}
	pages := 0
	for _, r := range api.Requests() {
		if r.Path == "/api/v1/connections" {
			pages++
		}
	}
	if pages != 10 {
		t.Errorf("got %d page requests, want 10", pages)
	}
}

// TestWaitingFreesTheSlot: a request waiting out Retry-After holds no slot.
// 40 lookups, each throttled once with Retry-After: 1, with 4 slots and 50 ms
// answers: the first attempts take 10 rounds (0.5 s), all wait 1 s together,
// and the retries take 0.5 s, about 2 s in all; holding the slot while
// waiting made it 10 rounds of 1 s. The server never sees more than 4 in
// flight.
func TestWaitingFreesTheSlot(t *testing.T) {
	t.Parallel() // mostly waiting: overlaps with the other waiting tests
	const lookups, slots = 40, 4
	var inFlight, peak atomic.Int64
	var throttled sync.Map
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for old := peak.Load(); now > old && !peak.CompareAndSwap(old, now); old = peak.Load() {
		}
		time.Sleep(50 * time.Millisecond)
		id := strings.TrimPrefix(r.URL.Path, "/api/v1/connections/")
		if _, again := throttled.LoadOrStore(id, true); !again {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"id":%s,"externalId":1,"name":"n","userFullName":"u","userName":"u","salesforceOrgId":"00D5e000000XyZaEAK","salesforceOrgType":"SANDBOX"}`, id)
	}))
	t.Cleanup(ts.Close)
	cfg := fastConfig(ts.URL)
	cfg.MaxConcurrentRequests = slots
	client, log := newClient(t, cfg)

	start := time.Now()
	var wg sync.WaitGroup
	for id := int64(1); id <= lookups; id++ {
		wg.Go(func() {
			if c, err := client.GetConnection(context.Background(), id); err != nil || c.ID != id {
				t.Errorf("GetConnection(%d): %+v, %v", id, c, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if elapsed > 4*time.Second {
		t.Errorf("took %v, want about 2 s: waiting held the slots", elapsed)
	}
	if p := peak.Load(); p > slots {
		t.Errorf("the server saw %d requests in flight, more than the bound of %d", p, slots)
	}
	if retries := len(log.find("WARN", "Retrying Flosum API request")); retries != lookups {
		t.Errorf("got %d retries, want %d", retries, lookups)
	}
}

// A waiter sharing another caller's request is not failed by that caller's
// cancellation: it fetches again with its own context. And a waiter whose
// own context ends stops waiting at once.
func TestCoalesceWaitersOwnTheirContexts(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Token: secretToken, Connections: testserver.Seed(10), Latency: 200 * time.Millisecond})
	client, _ := clientFor(t, srv)

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderDone := make(chan error, 1)
	go func() {
		_, err := client.GetConnection(leaderCtx, 7)
		leaderDone <- err
	}()
	waitForRequests(t, srv, 1)

	waiterCtx, cancelWaiter := context.WithCancel(context.Background())
	impatient := make(chan error, 1)
	go func() {
		_, err := client.GetConnection(waiterCtx, 7)
		impatient <- err
	}()
	patient := make(chan *Connection, 1)
	go func() {
		c, err := client.GetConnection(context.Background(), 7)
		if err != nil {
			t.Errorf("patient waiter: %v", err)
		}
		patient <- c
	}()
	time.Sleep(20 * time.Millisecond) // let both waiters join the leader's request

	cancelWaiter()
	select {
	case err := <-impatient:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("impatient waiter error = %v, want context.Canceled", err)
		}
	case <-time.After(100 * time.Millisecond):
		t.Fatal("a waiter whose context ended kept waiting")
	}

	cancelLeader()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Errorf("leader error = %v, want context.Canceled", err)
	}
	if c := <-patient; c == nil || c.ID != 7 {
		t.Errorf("patient waiter got %+v, want connection 7", c)
	}
	// The leader's request, then the patient waiter's own.
	assertRequests(t, srv, "/", 2)
}

func waitForRequests(t *testing.T, srv *testserver.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for srv.RequestCount() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the server saw %d requests, want %d", srv.RequestCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
