package testserver

import (
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// serve sends one GET to a server's handler, with the bearer token when auth
// is set, and returns the status and body.
func serve(t *testing.T, s *Server, target string, auth bool) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if auth {
		req.Header.Set("Authorization", "Bearer "+s.Token())
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q, want application/json; charset=utf-8", target, ct)
	}
	return rec.Code, rec.Body.Bytes()
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected JSON %s: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func decodePage(t *testing.T, body []byte) ListPage {
	t.Helper()
	var page ListPage
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("list body %s: %v", body, err)
	}
	return page
}

func badRequest(messages ...string) string {
	data, _ := json.Marshal(messages)
	return `{"error": "Bad Request", "message": ` + string(data) + `, "statusCode": 400}`
}

func TestServer_handler(t *testing.T) {
	t.Parallel()
	const n = 25
	seed := Seed(n)
	s := New(Options{Connections: seed})
	c3 := seed[2]

	tests := []struct {
		name       string
		target     string
		noAuth     bool
		wantStatus int
		// wantBody is the exact JSON value expected, when set.
		wantBody string
		// check inspects the body further, when set.
		check func(t *testing.T, body []byte)
	}{
		{
			name:       "huge page is empty, with the total",
			target:     apiPrefix + "?page=9223372036854775807&limit=2000",
			wantStatus: http.StatusOK,
			wantBody:   `{"total": 25, "items": []}`,
		},
		{
			name:       "huge page with limit 1 is empty",
			target:     apiPrefix + "?page=9223372036854775807&limit=1",
			wantStatus: http.StatusOK,
			wantBody:   `{"total": 25, "items": []}`,
		},
		{
			name:       "page just past the data is empty",
			target:     apiPrefix + "?page=6&limit=5",
			wantStatus: http.StatusOK,
			wantBody:   `{"total": 25, "items": []}`,
		},
		{
			name:       "last partial page",
			target:     apiPrefix + "?page=3&limit=10",
			wantStatus: http.StatusOK,
			check: func(t *testing.T, body []byte) {
				t.Helper()
				if page := decodePage(t, body); page.Total != n || len(page.Items) != 5 {
					t.Errorf("page 3 of 10: total %d, %d items; want %d, 5", page.Total, len(page.Items), n)
				}
			},
		},
		{
			name:       "page 0",
			target:     apiPrefix + "?page=0&limit=10",
			wantStatus: http.StatusBadRequest,
			wantBody:   badRequest("page must not be less than 1"),
		},
		{
			name:       "limit 0",
			target:     apiPrefix + "?page=1&limit=0",
			wantStatus: http.StatusBadRequest,
			wantBody:   badRequest("limit must not be less than 1"),
		},
		{
			name:       "limit 2001",
			target:     apiPrefix + "?page=1&limit=2001",
			wantStatus: http.StatusBadRequest,
			wantBody:   badRequest("limit must not be greater than 2000"),
		},
		{
			name:       "non-numeric page",
			target:     apiPrefix + "?page=abc&limit=10",
			wantStatus: http.StatusBadRequest,
			wantBody:   badRequest("page must not be less than 1", "page must be a number conforming to the specified constraints"),
		},
		{
			name:       "81-character search",
			target:     apiPrefix + "?page=1&limit=10&search=" + strings.Repeat("a", 81),
			wantStatus: http.StatusBadRequest,
			wantBody:   badRequest("search must be shorter than or equal to 80 characters"),
		},
		{
			name:       "80-character search is allowed",
			target:     apiPrefix + "?page=1&limit=10&search=" + strings.Repeat("a", 80),
			wantStatus: http.StatusOK,
			wantBody:   `{"total": 0, "items": []}`,
		},
		{
			name:       "list without the token",
			target:     apiPrefix + "?page=1&limit=10",
			noAuth:     true,
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"message": "Unauthorized", "statusCode": 401}`,
		},
		{
			name:       "by id without the token",
			target:     apiPrefix + "/3",
			noAuth:     true,
			wantStatus: http.StatusUnauthorized,
			wantBody:   `{"message": "Unauthorized", "statusCode": 401}`,
		},
		{
			name:       "unknown id",
			target:     apiPrefix + "/999",
			wantStatus: http.StatusNotFound,
			wantBody:   `{"message": "Connection with id 999 not found", "error": "Not Found", "statusCode": 404}`,
		},
		{
			name:       "non-numeric id",
			target:     apiPrefix + "/abc",
			wantStatus: http.StatusBadRequest,
			wantBody:   badRequest("Validation failed (numeric string is expected)"),
		},
		{
			name:       "by id",
			target:     apiPrefix + "/3",
			wantStatus: http.StatusOK,
			wantBody: `{"id": 3, "externalId": ` + strconv.FormatInt(c3.ExternalID, 10) + `, "name": "` + c3.Name +
				`", "userFullName": "` + c3.UserFullName + `", "userName": "` + c3.UserName +
				`", "salesforceOrgId": "` + c3.SalesforceOrgID + `", "salesforceOrgType": "` + c3.SalesforceOrgType + `"}`,
		},
		{
			name:       "by 18-character org id",
			target:     apiPrefix + "/connectionId/" + c3.SalesforceOrgID,
			wantStatus: http.StatusOK,
			wantBody:   `{"connectionId": 3}`,
		},
		{
			name:       "by 15-character org id",
			target:     apiPrefix + "/connectionId/" + c3.SalesforceOrgID[:15],
			wantStatus: http.StatusOK,
			wantBody:   `{"connectionId": 3}`,
		},
		{
			name:       "org id of another length",
			target:     apiPrefix + "/connectionId/" + c3.SalesforceOrgID[:16],
			wantStatus: http.StatusBadRequest,
			wantBody:   badRequest("salesforceOrgId must be 15 or 18 characters long"),
		},
		{
			name:       "unknown org id",
			target:     apiPrefix + "/connectionId/00D000000000000AAA",
			wantStatus: http.StatusNotFound,
			wantBody:   `{"message": "Connection not found", "error": "Not Found", "statusCode": 404}`,
		},
		{
			name:       "search is case-insensitive",
			target:     apiPrefix + "?page=1&limit=100&search=FINANCE%20sandbox",
			wantStatus: http.StatusOK,
			check: func(t *testing.T, body []byte) {
				t.Helper()
				page := decodePage(t, body)
				var want []int64
				for _, c := range seed {
					if strings.HasPrefix(c.Name, "Finance Sandbox ") {
						want = append(want, c.ID)
					}
				}
				var got []int64
				for _, item := range page.Items {
					got = append(got, item.ID)
				}
				slices.Sort(got)
				if len(want) == 0 || page.Total != len(want) || !slices.Equal(got, want) {
					t.Errorf("search FINANCE sandbox: total %d, ids %v; want %d, %v", page.Total, got, len(want), want)
				}
			},
		},
		{
			name:       "list is ordered by name, not by id",
			target:     apiPrefix + "?page=1&limit=100",
			wantStatus: http.StatusOK,
			check: func(t *testing.T, body []byte) {
				t.Helper()
				page := decodePage(t, body)
				if page.Total != n || len(page.Items) != n {
					t.Fatalf("total %d, %d items; want %d, %d", page.Total, len(page.Items), n, n)
				}
				if !slices.IsSortedFunc(page.Items, func(a, b ListItem) int { return strings.Compare(a.Name, b.Name) }) {
					t.Errorf("items are not sorted by name: %v", page.Items)
				}
				if slices.IsSortedFunc(page.Items, func(a, b ListItem) int { return cmp.Compare(a.ID, b.ID) }) {
					t.Errorf("items are sorted by id, want by name")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := serve(t, s, tt.target, !tt.noAuth)
			if status != tt.wantStatus {
				t.Fatalf("GET %s: status %d, want %d; body %s", tt.target, status, tt.wantStatus, body)
			}
			if tt.wantBody != "" && !jsonEqual(t, body, tt.wantBody) {
				t.Errorf("GET %s: body %s, want %s", tt.target, body, tt.wantBody)
			}
			if tt.check != nil {
				tt.check(t, body)
			}
		})
	}
}

// Connections of the same name are listed by id, even ids whose difference
// does not fit in an int64.
func TestServer_listOrderTiesByID(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: []Connection{
		{ID: math.MaxInt64, Name: "Same", SalesforceOrgID: "00D000000000001AAA"},
		{ID: -5, Name: "Same", SalesforceOrgID: "00D000000000002AAA"},
		{ID: 1, Name: "Same", SalesforceOrgID: "00D000000000003AAA"},
		{ID: 2, Name: "Alpha", SalesforceOrgID: "00D000000000004AAA"},
	}})
	status, body := serve(t, s, apiPrefix+"?page=1&limit=10", true)
	if status != http.StatusOK {
		t.Fatalf("status %d; body %s", status, body)
	}
	var got []int64
	for _, item := range decodePage(t, body).Items {
		got = append(got, item.ID)
	}
	if want := []int64{2, -5, 1, math.MaxInt64}; !slices.Equal(got, want) {
		t.Errorf("list order %v, want %v", got, want)
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	c := Connection{Name: "Sales Production 1", UserName: "admin1@sales.example.com", SalesforceOrgID: "00DAbCdEfGhIjKlMNO"}
	for _, tt := range []struct {
		search string
		want   bool
	}{
		{"sales production", true},
		{"SALES PRODUCTION", true},
		{"ProDuct", true},
		{"ADMIN1@SALES", true},
		{"00dabcdefghijklmno", true},
		{"abcdef", true},
		{"", true},
		{"sandbox", false},
		{"admin2@", false},
	} {
		if got := Matches(c, tt.search); got != tt.want {
			t.Errorf("Matches(%q) = %v, want %v", tt.search, got, tt.want)
		}
	}
}
