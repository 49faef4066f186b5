package testserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// post sends a token request with the given content type and body.
func post(t *testing.T, s http.Handler, contentType, body string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, tokenPath, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

const formType = "application/x-www-form-urlencoded"

// refreshForm is a valid refresh_token grant for the default connected app.
func refreshForm(refreshToken string) url.Values {
	return url.Values{
		"grant_type": {GrantRefreshToken}, "refresh_token": {refreshToken},
		"redirect_uri": {DefaultRedirectURI}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret},
	}
}

// exchange posts a form and decodes a 200 answer.
func exchange(t *testing.T, s http.Handler, form url.Values) tokenResponse {
	t.Helper()
	status, body := post(t, s, formType, form.Encode())
	if status != http.StatusOK {
		t.Fatalf("token request %v: status %d, body %s", form, status, body)
	}
	return decodeInto[tokenResponse](t, body)
}

// backupStatus is the Backup API's status for a request with accessToken.
func backupStatus(t *testing.T, s http.Handler, accessToken string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, apiPrefix+"/1/settings", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}

func TestToken_validation(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(1)})
	missingAll := []string{
		"grant_type must be one of the following values: authorization_code, refresh_token",
		"redirect_uri should not be empty", "redirect_uri must be a string",
		"client_id should not be empty", "client_id must be a string",
		"client_secret should not be empty", "client_secret must be a string",
	}
	valid := refreshForm(DefaultRefreshToken)
	with := func(edit func(url.Values)) string {
		f := url.Values{}
		for k, v := range valid {
			f[k] = v
		}
		edit(f)
		return f.Encode()
	}
	jsonBody, _ := json.Marshal(map[string]string{
		"grant_type": GrantRefreshToken, "refresh_token": DefaultRefreshToken,
		"redirect_uri": DefaultRedirectURI, "client_id": DefaultClientID, "client_secret": DefaultClientSecret,
	})
	for _, tt := range []struct {
		name        string
		contentType string
		body        string
		want        []string
	}{
		{"empty form", formType, "", missingAll},
		{"JSON body, though complete", "application/json", string(jsonBody), missingAll},
		{"no content type", "", valid.Encode(), missingAll},
		{"unknown grant type", formType, with(func(f url.Values) { f.Set("grant_type", "client_credentials") }), missingAll[:1]},
		{"refresh grant without refresh token", formType, with(func(f url.Values) { f.Del("refresh_token") }), []string{"refresh_token should not be empty", "refresh_token must be a string"}},
		{"code grant without code", formType, with(func(f url.Values) { f.Set("grant_type", GrantAuthorizationCode) }), []string{"code should not be empty", "code must be a string"}},
		{"empty client secret", formType, with(func(f url.Values) { f.Set("client_secret", "") }), []string{"client_secret should not be empty"}},
		{"wrong client secret", formType, with(func(f url.Values) { f.Set("client_secret", "nope") }), []string{MessageInvalidClient}},
		{"unknown client id", formType, with(func(f url.Values) { f.Set("client_id", "fci_other") }), []string{MessageInvalidClient}},
		{"other redirect URI", formType, with(func(f url.Values) { f.Set("redirect_uri", DefaultRedirectURI+"/") }), []string{MessageInvalidRedirectURI}},
		{"unknown refresh token", formType, with(func(f url.Values) { f.Set("refresh_token", "frt_guess") }), []string{MessageInvalidRefreshToken}},
		{"unknown code", formType, with(func(f url.Values) { f.Set("grant_type", GrantAuthorizationCode); f.Set("code", "code_guess") }), []string{MessageInvalidCode}},
	} {
		status, body := post(t, s, tt.contentType, tt.body)
		if status != http.StatusBadRequest || !jsonEqual(t, body, badRequest(tt.want...)) {
			t.Errorf("%s: status %d, body %s; want 400, %s", tt.name, status, body, badRequest(tt.want...))
		}
	}
	// Parameters in the query string are not read.
	req := httptest.NewRequest(http.MethodPost, tokenPath+"?"+valid.Encode(), nil)
	req.Header.Set("Content-Type", formType)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("query-string token request: status %d, want 400", rec.Code)
	}
	exchanges := s.TokenExchanges()
	if len(exchanges) != 13 {
		t.Fatalf("%d exchanges recorded, want 13", len(exchanges))
	}
	for _, e := range exchanges {
		if e.Status != http.StatusBadRequest || e.AccessToken != "" {
			t.Errorf("rejected exchange recorded as %+v", e)
		}
	}
}

func TestToken_refreshWithoutRotation(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(1)})
	first := exchange(t, s, refreshForm(DefaultRefreshToken))
	second := exchange(t, s, refreshForm(DefaultRefreshToken))
	if first.RefreshToken == nil || *first.RefreshToken != DefaultRefreshToken || first.TokenType != "Bearer" || first.ExpiresIn != 3600 {
		t.Errorf("first answer %+v, want the same refresh token, Bearer, 3600", first)
	}
	if first.AccessToken == second.AccessToken {
		t.Errorf("both exchanges issued access token %q", first.AccessToken)
	}
	for _, token := range []string{first.AccessToken, second.AccessToken, DefaultToken} {
		if got := backupStatus(t, s, token); got != http.StatusOK {
			t.Errorf("Backup API with %q: status %d, want 200", token, got)
		}
	}
	if got := backupStatus(t, s, "fat_forged"); got != http.StatusUnauthorized {
		t.Errorf("Backup API with a forged token: status %d, want 401", got)
	}
	s.ExpireAccessTokens()
	if got := backupStatus(t, s, first.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("after ExpireAccessTokens: status %d, want 401", got)
	}
	if got := s.LatestRefreshToken(); got != DefaultRefreshToken {
		t.Errorf("LatestRefreshToken %q, want %q", got, DefaultRefreshToken)
	}
}

func TestToken_nullRefreshToken(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(1), OAuth: OAuth{NullRefreshToken: true}})
	status, body := post(t, s, formType, refreshForm(DefaultRefreshToken).Encode())
	if status != http.StatusOK || !strings.Contains(string(body), `"refresh_token":null`) {
		t.Errorf("status %d, body %s; want 200 with a null refresh_token", status, body)
	}
}

func TestToken_rotation(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(1), OAuth: OAuth{RotateRefreshTokens: true, RefreshToken: "frt_start"}})
	first := exchange(t, s, refreshForm("frt_start"))
	if first.RefreshToken == nil || *first.RefreshToken == "frt_start" {
		t.Fatalf("rotation answered refresh token %v, want a new one", first.RefreshToken)
	}
	rotated := *first.RefreshToken
	status, body := post(t, s, formType, refreshForm("frt_start").Encode())
	if status != http.StatusBadRequest || !jsonEqual(t, body, badRequest(MessageInvalidRefreshToken)) {
		t.Errorf("replaced token: status %d, body %s; want 400 %s", status, body, MessageInvalidRefreshToken)
	}
	second := exchange(t, s, refreshForm(rotated))
	if s.LatestRefreshToken() != *second.RefreshToken || *second.RefreshToken == rotated {
		t.Errorf("LatestRefreshToken %q, second answer %q, first %q", s.LatestRefreshToken(), *second.RefreshToken, rotated)
	}
	got := s.TokenExchanges()
	if len(got) != 3 {
		t.Fatalf("%d exchanges, want 3", len(got))
	}
	want := []TokenExchange{
		{GrantType: GrantRefreshToken, ClientID: DefaultClientID, RefreshToken: "frt_start", Status: 200, AccessToken: first.AccessToken, IssuedRefreshToken: rotated},
		{GrantType: GrantRefreshToken, ClientID: DefaultClientID, RefreshToken: "frt_start", ReplacedRefreshToken: true, Status: 400},
		{GrantType: GrantRefreshToken, ClientID: DefaultClientID, RefreshToken: rotated, Status: 200, AccessToken: second.AccessToken, IssuedRefreshToken: *second.RefreshToken},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("exchange %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Access tokens issued before a rotation keep working.
	if got := backupStatus(t, s, first.AccessToken); got != http.StatusOK {
		t.Errorf("first access token: status %d, want 200", got)
	}
}

func TestToken_expiry(t *testing.T) {
	t.Parallel()
	c := &clock{now: fixedNow}
	s := New(Options{Connections: Seed(1), Now: c.Now, OAuth: OAuth{AccessTokenLifetime: time.Second}})
	answer := exchange(t, s, refreshForm(DefaultRefreshToken))
	if answer.ExpiresIn != 1 {
		t.Errorf("expires_in %d, want 1", answer.ExpiresIn)
	}
	c.advance(999 * time.Millisecond)
	if got := backupStatus(t, s, answer.AccessToken); got != http.StatusOK {
		t.Errorf("just before expiry: status %d, want 200", got)
	}
	c.advance(time.Millisecond)
	if got := backupStatus(t, s, answer.AccessToken); got != http.StatusUnauthorized {
		t.Errorf("at expiry: status %d, want 401", got)
	}
	if got := backupStatus(t, s, DefaultToken); got != http.StatusOK {
		t.Errorf("static token: status %d, want 200", got)
	}
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(1), OAuth: OAuth{RedirectURI: "https://app.example/cb?tenant=1"}})
	authorize := func(query string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, authorizePath+"?"+query, nil))
		return rec
	}
	query := url.Values{"client_id": {DefaultClientID}, "response_type": {"code"}, "redirect_uri": {"https://app.example/cb?tenant=1"}, "state": {"xyz 1"}}
	rec := authorize(query.Encode())
	location, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || err != nil {
		t.Fatalf("authorize: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	code := location.Query().Get("code")
	if location.Host != "app.example" || location.Path != "/cb" || location.Query().Get("tenant") != "1" || location.Query().Get("state") != "xyz 1" || code == "" {
		t.Errorf("redirected to %s, want https://app.example/cb with tenant, state and code", location)
	}
	if want := `{"url": "` + location.String() + `", "status": 302}`; !jsonEqual(t, rec.Body.Bytes(), want) {
		t.Errorf("authorize body %s, want %s", rec.Body, want)
	}

	form := url.Values{
		"grant_type": {GrantAuthorizationCode}, "code": {code}, "redirect_uri": {"https://app.example/cb?tenant=1"},
		"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret},
	}
	answer := exchange(t, s, form)
	if answer.RefreshToken == nil || *answer.RefreshToken == DefaultRefreshToken || s.LatestRefreshToken() != *answer.RefreshToken {
		t.Fatalf("code exchange answered refresh token %v, want a new one", answer.RefreshToken)
	}
	exchange(t, s, url.Values{
		"grant_type": {GrantRefreshToken}, "refresh_token": {*answer.RefreshToken}, "redirect_uri": {"https://app.example/cb?tenant=1"},
		"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret},
	})
	if status, body := post(t, s, formType, form.Encode()); status != http.StatusBadRequest || !jsonEqual(t, body, badRequest(MessageInvalidCode)) {
		t.Errorf("code used twice: status %d, body %s", status, body)
	}

	for q, want := range map[string][]string{
		"": {"client_id should not be empty", "client_id must be a string", "response_type must be one of the following values: code",
			"redirect_uri should not be empty", "redirect_uri must be a string"},
		"client_id=fci_other&response_type=code&redirect_uri=" + url.QueryEscape("https://app.example/cb?tenant=1"): {MessageInvalidClient},
		"client_id=" + DefaultClientID + "&response_type=code&redirect_uri=https://evil.example/":                   {MessageInvalidRedirectURI},
		"client_id=" + DefaultClientID + "&response_type=token&redirect_uri=" + url.QueryEscape("https://app.example/cb?tenant=1"): {
			"response_type must be one of the following values: code"},
	} {
		if rec := authorize(q); rec.Code != http.StatusBadRequest || rec.Header().Get("Location") != "" || !jsonEqual(t, rec.Body.Bytes(), badRequest(want...)) {
			t.Errorf("authorize?%s: status %d, body %s; want 400 %v", q, rec.Code, rec.Body, want)
		}
	}
}

func TestToken_faultsAndRecording(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(1)})
	s.AddFault(Fault{PathPrefix: tokenPath, Status: http.StatusInternalServerError, Body: `{"message":"boom","error":null,"statusCode":500}`, Times: 1})
	if status, _ := post(t, s, formType, refreshForm(DefaultRefreshToken).Encode()); status != http.StatusInternalServerError {
		t.Errorf("faulted token request: status %d, want 500", status)
	}
	exchange(t, s, refreshForm(DefaultRefreshToken))
	if got := len(s.TokenExchanges()); got != 1 {
		t.Errorf("%d exchanges recorded, want 1 (the faulted request never reached the endpoint)", got)
	}
	if got := s.CountRequests(tokenPath); got != 2 {
		t.Errorf("%d token requests recorded, want 2", got)
	}
	// A delay-only fault still reaches the token endpoint.
	s.AddFault(Fault{PathPrefix: tokenPath, Delay: time.Millisecond, Times: 1})
	exchange(t, s, refreshForm(DefaultRefreshToken))
	if got := len(s.TokenExchanges()); got != 2 {
		t.Errorf("%d exchanges recorded after a delayed one, want 2", got)
	}
}

// Start serves each API on its own origin: each answers 404 for the other's
// paths. SameOrigin serves both on URL.
func TestStart_origins(t *testing.T) {
	t.Parallel()
	status := func(t *testing.T, method, target, contentType, body, token string) int {
		t.Helper()
		req, _ := http.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	form := refreshForm(DefaultRefreshToken).Encode()

	s := Start(t, Options{Connections: Seed(1)})
	if s.GlobalSettingsURL == s.URL || s.GlobalSettingsURL == "" {
		t.Fatalf("GlobalSettingsURL %q, URL %q: want a second origin", s.GlobalSettingsURL, s.URL)
	}
	for _, tt := range []struct {
		method, target, contentType, body, token string
		want                                     int
	}{
		{http.MethodPost, s.GlobalSettingsURL + tokenPath, formType, form, "", http.StatusOK},
		{http.MethodPost, s.URL + tokenPath, formType, form, "", http.StatusNotFound},
		{http.MethodGet, s.GlobalSettingsURL + apiPrefix + "/1/settings", "", "", DefaultToken, http.StatusNotFound},
		{http.MethodGet, s.URL + apiPrefix + "/1/settings", "", "", DefaultToken, http.StatusOK},
		{http.MethodGet, s.GlobalSettingsURL + tokenPath, "", "", "", http.StatusNotFound},
	} {
		if got := status(t, tt.method, tt.target, tt.contentType, tt.body, tt.token); got != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.target, got, tt.want)
		}
	}
	if got := len(s.TokenExchanges()); got != 1 {
		t.Errorf("%d exchanges, want 1", got)
	}

	same := Start(t, Options{Connections: Seed(1), SameOrigin: true})
	if same.GlobalSettingsURL != same.URL {
		t.Errorf("SameOrigin: GlobalSettingsURL %q, URL %q", same.GlobalSettingsURL, same.URL)
	}
	if got := status(t, http.MethodPost, same.URL+tokenPath, formType, form, ""); got != http.StatusOK {
		t.Errorf("SameOrigin token request: status %d, want 200", got)
	}
}
