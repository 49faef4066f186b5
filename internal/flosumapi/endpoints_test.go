package flosumapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func TestGetConnection(t *testing.T) {
	seed := testserver.Seed(250)
	srv := startServer(t, 250)
	client, _ := clientFor(t, srv)

	for _, id := range []int64{1, 7, 250} {
		got, err := client.GetConnection(context.Background(), id)
		if err != nil {
			t.Fatalf("GetConnection(%d): %v", id, err)
		}
		if want := wantConnection(seed[id-1]); *got != want {
			t.Errorf("GetConnection(%d) = %+v, want %+v", id, *got, want)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("got %d requests, want 3", len(reqs))
	}
	for i, id := range []string{"1", "7", "250"} {
		r := reqs[i]
		if r.Method != "GET" || r.Path != "/api/v1/connections/"+id || r.Query != "" {
			t.Errorf("request %d = %s %s?%s, want GET /api/v1/connections/%s", i, r.Method, r.Path, r.Query, id)
		}
		if r.Authorization != "Bearer "+secretToken {
			t.Errorf("request %d sent Authorization %q", i, r.Authorization)
		}
	}
}

func TestGetConnectionID(t *testing.T) {
	srv := startServer(t, 100)
	orgID := testserver.OrgID(42)
	tests := []struct {
		name     string
		orgID    string
		wantPath string
		wantID   int64
		wantErr  func(error) bool
		wantText string
	}{
		{name: "18 characters", orgID: orgID, wantPath: "/api/v1/connections/connectionId/" + orgID, wantID: 42},
		{name: "15 characters", orgID: orgID[:15], wantPath: "/api/v1/connections/connectionId/" + orgID[:15], wantID: 42},
		{
			name: "15 characters in the wrong case", orgID: strings.ToLower(orgID[:15]),
			wantPath: "/api/v1/connections/connectionId/" + strings.ToLower(orgID[:15]),
			wantErr:  IsNotFound, wantText: "HTTP 404 Not Found: Connection not found",
		},
		{
			name: "unknown 18 characters", orgID: "00D000000000000AAA",
			wantPath: "/api/v1/connections/connectionId/00D000000000000AAA",
			wantErr:  IsNotFound, wantText: "HTTP 404 Not Found: Connection not found",
		},
		{
			name: "reserved characters are escaped", orgID: "00D/ab c?d#e%f",
			wantPath: "/api/v1/connections/connectionId/00D%2Fab%20c%3Fd%23e%25f",
			wantErr:  IsBadRequest, wantText: "HTTP 400 Bad Request: salesforceOrgId must be 15 or 18 characters long",
		},
		{
			name: "a slash cannot climb the path", orgID: "../../connections",
			wantPath: "/api/v1/connections/connectionId/..%2F..%2Fconnections",
			wantErr:  IsBadRequest, wantText: "salesforceOrgId must be 15 or 18 characters long",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			client, _ := clientFor(t, srv)
			got, err := client.GetConnectionID(context.Background(), tt.orgID)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("GetConnectionID(%q): %v", tt.orgID, err)
				}
				if got != tt.wantID {
					t.Errorf("GetConnectionID(%q) = %d, want %d", tt.orgID, got, tt.wantID)
				}
			} else {
				text := mustErr(t, err)
				if !tt.wantErr(err) {
					t.Errorf("error %q is not of the expected class", text)
				}
				assertContains(t, text, tt.wantText)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			if reqs[0].Path != tt.wantPath {
				t.Errorf("request path = %q, want %q", reqs[0].Path, tt.wantPath)
			}
		})
	}
}

func TestListConnectionsPage(t *testing.T) {
	seed := testserver.Seed(4500)
	order := listOrder(seed)
	srv := startServer(t, 4500)
	client, _ := clientFor(t, srv)

	tests := []struct {
		page, limit int
		search      string
		wantTotal   int64
		wantItems   []testserver.Connection
		wantQuery   string
	}{
		{page: 1, limit: 2000, wantTotal: 4500, wantItems: order[:2000], wantQuery: "limit=2000&page=1"},
		{page: 3, limit: 2000, wantTotal: 4500, wantItems: order[4000:], wantQuery: "limit=2000&page=3"},
		{page: 4, limit: 2000, wantTotal: 4500, wantItems: nil, wantQuery: "limit=2000&page=4"},
		{page: 2, limit: 10, wantTotal: 4500, wantItems: order[10:20], wantQuery: "limit=10&page=2"},
		{page: 1, limit: 1, search: "Finance Production", wantTotal: int64(len(wantList(seed, "Finance Production"))),
			wantItems: filter(order, "Finance Production")[:1], wantQuery: "limit=1&page=1&search=Finance+Production"},
	}
	for _, tt := range tests {
		srv.ResetRequests()
		got, err := listConnectionsPage(context.Background(), client, tt.search, tt.page, tt.limit)
		if err != nil {
			t.Fatalf("ListConnectionsPage(%q, %d, %d): %v", tt.search, tt.page, tt.limit, err)
		}
		if got.Total != tt.wantTotal {
			t.Errorf("page %d: Total = %d, want %d", tt.page, got.Total, tt.wantTotal)
		}
		if got.Items == nil {
			t.Errorf("page %d: Items is nil, want a non-nil slice", tt.page)
		}
		if len(got.Items) != len(tt.wantItems) {
			t.Fatalf("page %d: %d items, want %d", tt.page, len(got.Items), len(tt.wantItems))
		}
		for i, c := range tt.wantItems {
			if got.Items[i] != wantSummary(c) {
				t.Fatalf("page %d item %d = %+v, want %+v (in the server's order)", tt.page, i, got.Items[i], wantSummary(c))
			}
		}
		reqs := srv.Requests()
		if len(reqs) != 1 || reqs[0].Path != "/api/v1/connections" || reqs[0].Query != tt.wantQuery {
			t.Errorf("requests = %v, want one to /api/v1/connections?%s", summarizeRequests(reqs), tt.wantQuery)
		}
	}
}

func filter(conns []testserver.Connection, search string) []testserver.Connection {
	var out []testserver.Connection
	for _, c := range conns {
		if testserver.Matches(c, search) {
			out = append(out, c)
		}
	}
	return out
}

func TestListConnections(t *testing.T) {
	seed := testserver.Seed(30)
	srv := startServer(t, 30)
	client, _ := clientFor(t, srv)

	got, err := client.ListConnections(context.Background(), "")
	if err != nil {
		t.Fatalf("ListConnections: %v", err)
	}
	assertList(t, got, wantList(seed, ""))
	for i, c := range got {
		if c.ID != int64(i+1) {
			t.Fatalf("item %d has id %d: not sorted by id", i, c.ID)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Query != "limit=2000&page=1" {
		t.Errorf("requests = %v, want exactly one for page 1", summarizeRequests(reqs))
	}
}

func TestUserAgentAndHeaders(t *testing.T) {
	srv := startServer(t, 5000)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	if _, err := client.GetConnection(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetConnectionID(ctx, testserver.OrgID(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ListConnections(ctx, ""); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 5 { // 1 + 1 + 3 pages
		t.Fatalf("got %d requests, want 5", len(reqs))
	}
	for _, r := range reqs {
		if r.UserAgent != testUserAgent {
			t.Errorf("%s sent User-Agent %q, want %q", r.Path, r.UserAgent, testUserAgent)
		}
		if r.Authorization != "Bearer "+secretToken {
			t.Errorf("%s sent Authorization %q", r.Path, r.Authorization)
		}
	}

	// Without a configured User-Agent, Go's default is sent, not an empty one.
	srv.ResetRequests()
	plain, _ := clientFor(t, srv, func(c *Config) { c.UserAgent = "" })
	if _, err := plain.GetConnection(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ua := srv.Requests()[0].UserAgent; !strings.HasPrefix(ua, "Go-http-client/") {
		t.Errorf("default User-Agent = %q", ua)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		wantText string
	}{
		{"empty base URL", Config{AccessToken: secretToken}, `base URL "" is not an absolute URL`},
		{"relative base URL", Config{BaseURL: "backup-us.flosum.app", AccessToken: secretToken}, "is not an absolute URL"},
		{"ftp base URL", Config{BaseURL: "ftp://backup-us.flosum.app", AccessToken: secretToken}, "must use https://"},
		{"http on a remote host", Config{BaseURL: "http://backup-us.flosum.app", AccessToken: secretToken}, "uses http:// on a host that is not loopback"},
		{"query in base URL", Config{BaseURL: "https://backup-us.flosum.app/?x=1", AccessToken: secretToken}, "must not carry credentials, a query or a fragment"},
		{"no token", Config{BaseURL: "https://backup-us.flosum.app"}, "an access token is required"},
		{"negative retries", Config{BaseURL: "https://backup-us.flosum.app", AccessToken: secretToken, MaxRetries: -1}, "max retries must be 0 or more, not -1"},
		{"garbage CA", Config{BaseURL: "https://backup-us.flosum.app", AccessToken: secretToken, CACertPEM: "garbage"}, "CA certificate PEM holds no certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if c != nil {
				t.Errorf("New returned a client")
			}
			assertContains(t, mustErr(t, err), tt.wantText)
		})
	}

	// A trailing slash on the base URL does not double the slash in paths.
	srv := startServer(t, 3)
	client, _ := clientFor(t, srv, func(c *Config) { c.BaseURL = srv.URL + "/" })
	if _, err := client.GetConnection(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	if p := srv.Requests()[0].Path; p != "/api/v1/connections/3" {
		t.Errorf("path = %q", p)
	}
}

// TestKeepAliveAndCloseIdleConnections: calls reuse one connection, and
// CloseIdleConnections reaches the transport under the logging wrapper.
func TestKeepAliveAndCloseIdleConnections(t *testing.T) {
	srv := startServer(t, 5)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	for id := int64(1); id <= 3; id++ {
		if _, err := client.GetConnection(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.ConnectionsOpened(); n != 1 {
		t.Errorf("3 sequential calls opened %d connections, want 1 (keep-alive)", n)
	}
	client.CloseIdleConnections()
	if _, err := client.GetConnection(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if n := srv.ConnectionsOpened(); n != 2 {
		t.Errorf("after CloseIdleConnections, %d connections were opened in all, want 2", n)
	}
}

// TestAnswersMatchRequests: a read by id must answer that id, and an org-id
// lookup an id of 1 or more; anything else is an *UnexpectedAnswerError
// naming both values, and is not remembered.
func TestAnswersMatchRequests(t *testing.T) {
	srv := startServer(t, 10)
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/3", Status: 200, Times: 1, Body: withField(t, validConnection, "id", "999")})
	orgIDs := map[string]string{"0": testserver.OrgID(1), "-1": testserver.OrgID(2)}
	for raw, orgID := range orgIDs {
		srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/connectionId/" + orgID, Status: 200, Times: 1, Body: `{"connectionId":` + raw + `}`})
	}
	client, _ := clientFor(t, srv)

	_, err := client.GetConnection(context.Background(), 3)
	var unexpected *UnexpectedAnswerError
	if !errors.As(err, &unexpected) || unexpected.Field != "id" || unexpected.Want != "3" || unexpected.Got != "999" {
		t.Fatalf("GetConnection(3) answered by 999: %v (%T)", err, err)
	}
	if text := mustErr(t, err); text != "GET /api/v1/connections/3: the answer's id is 999, where 3 was expected" {
		t.Errorf("error text %q", text)
	}
	if got, err := client.GetConnection(context.Background(), 3); err != nil || got.ID != 3 {
		t.Errorf("GetConnection(3) again: %+v, %v (the wrong answer must not be remembered)", got, err)
	}

	for raw, orgID := range orgIDs {
		_, err := client.GetConnectionID(context.Background(), orgID)
		if !errors.As(err, &unexpected) || unexpected.Field != "connectionId" || unexpected.Got != raw {
			t.Fatalf("lookup answered %s: %v (%T)", raw, err, err)
		}
		want := "GET /api/v1/connections/connectionId/" + orgID + ": the answer's connectionId is " + raw + ", where a connection id (1 or more) was expected"
		if text := mustErr(t, err); text != want {
			t.Errorf("error text %q, want %q", text, want)
		}
	}
}
