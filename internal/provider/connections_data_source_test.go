package provider

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// connectionItem is the knownvalue check of one element of connections for
// seeded connection c.
func connectionItem(c testserver.Connection) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":                  knownvalue.Int64Exact(c.ID),
		"external_id":         knownvalue.Int64Exact(c.ExternalID),
		"name":                knownvalue.StringExact(c.Name),
		"user_name":           knownvalue.StringExact(c.UserName),
		"salesforce_org_type": knownvalue.StringExact(c.SalesforceOrgType),
	})
}

// expectList checks total, ids and connections of a flosum_connections
// against the seeded connections with these ids.
func expectList(address string, seed []testserver.Connection, ids ...int64) []statecheck.StateCheck {
	items := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		items[i] = connectionItem(seed[id-1])
	}
	return []statecheck.StateCheck{
		expectAttr(address, "total", knownvalue.Int64Exact(int64(len(ids)))),
		expectAttr(address, "ids", int64List(ids...)),
		expectAttr(address, "connections", knownvalue.ListExact(items)),
	}
}

// listQueries returns the parsed queries of srv's list requests.
func listQueries(t *testing.T, srv *testserver.Server) []url.Values {
	var out []url.Values
	for _, r := range listRequests(srv) {
		q, err := url.ParseQuery(r.Query)
		if err != nil {
			t.Errorf("query %q: %v", r.Query, err)
		}
		out = append(out, q)
	}
	return out
}

// idsUpTo returns the ids 1 to n.
func idsUpTo(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return ids
}

func TestConnectionsDataSource_all(t *testing.T) {
	t.Parallel()
	const n = 25
	seed := testserver.Seed(n)
	srv := startServer(t, n)
	checks := expectList("data.flosum_connections.all", seed, idsUpTo(n)...)
	checks = append(checks,
		// A couple of elements spelled out, not derived from Seed.
		statecheck.ExpectKnownValue("data.flosum_connections.all", tfjsonpath.New("connections").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.Int64Exact(1), "external_id": knownvalue.Int64Exact(900007), "name": knownvalue.StringExact("Sales Production 1"),
			"user_name": knownvalue.StringExact("admin1@sales.example.com"), "salesforce_org_type": knownvalue.StringExact("PRODUCTION"),
		})),
		statecheck.ExpectKnownValue("data.flosum_connections.all", tfjsonpath.New("connections").AtSliceIndex(24), knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id": knownvalue.Int64Exact(25), "external_id": knownvalue.Int64Exact(900175), "name": knownvalue.StringExact("Sales Sandbox 25"),
			"user_name": knownvalue.StringExact("admin25@sales.example.com"), "salesforce_org_type": knownvalue.StringExact("SANDBOX"),
		})),
		expectAttr("data.flosum_connections.all", "search", knownvalue.Null()),
		expectAttr("data.flosum_connections.all", "salesforce_org_type", knownvalue.Null()),
	)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `data "flosum_connections" "all" {}`,
		Check: checkNow(func() error {
			qs := listQueries(t, srv)
			if len(qs) != 1 || srv.RequestCount() != 1 {
				return fmt.Errorf("want exactly one list request, got %d of %d requests", len(qs), srv.RequestCount())
			}
			if q := qs[0]; q.Get("page") != "1" || q.Get("limit") != "2000" || q.Has("search") {
				return fmt.Errorf("query = %v, want page=1 limit=2000 and no search", q)
			}
			return nil
		}),
		ConfigStateChecks: checks,
	})
}

// 4,500 connections take exactly three pages of 2,000; the result is every
// connection once, sorted by id. Failed pages are retried alone.
func TestConnectionsDataSource_paging(t *testing.T) {
	t.Parallel()
	const n = 4500
	seed := testserver.Seed(n)
	srv := startServer(t, n)
	ids := idsUpTo(n)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `data "flosum_connections" "all" {}`,
		Check: checkNow(func() error {
			qs := listQueries(t, srv)
			if len(qs) != 3 {
				return fmt.Errorf("list requests = %d, want exactly 3", len(qs))
			}
			var pages []string
			for _, q := range qs {
				if q.Get("limit") != "2000" {
					return fmt.Errorf("limit = %q, want 2000", q.Get("limit"))
				}
				pages = append(pages, q.Get("page"))
			}
			slices.Sort(pages)
			if !slices.Equal(pages, []string{"1", "2", "3"}) {
				return fmt.Errorf("pages requested = %v, want 1, 2, 3", pages)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connections.all", "total", knownvalue.Int64Exact(n)),
			expectAttr("data.flosum_connections.all", "ids", int64List(ids...)),
			expectAttr("data.flosum_connections.all", "connections", knownvalue.ListSizeExact(n)),
			statecheck.ExpectKnownValue("data.flosum_connections.all", tfjsonpath.New("connections").AtSliceIndex(0), connectionItem(seed[0])),
			statecheck.ExpectKnownValue("data.flosum_connections.all", tfjsonpath.New("connections").AtSliceIndex(n-1), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.Int64Exact(4500), "external_id": knownvalue.Int64Exact(900000 + 4500*7), "name": knownvalue.StringExact("Finance Sandbox 4500"),
				"user_name": knownvalue.StringExact("admin4500@finance.example.com"), "salesforce_org_type": knownvalue.StringExact("SANDBOX"),
			})),
			statecheck.ExpectKnownValue("data.flosum_connections.all", tfjsonpath.New("connections").AtSliceIndex(2000), connectionItem(seed[2000])),
		},
	}, resource.TestStep{
		// One request at a time, and a page that fails (503) and one cut
		// off mid-body are each retried once: the same complete list.
		PreConfig: func() {
			srv.ResetRequests()
			srv.AddFault(testserver.Fault{PathPrefix: listPath, Query: "page=2&", Times: 1, Status: http.StatusServiceUnavailable, RetryAfter: "0"})
			srv.AddFault(testserver.Fault{PathPrefix: listPath, Query: "page=3&", Times: 1, Status: http.StatusOK, Body: `{"total":4500,"items":[{"id":1}]}`, CutBody: true})
		},
		Config: providerBlock(srv, "max_concurrent_requests = 1") + `data "flosum_connections" "all" {}`,
		Check: checkNow(func() error {
			pages := map[string]int{}
			for _, q := range listQueries(t, srv) {
				pages[q.Get("page")]++
			}
			if pages["1"] != 1 || pages["2"] != 2 || pages["3"] != 2 || len(pages) != 3 {
				return fmt.Errorf("requests per page = %v, want page 1 once, pages 2 and 3 twice", pages)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connections.all", "total", knownvalue.Int64Exact(n)),
			expectAttr("data.flosum_connections.all", "ids", int64List(ids...)),
		},
	})
}

func TestConnectionsDataSource_search(t *testing.T) {
	t.Parallel()
	const n = 25
	seed := testserver.Seed(n)
	srv := startServer(t, n)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_connections" "marketing" {
  search = "Marketing"
}
`,
		Check: checkNow(func() error {
			qs := listQueries(t, srv)
			if len(qs) != 1 {
				return fmt.Errorf("list requests = %d, want 1", len(qs))
			}
			if q := qs[0]; q.Get("search") != "Marketing" || q.Get("page") != "1" || q.Get("limit") != "2000" {
				return fmt.Errorf("query = %v, want search=Marketing page=1 limit=2000", q)
			}
			return nil
		}),
		// Marketing is team 2 of 8: connections 3, 11, 19.
		ConfigStateChecks: append(expectList("data.flosum_connections.marketing", seed, 3, 11, 19),
			expectAttr("data.flosum_connections.marketing", "search", knownvalue.StringExact("Marketing")),
		),
	})
}

// A search term with spaces and reserved characters reaches the API intact.
func TestConnectionsDataSource_searchIsEncoded(t *testing.T) {
	t.Parallel()
	const n = 30
	seed := testserver.Seed(n)
	srv := startServer(t, n)
	const term = "Sandbox 2&x=1"
	terraformTest(t,
		resource.TestStep{
			Config: providerBlock(srv, "") + fmt.Sprintf(`data "flosum_connections" "odd" { search = %q }`, term),
			Check: checkNow(func() error {
				qs := listQueries(t, srv)
				if len(qs) != 1 || qs[0].Get("search") != term || qs[0].Has("x") {
					return fmt.Errorf("queries = %v, want one with search=%q", qs, term)
				}
				return nil
			}),
			ConfigStateChecks: expectList("data.flosum_connections.odd", seed),
		},
		resource.TestStep{
			Config: providerBlock(srv, "") + `data "flosum_connections" "odd" { search = "sandbox 2" }`,
			// "Sandbox 2" and "Sandbox 20" to "Sandbox 29" (21 and 26 are
			// production orgs).
			ConfigStateChecks: expectList("data.flosum_connections.odd", seed, 2, 20, 22, 23, 24, 25, 27, 28, 29),
		},
	)
}

func TestConnectionsDataSource_noMatch(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 25)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `data "flosum_connections" "none" { search = "no-such-connection" }`,
		Check: checkNow(func() error {
			// An empty first page ends the read.
			if got := len(listRequests(srv)); got != 1 {
				return fmt.Errorf("list requests = %d, want 1", got)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connections.none", "total", knownvalue.Int64Exact(0)),
			expectAttr("data.flosum_connections.none", "ids", knownvalue.ListExact([]knownvalue.Check{})),
			expectAttr("data.flosum_connections.none", "connections", knownvalue.ListExact([]knownvalue.Check{})),
		},
	})
}

// The org type filter is applied by the provider: every connection is still
// listed from the API, and total counts what is left.
func TestConnectionsDataSource_orgTypeFilter(t *testing.T) {
	t.Parallel()
	const n = 25
	seed := testserver.Seed(n)
	srv := startServer(t, n)
	var sandboxes []int64
	for id := int64(1); id <= n; id++ {
		if id%5 != 1 {
			sandboxes = append(sandboxes, id)
		}
	}
	checks := expectList("data.flosum_connections.production", seed, 1, 6, 11, 16, 21)
	checks = append(checks, expectList("data.flosum_connections.sandbox", seed, sandboxes...)...)
	checks = append(checks, expectList("data.flosum_connections.production_sales", seed, 1)...)
	checks = append(checks, expectAttr("data.flosum_connections.production", "salesforce_org_type", knownvalue.StringExact("PRODUCTION")))
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_connections" "production" {
  salesforce_org_type = "PRODUCTION"
}
data "flosum_connections" "sandbox" {
  salesforce_org_type = "SANDBOX"
}
data "flosum_connections" "production_sales" {
  search              = "sales"
  salesforce_org_type = "PRODUCTION"
}
`,
		Check: checkNow(func() error {
			// The filter is not sent to the API; the two unsearched
			// data sources share one read of the list.
			for _, q := range listQueries(t, srv) {
				for key := range q {
					if key != "page" && key != "limit" && key != "search" {
						return fmt.Errorf("unexpected query parameter %s in %v", key, q)
					}
				}
			}
			if got := len(listRequests(srv)); got != 2 {
				return fmt.Errorf("list requests = %d, want 2 (all, and search=sales)", got)
			}
			return nil
		}),
		ConfigStateChecks: checks,
	})
}

func TestConnectionsDataSource_refusedAtPlanTime(t *testing.T) {
	t.Parallel()
	errorCases(t, map[string]errorCase{
		"search of 81 characters": {
			config: fmt.Sprintf(`data "flosum_connections" "x" { search = %q }`, strings.Repeat("a", 81)),
			want:   []string{"Invalid Attribute Value Length", "Attribute search", "must be between 1 and 80, got: 81"},
		},
		"empty search": {
			config: `data "flosum_connections" "x" { search = "" }`,
			want:   []string{"Attribute search", "must be between 1 and 80, got: 0"},
		},
		"org type DEV": {
			config: `data "flosum_connections" "x" { salesforce_org_type = "DEV" }`,
			want:   []string{"Invalid Attribute Value Match", `Attribute salesforce_org_type value must be one of: ["PRODUCTION" "SANDBOX"], got: "DEV"`},
		},
		"org type in lowercase": {
			config: `data "flosum_connections" "x" { salesforce_org_type = "production" }`,
			want:   []string{`got: "production"`},
		},
	})
}

// 80 characters is still fine.
func TestConnectionsDataSource_searchAtLimit(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + fmt.Sprintf(`data "flosum_connections" "x" { search = %q }`, strings.Repeat("a", 80)),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connections.x", "total", knownvalue.Int64Exact(0)),
		},
	})
}

// The API limits search to 80 characters (NestJS @MaxLength counts
// characters, as the test server does), so the plan-time check counts
// characters too: a 50-character search of accented letters (100 bytes in
// UTF-8) is accepted.
func TestConnectionsDataSource_searchLengthCountsCharacters(t *testing.T) {
	t.Parallel()
	seed := []testserver.Connection{{
		ID: 1, ExternalID: 10, Name: strings.Repeat("é", 50) + " Sandbox", UserFullName: "Admin", UserName: "admin@example.com",
		SalesforceOrgID: testserver.OrgID(1), SalesforceOrgType: "SANDBOX",
	}}
	srv := testserver.Start(t, testserver.Options{Connections: seed})
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + fmt.Sprintf(`data "flosum_connections" "x" { search = %q }`, strings.Repeat("é", 50)),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connections.x", "total", knownvalue.Int64Exact(1)),
			expectAttr("data.flosum_connections.x", "ids", int64List(1)),
		},
	})
}
