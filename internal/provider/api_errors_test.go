package provider

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// Errors of the API, each reported with what was asked and what to do, and
// retried or not as the answer calls for.
func TestAPIErrors_reported(t *testing.T) {
	t.Parallel()
	fault := func(f testserver.Fault) func(*testserver.Server) {
		return func(srv *testserver.Server) { srv.AddFault(f) }
	}
	unavailable := testserver.Fault{PathPrefix: "/api/v1/connections/1", Status: http.StatusServiceUnavailable, RetryAfter: "0",
		Body: `{"message":"Service Unavailable","statusCode":503}`}
	errorCases(t, map[string]errorCase{
		"403, not retried": {
			setup: fault(testserver.Fault{PathPrefix: listPath, Status: http.StatusForbidden,
				Body: `{"message":"Forbidden resource","error":"Forbidden","statusCode":403}`}),
			config:   `data "flosum_connections" "all" {}`,
			want:     []string{"Flosum Access Denied", "HTTP 403", "the list of connections", "the API said: Forbidden resource", "FLOSUM_ACCESS_TOKEN"},
			requests: 1,
		},
		"400 shows every message, not retried": {
			setup: fault(testserver.Fault{PathPrefix: listPath, Status: http.StatusBadRequest,
				Body: `{"error":"Bad Request","message":["search must be a string","limit must not be greater than 2000"],"statusCode":400}`}),
			config: `data "flosum_connections" "x" { search = "Sales" }`,
			want: []string{"Flosum API Rejected The Request", `the connections matching search "Sales"`, "HTTP 400",
				"- search must be a string", "- limit must not be greater than 2000", "Correct the arguments"},
			requests: 1,
		},
		"500, not retried": {
			setup: fault(testserver.Fault{PathPrefix: "/api/v1/connections/2", Status: http.StatusInternalServerError,
				Body: `{"statusCode":500,"message":"Internal server error"}`}),
			config:   `data "flosum_connection" "x" { id = 2 }`,
			want:     []string{"Flosum API Error", "HTTP 500", "the connection with id 2", "Internal server error"},
			requests: 1,
		},
		// A proxy's HTML error page is summarised, without its markup.
		"a proxy's HTML page": {
			setup: fault(testserver.Fault{PathPrefix: "/api/v1/connections/2", Status: http.StatusBadGateway, ContentType: "text/html",
				Body: `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`}),
			providerArgs: "max_retries = 0",
			config:       `data "flosum_connection" "x" { id = 2 }`,
			want:         []string{"Flosum API Unavailable", "HTTP 502", "502 Bad Gateway 502 Bad Gateway nginx", "run Terraform again later"},
			requests:     1,
		},
		"503 with max_retries = 0": {
			setup:        fault(unavailable),
			providerArgs: "max_retries = 0",
			config:       `data "flosum_connection" "x" { id = 1 }`,
			want:         []string{"Flosum API Unavailable", "the connection with id 1", "HTTP 503"},
			requests:     1,
		},
		"503 until the retries run out": {
			setup:        fault(unavailable),
			providerArgs: "max_retries = 2",
			config:       `data "flosum_connection" "x" { id = 1 }`,
			want:         []string{"Flosum API Unavailable", "the connection with id 1", "HTTP 503 Service Unavailable", "(after 3 attempts)", "raise max_retries"},
			requests:     3, // one try and two retries
		},
		// A 200 answer that does not match the API's schema.
		"an unexpected answer": {
			setup:    fault(testserver.Fault{PathPrefix: "/api/v1/connections/3", Status: http.StatusOK, Body: `{"id":3,"name":"x"}`}),
			config:   `data "flosum_connection" "x" { id = 3 }`,
			want:     []string{"Unexpected Flosum API Response", "the connection with id 3", "field externalId in the answer is missing (required)"},
			requests: 1,
		},
		// A list whose total changes between pages, differently in each
		// read, is read again, then reported as changing.
		"a list changed while reading": {
			seed: 2500,
			setup: func(srv *testserver.Server) {
				var reads atomic.Int64
				srv.SetListHook(func(r *http.Request, page *testserver.ListPage) {
					if r.URL.Query().Get("page") == "2" {
						page.Total += int(reads.Add(1))
					}
				})
			},
			config:   `data "flosum_connections" "all" {}`,
			want:     []string{"Connections List Changed While Reading", "page 1 said there were 2500 connections, page 2 said 2503", "in 3 tries", "differently each time"},
			requests: 6, // three reads of two pages
		},
		// Pages that contradict each other the same way in every read: the
		// API is inconsistent, not the list changing.
		"pages inconsistent from the start": {
			seed: 2500,
			setup: func(srv *testserver.Server) {
				srv.SetListHook(func(r *http.Request, page *testserver.ListPage) {
					if r.URL.Query().Get("page") == "2" {
						page.Total++
					}
				})
			},
			config:   `data "flosum_connections" "all" {}`,
			want:     []string{"Inconsistent Flosum API Pages", "the same way in each of 3 tries", "page 1 said there were 2500 connections, page 2 said 2501", "Flosum support"},
			requests: 6, // three reads of two pages
		},
		// When every attempt runs out of request_timeout, the user is told
		// the API could not be reached and to raise request_timeout, not
		// that the request was cancelled.
		"request_timeout on every attempt": {
			setup: fault(testserver.Fault{PathPrefix: "/api/v1/connections/1", Delay: 5 * time.Second}),
			providerArgs: `
  request_timeout = "200ms"
  max_retries     = 1
`,
			config:   `data "flosum_connection" "x" { id = 1 }`,
			want:     []string{"Cannot Reach The Flosum API", "the connection with id 1", "request timeout of 200ms", "raise request_timeout"},
			requests: 2, // timed-out attempts are retried
		},
		"unreachable": {
			config: `
provider "flosum" {
  base_url     = "http://127.0.0.1:1"
  access_token = "t"
  max_retries  = 0
}

data "flosum_connection" "x" {
  id = 1
}
`,
			want: []string{"Cannot Reach The Flosum API", "the connection with id 1", "connection refused", "region or base_url"},
		},
	})
}

func TestAPIErrors_wrongToken(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	terraformTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = "expired-token"
}

data "flosum_connection" "test" {
  id = 1
}
`, srv.URL),
		ExpectError: errRe("Invalid Flosum Access Token", "HTTP 401", "the connection with id 1", "invalid or expired", "FLOSUM_ACCESS_TOKEN"),
	})
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Authorization != "Bearer expired-token" {
		t.Errorf("want one request (401 is not retried) with the configured token, got %+v", reqs)
	}
}

// A 429 with Retry-After: 0 twice, then the answer: three requests, and the
// data is right.
func TestAPIErrors_tooManyRequestsRetried(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 5)
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/4", Times: 2, Status: http.StatusTooManyRequests, RetryAfter: "0",
		Body: `{"message":"ThrottlerException: Too Many Requests","statusCode":429}`})
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `data "flosum_connection" "test" { id = 4 }`,
		Check: checkNow(func() error {
			if got := srv.RequestCount(); got != 3 {
				return fmt.Errorf("requests = %d, want 3 (two 429s, then the answer): %+v", got, srv.Requests())
			}
			if got := countPath(srv, "/api/v1/connections/4"); got != 3 {
				return fmt.Errorf("requests for id 4 = %d, want 3", got)
			}
			return nil
		}),
		ConfigStateChecks: expectConnection("data.flosum_connection.test", seeded(5, 4), testserver.OrgID(4)),
	})
}

// A base_url with a wrong path: the API's 404 for an unknown route is
// explained as a base_url problem for the list.
func TestAPIErrors_wrongBaseURLPath(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	terraformTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "flosum" {
  base_url     = "%s/backup"
  access_token = %q
}

data "flosum_connections" "all" {}
`, srv.URL, srv.Token()),
		ExpectError: errRe("Flosum API Endpoint Not Found", "The Flosum API answered 404 for the list of connections.", "Check base_url: it should be the API's root URL"),
	})
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/backup/api/v1/connections" {
		t.Errorf("requests = %+v, want one to /backup/api/v1/connections", reqs)
	}
}

// 502, 503 and 504 are retried (here without Retry-After, so with backoff);
// each data source gets its answer on the second try.
func TestAPIErrors_gatewayErrorsRetried(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 5)
	for id, status := range map[int]int{1: http.StatusBadGateway, 2: http.StatusServiceUnavailable, 3: http.StatusGatewayTimeout} {
		srv.AddFault(testserver.Fault{PathPrefix: fmt.Sprintf("/api/v1/connections/%d", id), Times: 1, Status: status})
	}
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_connection" "c" {
  count = 3
  id    = count.index + 1
}
`,
		Check: checkNow(func() error {
			for id := 1; id <= 3; id++ {
				if got := countPath(srv, fmt.Sprintf("/api/v1/connections/%d", id)); got != 2 {
					return fmt.Errorf("requests for id %d = %d, want 2", id, got)
				}
			}
			return nil
		}),
		ConfigStateChecks: append(append(
			expectConnection("data.flosum_connection.c[0]", seeded(5, 1), testserver.OrgID(1)),
			expectConnection("data.flosum_connection.c[1]", seeded(5, 2), testserver.OrgID(2))...),
			expectConnection("data.flosum_connection.c[2]", seeded(5, 3), testserver.OrgID(3))...),
	})
}
