package contract_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/contract"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// exchange is one request of these tests and what must come of it.
type exchange struct {
	method      string
	path        string
	contentType string
	body        string
	noAuth      bool
	status      int
	// requestViolation, when set, is a text the checker must report about
	// the request: the test sends something the document forbids, to
	// exercise the server's own validation.
	requestViolation string
}

// run sends each exchange through the checker to a test server serving both
// APIs, and checks the statuses, that every answer follows the documents and
// that requests break them exactly where the test meant to.
func run(t *testing.T, opts testserver.Options, exchanges []exchange) *testserver.Server {
	t.Helper()
	checker, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := testserver.New(opts)
	ts := httptest.NewServer(checker.Middleware(srv))
	t.Cleanup(ts.Close)
	var wantRequestViolations []string
	for _, e := range exchanges {
		req, err := http.NewRequest(e.method, ts.URL+e.path, strings.NewReader(e.body))
		if err != nil {
			t.Fatal(err)
		}
		if e.contentType != "" {
			req.Header.Set("Content-Type", e.contentType)
		}
		if !e.noAuth {
			req.Header.Set("Authorization", "Bearer "+srv.Token())
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != e.status {
			t.Errorf("%s %s: status %d, want %d; body %s", e.method, e.path, resp.StatusCode, e.status, body)
		}
		if e.requestViolation != "" {
			wantRequestViolations = append(wantRequestViolations, e.requestViolation)
		}
	}
	var requestViolations []string
	for _, v := range checker.Violations() {
		if strings.HasPrefix(v, "request ") {
			requestViolations = append(requestViolations, v)
			continue
		}
		t.Errorf("violation: %s", v)
	}
	if len(requestViolations) != len(wantRequestViolations) {
		t.Errorf("%d request violations, want %d:\n%s", len(requestViolations), len(wantRequestViolations), strings.Join(requestViolations, "\n"))
	}
	for i, want := range wantRequestViolations {
		if i < len(requestViolations) && !strings.Contains(requestViolations[i], want) {
			t.Errorf("request violation %q does not mention %q", requestViolations[i], want)
		}
	}
	if got := checker.Checked(); got != len(exchanges) {
		t.Errorf("checked %d exchanges, want %d", got, len(exchanges))
	}
	return srv
}

// noRedirect shows redirects (the authorize answer) instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

const allBackups = "&types=full&types=full+%26+sync&types=template&types=archive" +
	"&statuses=In+Progress&statuses=Exception&statuses=Completed&statuses=Aborted"

// TestConnectionDataFollowsTheSpec runs every endpoint below a connection:
// happy paths (3 pages of 4,500 backups), 400, 404 and 409.
func TestConnectionDataFollowsTheSpec(t *testing.T) {
	now := time.Now()
	conns := testserver.Seed(3)
	many := testserver.SeedData(conns[0], now)
	many.Backups = testserver.SeedBackups(1, 4500, now)
	c := "/api/v1/connections"
	get := func(path string, status int) exchange {
		return exchange{method: http.MethodGet, path: c + path, status: status}
	}
	exchanges := []exchange{
		get("/2/settings", 200),
		get("/99/settings", 404),
		{method: http.MethodGet, path: c + "/abc/settings", status: 400, requestViolation: `parameter "connectionId"`},
		get("/1/backups?page=1&limit=2000"+allBackups, 200),
		get("/1/backups?page=2&limit=2000"+allBackups, 200),
		get("/1/backups?page=3&limit=2000"+allBackups, 200),
		get("/2/backups?page=1&limit=50&types=archive&statuses=Completed&search=archive&isIncludeMetadata=true"+
			"&startedDate="+url.QueryEscape(now.Add(-72*time.Hour).Format(time.RFC3339))+"&endDate="+url.QueryEscape(now.Format(time.RFC3339))+
			"&sortBy=jobId&order=ASC", 200),
		get("/2/backups?page=1&limit=50"+allBackups+"&search=no+such+backup", 200),
		get("/2/backups?page=1&limit=50"+allBackups+"&startedDate=yesterday", 400),
		{method: http.MethodGet, path: c + "/2/backups?page=1&limit=50", status: 400, requestViolation: `parameter "types"`},
		{method: http.MethodGet, path: c + "/2/backups?page=1&limit=50&types=weekly" + allBackups, status: 400, requestViolation: `parameter "types"`},
		get("/2/backups?page=0&limit=50"+allBackups, 400),
		get("/99/backups?page=1&limit=50"+allBackups, 404),
		get("/2/templates?page=1&limit=50&types=backup&types=archive", 200),
		get("/2/templates?page=1&limit=1&types=archive&search=cases&sortBy=name&order=DESC", 200),
		{method: http.MethodGet, path: c + "/2/templates?page=1&limit=50", status: 400, requestViolation: `parameter "types"`},
		get("/99/templates?page=1&limit=50&types=backup", 404),
		get("/2/templates/backup/2001", 200),
		get("/2/templates/backup/2002", 200),
		get("/2/templates/backup/2003", 404),
		get("/99/templates/backup/2001", 404),
		get("/2/schedulers", 200),
		get("/2/schedulers?templateId=2001", 200),
		{method: http.MethodGet, path: c + "/2/schedulers?templateId=x", status: 400, requestViolation: `parameter "templateId"`},
		get("/99/schedulers", 404),
		get("/2/schedulers/backup/2011", 200),
		get("/2/schedulers/backup/2013", 200),
		get("/2/schedulers/backup/2014", 200),
		get("/2/schedulers/backup/2015", 200),
		get("/2/schedulers/backup/2016", 409),
		get("/2/schedulers/backup/9999", 404),
		get("/99/schedulers/backup/2011", 404),
		// 401 has no documented body: let through unchecked.
		{method: http.MethodGet, path: c + "/2/settings", noAuth: true, status: 401, requestViolation: "Authorization"},
	}
	run(t, testserver.Options{Connections: conns, Data: map[int64]testserver.ConnectionData{1: many}}, exchanges)
}

// TestTokenTrafficFollowsTheSpec runs the Global Settings API's authorize
// and token operations: a redirect, refreshes with rotation, and 400s.
func TestTokenTrafficFollowsTheSpec(t *testing.T) {
	cfg := testserver.New(testserver.Options{}).OAuthConfig()
	form := func(grant string, extra ...string) string {
		v := url.Values{"grant_type": {grant}, "redirect_uri": {cfg.RedirectURI}, "client_id": {cfg.ClientID}, "client_secret": {cfg.ClientSecret}}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v.Encode()
	}
	authorize := "/api/v1/oauth/authorize?" + url.Values{
		"client_id": {cfg.ClientID}, "response_type": {"code"}, "redirect_uri": {cfg.RedirectURI}, "state": {"s1"},
	}.Encode()
	token := func(body string, status int) exchange {
		return exchange{method: http.MethodPost, path: "/api/v1/oauth/token", contentType: "application/x-www-form-urlencoded", body: body, noAuth: true, status: status}
	}
	jsonBody, _ := json.Marshal(map[string]string{"grant_type": "refresh_token", "refresh_token": testserver.DefaultRefreshToken,
		"redirect_uri": cfg.RedirectURI, "client_id": cfg.ClientID, "client_secret": cfg.ClientSecret})
	s := run(t, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}}, []exchange{
		{method: http.MethodGet, path: authorize, noAuth: true, status: 302},
		{method: http.MethodGet, path: "/api/v1/oauth/authorize?client_id=x&response_type=code&redirect_uri=y", noAuth: true, status: 400},
		token(form("refresh_token", "refresh_token", testserver.DefaultRefreshToken), 200),
		token(form("refresh_token", "refresh_token", testserver.DefaultRefreshToken), 400),
		token(form("authorization_code", "code", "code_guess"), 400),
		token(form("refresh_token", "refresh_token", testserver.DefaultRefreshToken, "client_secret", "wrong"), 400),
		{method: http.MethodPost, path: "/api/v1/oauth/token", contentType: "application/x-www-form-urlencoded", body: "grant_type=password", noAuth: true, status: 400, requestViolation: "grant_type"},
		{method: http.MethodPost, path: "/api/v1/oauth/token", contentType: "application/json", body: string(jsonBody), noAuth: true, status: 400, requestViolation: "application/json"},
	})
	exchanges := s.TokenExchanges()
	if len(exchanges) != 6 || exchanges[0].Status != 200 || !exchanges[1].ReplacedRefreshToken {
		t.Errorf("token exchanges %+v; want 6, the first accepted, the second with the replaced token", exchanges)
	}
}

// TestAuthorizationCodeFlowFollowsTheSpec follows the docs guide: authorize,
// then exchange the code from the redirect for the first refresh token, then
// refresh, all checked against the Global Settings document.
func TestAuthorizationCodeFlowFollowsTheSpec(t *testing.T) {
	checker, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	srv := testserver.New(testserver.Options{})
	ts := httptest.NewServer(checker.Middleware(srv))
	defer ts.Close()
	cfg := srv.OAuthConfig()
	resp, err := noRedirect.Get(ts.URL + "/api/v1/oauth/authorize?" + url.Values{
		"client_id": {cfg.ClientID}, "response_type": {"code"}, "redirect_uri": {cfg.RedirectURI}, "state": {"s1"},
	}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	location, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	refresh := ""
	for _, grant := range []url.Values{
		{"grant_type": {"authorization_code"}, "code": {location.Query().Get("code")}},
		{"grant_type": {"refresh_token"}},
	} {
		if refresh != "" {
			grant.Set("refresh_token", refresh)
		}
		grant.Set("redirect_uri", cfg.RedirectURI)
		grant.Set("client_id", cfg.ClientID)
		grant.Set("client_secret", cfg.ClientSecret)
		resp, err := http.PostForm(ts.URL+"/api/v1/oauth/token", grant)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			RefreshToken string `json:"refresh_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || body.RefreshToken == "" {
			t.Fatalf("%s grant: status %d, refresh token %q, %v", grant.Get("grant_type"), resp.StatusCode, body.RefreshToken, err)
		}
		refresh = body.RefreshToken
	}
	if v := checker.Violations(); len(v) > 0 || checker.Checked() != 3 {
		t.Errorf("checked %d, violations:\n%s", checker.Checked(), strings.Join(v, "\n"))
	}
}

// TestCheckerCatchesDriftBelowConnections shows the checker reads the new
// definitions: answers that drift from them in a field's presence, type or
// enum, and an undocumented token answer shape, are all reported.
func TestCheckerCatchesDriftBelowConnections(t *testing.T) {
	checker, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]string{
		// jobStatus left out, size a string.
		"/api/v1/connections/1/backups": `{"total":1,"items":[{"id":1,"name":"n","jobId":2,"startedDate":"2026-01-01T00:00:00Z","duration":"1","size":"big","records":1,"operationType":"Composite Backup"}]}`,
		// archiveTemplatesCount left out.
		"/api/v1/connections/1/templates": `{"total":0,"items":[],"backupTemplatesCount":0}`,
		// a root without its level.
		"/api/v1/connections/1/templates/backup/5": `{"id":5,"name":"n","type":"backup","roots":[[{"id":1,"objectApiName":"A","label":"A"}]]}`,
		// a frequency the document does not list.
		"/api/v1/connections/1/schedulers": `[{"id":1,"name":"n","type":"full backup","timezone":"UTC","isDefault":false,"configuration":{"frequency":"yearly","repeatEvery":1,"runAt":"01:00"}}]`,
		// the token answer without expires_in.
		"/api/v1/oauth/token": `{"access_token":"a","token_type":"Bearer","refresh_token":null}`,
		// the authorize redirect's body without its status.
		"/api/v1/oauth/authorize": `{"url":"https://app.example/cb?code=c"}`,
	}
	drifted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/authorize") {
			w.Header().Set("Location", "https://app.example/cb?code=c")
			w.WriteHeader(http.StatusFound)
		}
		_, _ = w.Write([]byte(answers[r.URL.Path]))
	})
	ts := httptest.NewServer(checker.Middleware(drifted))
	defer ts.Close()
	for path := range answers {
		method, body, query := http.MethodGet, "", "?page=1&limit=5&types=backup"
		if strings.Contains(path, "backups") {
			query = "?page=1&limit=5" + allBackups
		}
		if strings.HasSuffix(path, "/authorize") {
			query = "?client_id=c&response_type=code&redirect_uri=u"
		}
		if strings.HasSuffix(path, "/token") {
			method, query = http.MethodPost, ""
			body = fmt.Sprintf("grant_type=refresh_token&refresh_token=r&redirect_uri=u&client_id=%s&client_secret=s", testserver.DefaultClientID)
		}
		req, _ := http.NewRequest(method, ts.URL+path+query, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer x")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	v := strings.Join(checker.Violations(), "\n")
	for _, want := range []string{"jobStatus", `"size"`, "archiveTemplatesCount", `"level"`, "yearly", "expires_in", `"status"`} {
		if !strings.Contains(v, want) {
			t.Errorf("violations do not mention %s:\n%s", want, v)
		}
	}
	if strings.Contains(v, "request ") {
		t.Errorf("the requests were valid, yet:\n%s", v)
	}
}
