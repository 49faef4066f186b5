package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/contract"
	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// serve runs the test server behind the contract checker.
func serve(t *testing.T, n int) (*contract.Checker, *testserver.Server, string) {
	t.Helper()
	checker, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := testserver.New(testserver.Options{Connections: testserver.Seed(n)})
	ts := httptest.NewServer(checker.Middleware(srv))
	t.Cleanup(ts.Close)
	return checker, srv, ts.URL
}

// TestClientAndServerFollowTheSpec sends every kind of request the client
// makes, and checks each request and each documented answer (200, 400, 404)
// against the vendor's document.
func TestClientAndServerFollowTheSpec(t *testing.T) {
	checker, srv, url := serve(t, 4500)
	client, err := flosumapi.New(flosumapi.Config{BaseURL: url, AccessToken: srv.Token(), RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	all, err := client.ListConnections(ctx, "")
	if err != nil || len(all) != 4500 {
		t.Fatalf("ListConnections = %d items, %v; want 4500", len(all), err)
	}
	found, err := client.ListConnections(ctx, "Finance Sandbox 4")
	if err != nil || len(found) == 0 {
		t.Fatalf("ListConnections(search) = %d items, %v; want some", len(found), err)
	}
	if none, err := client.ListConnections(ctx, "no such connection"); err != nil || len(none) != 0 {
		t.Fatalf("ListConnections(no match) = %d items, %v; want 0", len(none), err)
	}
	if conn, err := client.GetConnection(ctx, 42); err != nil || conn.ID != 42 {
		t.Fatalf("GetConnection(42) = %+v, %v", conn, err)
	}
	if _, err := client.GetConnection(ctx, 999999); !flosumapi.IsNotFound(err) {
		t.Fatalf("GetConnection(999999) error = %v, want not found", err)
	}
	orgID := testserver.OrgID(7)
	for _, id := range []string{orgID, orgID[:15]} {
		if got, err := client.GetConnectionID(ctx, id); err != nil || got != 7 {
			t.Fatalf("GetConnectionID(%s) = %d, %v; want 7", id, got, err)
		}
	}
	if _, err := client.GetConnectionID(ctx, "00DB00000003brXMAQ"); !flosumapi.IsNotFound(err) {
		t.Fatalf("GetConnectionID(unknown) error = %v, want not found", err)
	}
	if _, err := client.GetConnectionID(ctx, "00DB00000003"); !flosumapi.IsBadRequest(err) {
		t.Fatalf("GetConnectionID(short) error = %v, want bad request", err)
	}

	// 3 + 1 + 1 list pages, 2 reads by id, 4 lookups.
	if got := checker.Checked(); got != 11 {
		t.Errorf("checked %d exchanges, want 11", got)
	}
	if v := checker.Violations(); len(v) > 0 {
		t.Errorf("traffic does not follow the spec:\n%s", strings.Join(v, "\n"))
	}
	if srv.RequestCount() != 11 {
		t.Errorf("server saw %d requests, want 11", srv.RequestCount())
	}
}

// TestServerValidationAnswersFollowTheSpec checks the test server's 400 and
// 404 bodies for requests the client would never send.
func TestServerValidationAnswersFollowTheSpec(t *testing.T) {
	checker, srv, url := serve(t, 3)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/api/v1/connections?page=0&limit=10", http.StatusBadRequest},
		{"/api/v1/connections?page=1&limit=2001", http.StatusBadRequest},
		{"/api/v1/connections?page=1&limit=10&search=" + strings.Repeat("x", 81), http.StatusBadRequest},
		{"/api/v1/connections?page=2&limit=10", http.StatusOK},
		{"/api/v1/connections/0", http.StatusNotFound},
		{"/api/v1/connections/connectionId/00DB00000003brXMAQ", http.StatusNotFound},
		{"/api/v1/connections/connectionId/00DB0000", http.StatusBadRequest},
	} {
		req, _ := http.NewRequest(http.MethodGet, url+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}
	if v := checker.Violations(); len(v) > 0 {
		t.Errorf("answers do not follow the spec:\n%s", strings.Join(v, "\n"))
	}
}

// TestCheckerCatchesDrift shows the checker is not vacuous: a request
// without the required page, and an answer missing a required field, are
// both reported.
func TestCheckerCatchesDrift(t *testing.T) {
	checker, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	drifted := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"total":1,"items":[{"id":1,"externalId":2,"name":"n","salesforceOrgType":"SANDBOX"}]}`))
	})
	ts := httptest.NewServer(checker.Middleware(drifted))
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/connections?limit=5", nil)
	req.Header.Set("Authorization", "Bearer x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	v := strings.Join(checker.Violations(), "\n")
	for _, want := range []string{`parameter "page"`, "userName"} {
		if !strings.Contains(v, want) {
			t.Errorf("violations do not mention %q:\n%s", want, v)
		}
	}
}
