package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// misbehaviour rewrites a list page; read is the full read of the list the
// request belongs to (1 for the first read, 2 for the first re-read...).
type misbehaviour func(page string, read int64, seq int64, body *testserver.ListPage)

// TestPagerReliability makes the list endpoint misbehave in each way a paged
// list can go wrong. The client must return exactly the right data or an
// *InconsistentListError, never partial data, and must bound its requests.
func TestPagerReliability(t *testing.T) {
	const n = 4500 // 3 pages: 2000, 2000, 500
	seed := testserver.Seed(n)
	order := listOrder(seed)
	dupOfPage1 := toListItem(order[0])
	var page1 []testserver.ListItem
	for _, c := range order[:PageLimit] {
		page1 = append(page1, toListItem(c))
	}
	extra := testserver.ListItem{ID: 999999, ExternalID: 1, Name: "Extra", UserName: "extra@example.com", SalesforceOrgType: "SANDBOX"}

	tests := []struct {
		name string
		hook misbehaviour
		// wantErr: the persistent misbehaviour must end in an error; false
		// means the data is still right, so either outcome is accepted.
		wantErr bool
		// maxRequests bounds the requests of the persistent case.
		maxRequests int
		wantReason  string
	}{
		{
			name: "total changes between pages", wantErr: true, maxRequests: 9,
			wantReason: "page 1 said there were 4500 connections, page 2 said 4501",
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "2" {
					b.Total++
				}
			},
		},
		{
			name: "total drops on the last page", wantErr: true, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "3" {
					b.Total--
				}
			},
		},
		{
			name: "duplicate across pages, total unchanged", wantErr: true, maxRequests: 9,
			wantReason: "was listed twice (page 2 repeated it)",
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "2" {
					b.Items[0] = dupOfPage1
				}
			},
		},
		{
			// One connection is replaced by a duplicate and total is one less
			// on every page: the distinct count matches total, but page 3
			// holds more items than total allows and a connection is lost.
			name: "duplicate across pages, total lowered to match", wantErr: true, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				b.Total--
				if page == "2" {
					b.Items[0] = dupOfPage1
				}
			},
		},
		{
			name: "short page before total is reached", wantErr: true, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "2" {
					b.Items = b.Items[:len(b.Items)-1]
				}
			},
		},
		{
			name: "short first page", wantErr: true, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "1" {
					b.Items = b.Items[:10]
				}
			},
		},
		{
			name: "empty page", wantErr: true, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "2" {
					b.Items = b.Items[:0]
				}
			},
		},
		{
			name: "empty first page", wantErr: true, maxRequests: 3,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "1" {
					b.Items = b.Items[:0]
				}
			},
		},
		{
			name: "more items than total: an extra connection", wantErr: true, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "3" {
					b.Items = append(b.Items, extra)
				}
			},
		},
		{
			name: "more items than total: an extra duplicate", wantErr: false, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "3" {
					b.Items = append(b.Items, dupOfPage1)
				}
			},
		},
		{
			name: "more items than the page size", wantErr: true, maxRequests: 9,
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page == "1" {
					b.Items = append(b.Items, extra)
				}
			},
		},
		{
			name: "total zero with items", wantErr: true, maxRequests: 3,
			hook: func(_ string, _, _ int64, b *testserver.ListPage) { b.Total = 0 },
		},
		{
			name: "server always claims more", wantErr: true, maxRequests: 3 * 5,
			hook: func(_ string, _, seq int64, b *testserver.ListPage) { b.Total += int(seq) * 1000 },
		},
		{
			name: "server ignores the page number", wantErr: true, maxRequests: 3 * (1 + DefaultMaxConcurrentRequests),
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				if page != "1" {
					b.Items = slices.Clone(page1)
				}
			},
		},
		{
			name: "server ignores the page number and claims a huge total", wantErr: true, maxRequests: 3 * (1 + DefaultMaxConcurrentRequests),
			hook: func(page string, _, _ int64, b *testserver.ListPage) {
				b.Total = 1_000_000_000
				if page != "1" {
					b.Items = slices.Clone(page1)
				}
			},
		},
		{
			name: "server claims a huge total", wantErr: true, maxRequests: 3 * (3 + 2*DefaultMaxConcurrentRequests),
			hook: func(_ string, _, _ int64, b *testserver.ListPage) { b.Total = 1_000_000_000 },
		},
		{
			name: "server claims the largest total", wantErr: true, maxRequests: 3 * (3 + 2*DefaultMaxConcurrentRequests),
			hook: func(_ string, _, _ int64, b *testserver.ListPage) { b.Total = math.MaxInt64 },
		},
	}

	for _, tt := range tests {
		for _, transient := range []bool{false, true} {
			name := tt.name + "/persistent"
			if transient {
				name = tt.name + "/transient"
			}
			t.Run(name, func(t *testing.T) {
				// A server per case: a request cut off by the previous case
				// must not reach this case's hook.
				srv := testserver.Start(t, testserver.Options{Token: secretToken, Connections: seed})
				var reads, seq atomic.Int64
				srv.SetListHook(func(r *http.Request, body *testserver.ListPage) {
					page := pageOf(r)
					read := reads.Load()
					if page == "1" {
						read = reads.Add(1)
					}
					s := seq.Add(1)
					if !transient || read == 1 {
						tt.hook(page, read, s, body)
					}
				})
				// No bound on the list's size: the pager's own checks must
				// catch a huge total (TestListTooLarge covers the bound).
				client, log := clientFor(t, srv, withConcurrency(DefaultMaxConcurrentRequests), func(c *Config) { c.MaxListItems = math.MaxInt })
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()

				got, err := client.ListConnections(ctx, "")
				requests := srv.CountRequests("/api/v1/connections")

				if transient {
					if err != nil {
						t.Fatalf("a misbehaviour on the first read only was not recovered: %v", err)
					}
					assertList(t, got, wantList(seed, ""))
					// The first read stops at the first bad page, with at most
					// the concurrency in flight; the second reads 3 pages.
					if limit := tt.maxRequests/listAttempts + 3; requests > limit {
						t.Errorf("%d requests to recover, want at most %d", requests, limit)
					}
					if tt.wantErr && len(log.find("WARN", "changed while it was read")) != 1 {
						t.Errorf("no warning about the re-read")
					}
					return
				}

				if requests > tt.maxRequests {
					t.Errorf("%d requests, want at most %d", requests, tt.maxRequests)
				}
				if err == nil {
					if tt.wantErr {
						t.Fatalf("no error: got %d connections of %d (the list is wrong)", len(got), n)
					}
					assertList(t, got, wantList(seed, ""))
					return
				}
				text := mustErr(t, err)
				if got != nil {
					t.Errorf("partial data returned with the error: %d connections", len(got))
				}
				var inconsistent *InconsistentListError
				if !errors.As(err, &inconsistent) {
					t.Fatalf("error %q (%T) is not an *InconsistentListError", text, err)
				}
				if inconsistent.Attempts != listAttempts {
					t.Errorf("Attempts = %d, want %d", inconsistent.Attempts, listAttempts)
				}
				assertContains(t, text, "the connections list did not add up in 3 read(s): ", tt.wantReason)
				if warnings := len(log.find("WARN", "changed while it was read")); warnings != listAttempts-1 {
					t.Errorf("got %d re-read warnings, want %d", warnings, listAttempts-1)
				}
			})
		}
	}
}

// TestPagerRecoversFromAConnectionAddedMidRead: page 1 is read while the
// account has one connection fewer, the later pages after it was added. The
// read does not add up, and the re-read returns the right list.
func TestPagerRecoversFromAConnectionAddedMidRead(t *testing.T) {
	seed := testserver.Seed(4500)
	order := listOrder(seed)
	added := order[10] // sorts onto page 1, so the later items shift
	var before []testserver.ListItem
	for _, c := range order {
		if c.ID != added.ID {
			before = append(before, toListItem(c))
		}
	}
	srv := startServer(t, 4500)
	var firstPages atomic.Int64
	srv.SetListHook(func(r *http.Request, body *testserver.ListPage) {
		if pageOf(r) == "1" && firstPages.Add(1) == 1 {
			body.Total = len(before)
			body.Items = before[:PageLimit]
		}
	})
	client, log := clientFor(t, srv)
	got, err := client.ListConnections(context.Background(), "")
	if err != nil {
		t.Fatalf("ListConnections: %v", err)
	}
	assertList(t, got, wantList(seed, ""))
	if n := srv.CountRequests("/api/v1/connections"); n < 4 || n > 6 {
		t.Errorf("%d requests, want 4 to 6 (page 1, pages 2-3 or one of them, then 3 pages)", n)
	}
	if firstPages.Load() != 2 {
		t.Errorf("page 1 read %d times, want 2", firstPages.Load())
	}
	warnings := log.find("WARN", "changed while it was read")
	if len(warnings) != 1 {
		t.Fatalf("got %d re-read warnings, want 1", len(warnings))
	}
	assertContains(t, fmt.Sprint(warnings[0].Fields["reason"]), "page 1 said there were 4499 connections, page ")
}

// TestPagerUnknownOrgTypePassesThrough: the list keeps org types the vendor
// reference does not list.
func TestPagerUnknownOrgTypePassesThrough(t *testing.T) {
	srv := startServer(t, 3)
	srv.SetListHook(func(_ *http.Request, body *testserver.ListPage) {
		for i := range body.Items {
			if body.Items[i].ID == 2 {
				body.Items[i].SalesforceOrgType = "SCRATCH"
			}
		}
	})
	client, _ := clientFor(t, srv)
	got, err := client.ListConnections(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got[1].ID != 2 || got[1].SalesforceOrgType != "SCRATCH" {
		t.Errorf("got %+v", got[1])
	}
}

func TestListConnectionsReads4500InThreePages(t *testing.T) {
	seed := testserver.Seed(4500)
	srv := startServer(t, 4500)
	client, log := clientFor(t, srv)

	got, err := client.ListConnections(context.Background(), "")
	if err != nil {
		t.Fatalf("ListConnections: %v", err)
	}
	assertList(t, got, wantList(seed, ""))
	if !slices.IsSortedFunc(got, func(a, b ConnectionSummary) int { return int(a.ID - b.ID) }) {
		t.Error("result is not sorted by id")
	}
	for i, c := range got {
		if c.ID != int64(i+1) {
			t.Fatalf("item %d has id %d, want %d", i, c.ID, i+1)
		}
	}

	assertRequests(t, srv, "/api/v1/connections", 3)
	var queries []string
	for _, r := range srv.Requests() {
		queries = append(queries, r.Query)
	}
	slices.Sort(queries)
	want := []string{"limit=2000&page=1", "limit=2000&page=2", "limit=2000&page=3"}
	if !slices.Equal(queries, want) {
		t.Errorf("queries = %v, want %v", queries, want)
	}
	// Page 1 comes first: it tells the total.
	if first := srv.Requests()[0].Query; first != "limit=2000&page=1" {
		t.Errorf("first request was %q, want page 1", first)
	}
	if progress := log.find("INFO", "Read connections page"); len(progress) != 3 {
		t.Errorf("got %d progress messages, want 3 (one per page)", len(progress))
	} else if last := progress[len(progress)-1].Msg; last != "Read connections page 3/3, 4500/4500 connections" {
		t.Errorf("last progress message = %q", last)
	}
}

func TestListConnectionsEmpty(t *testing.T) {
	srv := startServer(t, 0)
	client, _ := clientFor(t, srv)

	got, err := client.ListConnections(context.Background(), "")
	if err != nil {
		t.Fatalf("ListConnections: %v", err)
	}
	if got == nil || len(got) != 0 {
		t.Fatalf("ListConnections on an empty account = %#v, want an empty non-nil slice", got)
	}
	assertRequests(t, srv, "/api/v1/connections", 1)
}

func TestListConnectionsSearch(t *testing.T) {
	seed := testserver.Seed(5000)
	srv := startServer(t, 5000)
	tests := []struct {
		term      string
		wantPages int
	}{
		{term: "Sales", wantPages: 1},
		{term: "finance production", wantPages: 1},
		{term: "example.com", wantPages: 3},
		{term: "@support.", wantPages: 1},
		{term: testserver.OrgID(77)[:15], wantPages: 1},
		{term: "no such connection", wantPages: 1},
		{term: "a&b=c+d%e/f?g#h", wantPages: 1},
		{term: "Ünïcödé", wantPages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.term, func(t *testing.T) {
			srv.ResetRequests()
			client, _ := clientFor(t, srv)
			got, err := client.ListConnections(context.Background(), tt.term)
			if err != nil {
				t.Fatalf("ListConnections(%q): %v", tt.term, err)
			}
			want := wantList(seed, tt.term)
			assertList(t, got, want)

			reqs := srv.Requests()
			if len(reqs) != tt.wantPages {
				t.Fatalf("got %d requests, want %d", len(reqs), tt.wantPages)
			}
			var queries []string
			for _, r := range reqs {
				parsed, err := url.ParseQuery(r.Query)
				if err != nil {
					t.Fatalf("query %q: %v", r.Query, err)
				}
				if s := parsed.Get("search"); s != tt.term {
					t.Errorf("search sent as %q, want %q", s, tt.term)
				}
				queries = append(queries, r.Query)
			}
			slices.Sort(queries)
			for i, q := range queries {
				want := url.Values{"search": {tt.term}, "page": {fmt.Sprint(i + 1)}, "limit": {"2000"}}.Encode()
				if q != want {
					t.Errorf("query %d = %q, want %q", i, q, want)
				}
			}
		})
	}
}

func TestListConnectionsCallCount(t *testing.T) {
	for _, n := range []int{0, 1, 1999, 2000, 2001, 4000, 100000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			srv := startServer(t, n)
			client, _ := clientFor(t, srv)
			got, err := client.ListConnections(context.Background(), "")
			if err != nil {
				t.Fatalf("ListConnections: %v", err)
			}
			if len(got) != n {
				t.Fatalf("got %d connections, want %d", len(got), n)
			}
			for i, c := range got {
				if c.ID != int64(i+1) {
					t.Fatalf("item %d has id %d", i, c.ID)
				}
			}
			wantCalls := max(1, (n+PageLimit-1)/PageLimit)
			assertRequests(t, srv, "/api/v1/connections", wantCalls)
			pages := map[string]bool{}
			for _, r := range srv.Requests() {
				if pages[r.Query] {
					t.Errorf("page requested twice: %s", r.Query)
				}
				pages[r.Query] = true
			}
		})
	}
}

// TestListTooLarge: a list over MaxListItems is an error naming the limit,
// found from page 1's total: no further page is asked for, and nothing is
// allocated from the total claimed.
func TestListTooLarge(t *testing.T) {
	tests := []struct {
		name       string
		total      int // claimed by page 1; 0 keeps the server's own
		max        int
		wantTotal  int64
		wantMax    int64
		wantLength int // for a list within the bound
	}{
		{name: "a claimed total over the default", total: 5_000_000, wantTotal: 5_000_000, wantMax: DefaultMaxListItems},
		{name: "the largest claimed total", total: math.MaxInt64, wantTotal: math.MaxInt64, wantMax: DefaultMaxListItems},
		{name: "a real list over a configured bound", max: 4000, wantTotal: 4500, wantMax: 4000},
		{name: "a real list at a configured bound", max: 4500, wantLength: 4500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, 4500)
			if tt.total != 0 {
				srv.SetListHook(func(_ *http.Request, body *testserver.ListPage) { body.Total = tt.total })
			}
			client, _ := clientFor(t, srv, func(c *Config) { c.MaxListItems = tt.max })
			got, err := client.ListConnections(context.Background(), "")
			if tt.wantLength != 0 {
				if err != nil || len(got) != tt.wantLength {
					t.Fatalf("got %d connections, %v; want %d", len(got), err, tt.wantLength)
				}
				return
			}
			var tooLarge *ListTooLargeError
			if !errors.As(err, &tooLarge) {
				t.Fatalf("error %v (%T) is not a *ListTooLargeError", err, err)
			}
			if got != nil || tooLarge.Total != tt.wantTotal || tooLarge.Max != tt.wantMax || tooLarge.List != "connections" {
				t.Errorf("got %d connections and %+v", len(got), tooLarge)
			}
			assertContains(t, mustErr(t, err), fmt.Sprintf("the connections list holds %d items, more than the limit of %d (MaxListItems)", tt.wantTotal, tt.wantMax))
			assertRequests(t, srv, "/api/v1/connections", 1)
		})
	}
	if _, err := New(Config{BaseURL: "https://x.example", AccessToken: "t", MaxListItems: -1}); err == nil ||
		err.Error() != "max list items must be 0 (the default, 1000000) or more, not -1" {
		t.Errorf("New with MaxListItems -1: %v", err)
	}
}

// TestListInconsistentKinds tells a list that changed while it was read
// (each read fails differently) from an API whose pages contradict each
// other the same way on every read.
func TestListInconsistentKinds(t *testing.T) {
	tests := []struct {
		name        string
		hook        func(read int64, body *testserver.ListPage)
		wantChanged bool
		wantText    string
	}{
		{
			name: "page 1 claims 5 but holds 2, every time",
			hook: func(_ int64, body *testserver.ListPage) { body.Total, body.Items = 5, body.Items[:2] },
			wantText: "the connections list did not add up in 3 read(s): page 1 held 2 connections where 5 were expected (5 in all, 2000 a page); " +
				"the same way each time: the API's pages contradict each other",
		},
		{
			name: "the total differs on every read",
			hook: func(read int64, body *testserver.ListPage) { body.Total, body.Items = 5+int(read), body.Items[:2] },
			wantText: "the connections list did not add up in 3 read(s): page 1 held 2 connections where 8 were expected (8 in all, 2000 a page); " +
				"differently each time: the list was probably changing while it was read",
			wantChanged: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, 3)
			var reads atomic.Int64
			srv.SetListHook(func(_ *http.Request, body *testserver.ListPage) { tt.hook(reads.Add(1), body) })
			client, _ := clientFor(t, srv)
			_, err := client.ListConnections(context.Background(), "")
			var inconsistent *InconsistentListError
			if !errors.As(err, &inconsistent) {
				t.Fatalf("error %v (%T) is not an *InconsistentListError", err, err)
			}
			if inconsistent.Changed != tt.wantChanged || inconsistent.Attempts != listAttempts || inconsistent.List != "connections" {
				t.Errorf("got %+v, want Changed %v", inconsistent, tt.wantChanged)
			}
			if text := mustErr(t, err); text != tt.wantText {
				t.Errorf("error text\n got %q\nwant %q", text, tt.wantText)
			}
			assertRequests(t, srv, "/api/v1/connections", listAttempts)
		})
	}
}

// TestListDeleteAndAddBetweenPages shows the guarantee's limit, which the
// client states rather than pays to detect: one connection is deleted from
// page 1 and one added at the end after page 1 is read. The total stays the
// same, every page is full and unique, so the read adds up; the connection
// that moved from page 2 to page 1 is missing and the deleted one is listed.
func TestListDeleteAndAddBetweenPages(t *testing.T) {
	seed := testserver.Seed(4500)
	order := listOrder(seed)
	deleted, moved := order[10], order[PageLimit]
	added := testserver.ListItem{ID: 999999, ExternalID: 1, Name: "zzz added last", UserName: "new@example.com", SalesforceOrgType: "SANDBOX"}
	var after []testserver.ListItem
	for _, c := range order {
		if c.ID != deleted.ID {
			after = append(after, toListItem(c))
		}
	}
	after = append(after, added)

	srv := startServer(t, 4500)
	srv.SetListHook(func(r *http.Request, body *testserver.ListPage) {
		if number, _ := strconv.Atoi(pageOf(r)); number > 1 { // read after the change
			body.Items = after[(number-1)*PageLimit : min(number*PageLimit, len(after))]
		}
	})
	client, log := clientFor(t, srv)
	got, err := client.ListConnections(context.Background(), "")
	if err != nil {
		t.Fatalf("ListConnections: %v", err)
	}
	ids := map[int64]bool{}
	for _, c := range got {
		ids[c.ID] = true
	}
	if len(got) != 4500 || ids[moved.ID] || !ids[deleted.ID] || !ids[added.ID] {
		t.Errorf("got %d connections; moved %d listed %v (want false), deleted %d listed %v (want true), added listed %v (want true)",
			len(got), moved.ID, ids[moved.ID], deleted.ID, ids[deleted.ID], ids[added.ID])
	}
	assertRequests(t, srv, "/api/v1/connections", 3)
	if warnings := log.find("WARN", ""); len(warnings) != 0 {
		t.Errorf("warnings: %+v", warnings)
	}
}
