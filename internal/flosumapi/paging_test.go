package flosumapi

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

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
