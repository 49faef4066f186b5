package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// testClock is a settable clock shared by a test server and a client.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// startOAuthServer runs a test server whose Backup API accepts only the
// access tokens its token endpoint issues.
func startOAuthServer(t *testing.T, opts testserver.Options) *testserver.Server {
	t.Helper()
	if opts.Connections == nil {
		opts.Connections = testserver.Seed(5)
	}
	opts.Token = "static-token-not-used-by-oauth-clients"
	return testserver.Start(t, opts)
}

// oauthConfig is fastConfig for srv with OAuth instead of a static token.
func oauthConfig(srv *testserver.Server) Config {
	cfg := fastConfig(srv.URL)
	cfg.AccessToken = ""
	app := srv.OAuthConfig()
	cfg.OAuth = &OAuthConfig{
		GlobalSettingsURL: srv.GlobalSettingsURL, ClientID: app.ClientID, ClientSecret: app.ClientSecret,
		RedirectURI: app.RedirectURI, RefreshToken: app.RefreshToken,
	}
	return cfg
}

// oauthClient builds a client for srv; at cleanup it checks that no log
// entry holds any secret of the connected app or any token srv issued.
func oauthClient(t *testing.T, srv *testserver.Server, edit ...func(*Config)) (*Client, *recordingLogger) {
	t.Helper()
	cfg := oauthConfig(srv)
	for _, e := range edit {
		e(&cfg)
	}
	c, rec := newClient(t, cfg)
	t.Cleanup(func() {
		for _, e := range rec.Entries() {
			assertNoOAuthSecret(t, srv, fmt.Sprintf("log entry %q %#v", e.Msg, e.Fields))
		}
	})
	return c, rec
}

// oauthSecrets lists the connected app's secret and every token srv issued
// or was sent.
func oauthSecrets(srv *testserver.Server) []string {
	secrets := []string{srv.OAuthConfig().ClientSecret, srv.OAuthConfig().RefreshToken}
	for _, e := range srv.TokenExchanges() {
		secrets = append(secrets, e.RefreshToken, e.IssuedRefreshToken, e.AccessToken)
	}
	return secrets
}

func assertNoOAuthSecret(t *testing.T, srv *testserver.Server, text string) {
	t.Helper()
	for _, secret := range oauthSecrets(srv) {
		if secret != "" && strings.Contains(text, secret) {
			t.Errorf("a secret appears in %s", text)
		}
	}
}

func exchangeCount(srv *testserver.Server) int { return len(srv.TokenExchanges()) }

func TestOAuth_lazyAndSingleFlight(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{Connections: testserver.Seed(20), Latency: 20 * time.Millisecond})
	c, _ := oauthClient(t, srv, withConcurrency(8))
	if n := srv.RequestCount(); n != 0 {
		t.Fatalf("New sent %d requests; the exchange must wait for the first request", n)
	}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = c.GetConnection(t.Context(), int64(i+1))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("GetConnection(%d): %v", i+1, err)
		}
	}
	exchanges := srv.TokenExchanges()
	if len(exchanges) != 1 {
		t.Fatalf("token exchanges = %d, want 1 shared by 20 concurrent requests: %+v", len(exchanges), exchanges)
	}
	e := exchanges[0]
	if e.GrantType != testserver.GrantRefreshToken || e.Status != http.StatusOK || e.RefreshToken != srv.OAuthConfig().RefreshToken {
		t.Errorf("exchange = %+v, want a successful refresh_token grant with the configured refresh token", e)
	}
	for _, r := range srv.Requests() {
		if r.UserAgent != testUserAgent {
			t.Errorf("%s %s sent User-Agent %q, want %q", r.Method, r.Path, r.UserAgent, testUserAgent)
		}
		if r.Path != TokenPath && r.Authorization != "Bearer "+e.AccessToken {
			t.Errorf("%s sent another Authorization than the access token obtained", r.Path)
		}
	}
	assertRequests(t, srv, TokenPath, 1)
}

func TestOAuth_renewsBeforeExpiry(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		lifetime, justBefore time.Duration
	}{
		// A minute's margin on a long-lived token; a quarter of a short one.
		"long-lived":  {lifetime: 10 * time.Minute, justBefore: 9 * time.Minute},
		"short-lived": {lifetime: 4 * time.Second, justBefore: 3 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := &testClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
			srv := startOAuthServer(t, testserver.Options{Now: clock.Now, OAuth: testserver.OAuth{AccessTokenLifetime: tc.lifetime}})
			c, _ := oauthClient(t, srv)
			c.tokens.now = clock.Now
			get := func(id int64) {
				t.Helper()
				if _, err := c.GetConnection(t.Context(), id); err != nil {
					t.Fatalf("GetConnection(%d): %v", id, err)
				}
			}
			get(1)
			token, expires, err := c.AccessToken(t.Context())
			if err != nil || !strings.HasPrefix(token, "fat_") || !expires.Equal(clock.Now().Add(tc.lifetime)) {
				t.Errorf("AccessToken = %.4s…, %v, %v; want the token obtained, expiring after %v", token, expires, err, tc.lifetime)
			}
			clock.advance(tc.justBefore - time.Millisecond)
			get(2)
			if n := exchangeCount(srv); n != 1 {
				t.Fatalf("exchanges = %d before the margin, want 1", n)
			}
			clock.advance(2 * time.Millisecond)
			get(3)
			if n := exchangeCount(srv); n != 2 {
				t.Fatalf("exchanges = %d once within the margin, want 2", n)
			}
			// No request was ever rejected: the token was renewed before it expired.
			for _, r := range srv.Requests() {
				if r.Path != TokenPath && !strings.HasPrefix(r.Authorization, "Bearer fat_") {
					t.Errorf("%s sent %q", r.Path, r.Authorization)
				}
			}
			assertRequests(t, srv, ConnectionsPath+"/", 3)
		})
	}
}

func TestOAuth_401RenewsOnce(t *testing.T) {
	t.Parallel()
	t.Run("renewed token accepted", func(t *testing.T) {
		t.Parallel()
		srv := startOAuthServer(t, testserver.Options{})
		c, rec := oauthClient(t, srv)
		if _, err := c.GetConnection(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		srv.ExpireAccessTokens()
		conn, err := c.GetConnection(t.Context(), 2)
		if err != nil {
			t.Fatalf("after the access token expired on the server: %v", err)
		}
		if conn.ID != 2 {
			t.Errorf("got connection %d", conn.ID)
		}
		if n := exchangeCount(srv); n != 2 {
			t.Errorf("exchanges = %d, want 2 (first request, then after the 401)", n)
		}
		assertRequests(t, srv, ConnectionsPath+"/2", 2)
		if len(rec.find("INFO", "rejected the access token; renewing it once")) != 1 {
			t.Errorf("the renewal after a 401 was not logged once: %+v", rec.Entries())
		}
	})
	t.Run("401 again is reported", func(t *testing.T) {
		t.Parallel()
		srv := startOAuthServer(t, testserver.Options{})
		srv.AddFault(testserver.Fault{PathPrefix: ConnectionsPath + "/3", Status: http.StatusUnauthorized,
			Body: `{"message":"Unauthorized","statusCode":401}`})
		c, _ := oauthClient(t, srv)
		_, err := c.GetConnection(t.Context(), 3)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || !apiErr.AfterRenewal {
			t.Fatalf("err = %#v, want the 401 after renewal", err)
		}
		assertNoOAuthSecret(t, srv, err.Error())
		if n := exchangeCount(srv); n != 2 {
			t.Errorf("exchanges = %d, want 2: one renewal only", n)
		}
		assertRequests(t, srv, ConnectionsPath+"/3", 2)
	})
}

func TestOAuth_errors(t *testing.T) {
	t.Parallel()
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		return "http://" + addr
	}()
	for name, tc := range map[string]struct {
		edit     func(*OAuthConfig)
		fault    *testserver.Fault
		kind     TokenErrorKind
		attempts int
		want     []string
	}{
		"refresh token rejected": {
			edit: func(o *OAuthConfig) { o.RefreshToken = "frt_revoked_SECRET" },
			kind: RefreshTokenRejected, attempts: 1, want: []string{"the refresh token was rejected", testserver.MessageInvalidRefreshToken, "HTTP 400"},
		},
		"client secret rejected": {
			edit: func(o *OAuthConfig) { o.ClientSecret = "wrong-client-SECRET" },
			kind: ClientRejected, attempts: 1, want: []string{"client id or client secret was rejected", testserver.MessageInvalidClient},
		},
		"redirect URI rejected": {
			edit: func(o *OAuthConfig) { o.RedirectURI = "https://elsewhere.example/cb" },
			kind: RedirectURIRejected, attempts: 1, want: []string{"redirect URI was rejected", testserver.MessageInvalidRedirectURI},
		},
		"unreachable": {
			edit: func(o *OAuthConfig) { o.GlobalSettingsURL = closed },
			kind: TokenEndpointUnreachable, attempts: 4, want: []string{closed + TokenPath, "could not be reached", "giving up after 4 attempt(s)"},
		},
		"503 after retries": {
			fault: &testserver.Fault{PathPrefix: TokenPath, Status: http.StatusServiceUnavailable, Body: `{"message":"down","statusCode":503}`},
			kind:  TokenEndpointFailed, attempts: 4, want: []string{"token endpoint failed", "HTTP 503", "after 4 attempts"},
		},
		"500 not retried": {
			fault: &testserver.Fault{PathPrefix: TokenPath, Status: http.StatusInternalServerError, Body: `{"message":"boom","error":null,"statusCode":500}`},
			kind:  TokenEndpointFailed, attempts: 1, want: []string{"HTTP 500", "boom"},
		},
		"answer without expires_in": {
			fault: &testserver.Fault{PathPrefix: TokenPath, Status: http.StatusOK, ContentType: "application/json",
				Body: `{"access_token":"fat_x","token_type":"Bearer","refresh_token":null}`},
			kind: TokenAnswerInvalid, want: []string{"not a usable access token", "expires_in is missing"},
		},
		"answer not bearer": {
			fault: &testserver.Fault{PathPrefix: TokenPath, Status: http.StatusOK, ContentType: "application/json",
				Body: `{"access_token":"fat_x","token_type":"mac","refresh_token":null,"expires_in":60}`},
			kind: TokenAnswerInvalid, want: []string{"token_type is missing or not Bearer"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startOAuthServer(t, testserver.Options{})
			if tc.fault != nil {
				srv.AddFault(*tc.fault)
			}
			c, _ := oauthClient(t, srv, func(cfg *Config) {
				if tc.edit != nil {
					tc.edit(cfg.OAuth)
				}
			})
			_, err := c.GetConnection(t.Context(), 1)
			var tokenErr *TokenError
			if !errors.As(err, &tokenErr) {
				t.Fatalf("err = %v (%T), want a *TokenError", err, err)
			}
			if tokenErr.Kind != tc.kind {
				t.Errorf("kind = %d, want %d (%v)", tokenErr.Kind, tc.kind, err)
			}
			if tc.attempts != 0 && tokenErr.Attempts != tc.attempts {
				t.Errorf("attempts = %d, want %d", tokenErr.Attempts, tc.attempts)
			}
			text := mustErr(t, err)
			assertContains(t, text, tc.want...)
			for _, secret := range []string{"frt_revoked_SECRET", "wrong-client-SECRET", testserver.DefaultClientSecret, testserver.DefaultRefreshToken} {
				if strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), secret) {
					t.Errorf("the error holds a secret: %v", err)
				}
			}
			assertRequests(t, srv, ConnectionsPath, 0)
			// A rejection is final: the next read reports it without asking again.
			before := srv.CountRequests(TokenPath)
			_, again := c.GetConnection(t.Context(), 2)
			if !errors.As(again, &tokenErr) || tokenErr.Kind != tc.kind {
				t.Errorf("second read: %v, want the same kind of error", again)
			}
			// (An unreachable endpoint is tried again too, elsewhere than srv.)
			if asked := srv.CountRequests(TokenPath) - before; tc.kind != TokenEndpointUnreachable && tokenErr.permanent() != (asked == 0) {
				t.Errorf("the second read sent %d token requests; a rejection is final, other failures are tried again", asked)
			}
		})
	}
}

func TestOAuth_rotationInMemory(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	c, rec := oauthClient(t, srv)
	if c.RefreshTokenReplaced() {
		t.Fatal("replaced before any exchange")
	}
	for id := range int64(3) {
		if _, err := c.GetConnection(t.Context(), id+1); err != nil {
			t.Fatal(err)
		}
		srv.ExpireAccessTokens()
	}
	if !c.RefreshTokenReplaced() {
		t.Error("RefreshTokenReplaced = false after a rotation")
	}
	if c.RefreshTokenReplaced() {
		t.Error("RefreshTokenReplaced = true a second time: callers would tell the user twice")
	}
	exchanges := srv.TokenExchanges()
	if len(exchanges) != 3 {
		t.Fatalf("exchanges = %d, want 3", len(exchanges))
	}
	for i, e := range exchanges {
		if e.ReplacedRefreshToken || e.Status != http.StatusOK {
			t.Errorf("exchange %d sent a replaced refresh token or failed: %+v", i, e)
		}
		if i > 0 && e.RefreshToken != exchanges[i-1].IssuedRefreshToken {
			t.Errorf("exchange %d did not send the refresh token issued last", i)
		}
	}
	if n := len(rec.find("WARN", "new refresh token")); n != 3 {
		t.Errorf("rotation warnings logged = %d, want 3 (one per new refresh token)", n)
	}
}

func TestOAuth_nullRefreshTokenKeepsTheOld(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{OAuth: testserver.OAuth{NullRefreshToken: true}})
	c, _ := oauthClient(t, srv)
	for id := range int64(2) {
		if _, err := c.GetConnection(t.Context(), id+1); err != nil {
			t.Fatal(err)
		}
		srv.ExpireAccessTokens()
	}
	exchanges := srv.TokenExchanges()
	if len(exchanges) != 2 || exchanges[1].RefreshToken != testserver.DefaultRefreshToken || c.RefreshTokenReplaced() {
		t.Errorf("exchanges = %+v, want two with the configured refresh token", exchanges)
	}
}

// A caller that gives up does not stop the shared exchange, whose token the
// next caller gets.
func TestOAuth_cancelledCallerLeavesExchangeRunning(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{})
	srv.AddFault(testserver.Fault{PathPrefix: TokenPath, Times: 1, Delay: 300 * time.Millisecond})
	c, _ := oauthClient(t, srv)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.GetConnection(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	if _, err := c.GetConnection(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if n := exchangeCount(srv); n != 1 {
		t.Errorf("exchanges = %d, want 1", n)
	}
}

func TestOAuth_configErrors(t *testing.T) {
	t.Parallel()
	base := func() Config {
		return Config{BaseURL: "https://backup.example", OAuth: &OAuthConfig{
			GlobalSettingsURL: "https://global.example", ClientID: "id", ClientSecret: "cs-SECRET", RedirectURI: "https://cb.example", RefreshToken: "rt-SECRET",
		}}
	}
	for name, tc := range map[string]struct {
		edit func(*Config)
		want string
	}{
		"both":           {func(c *Config) { c.AccessToken = "tok" }, "either an access token or OAuth settings, not both"},
		"http not local": {func(c *Config) { c.OAuth.GlobalSettingsURL = "http://global.example" }, "global settings URL: base URL \"http://global.example\" uses http://"},
		"no secret":      {func(c *Config) { c.OAuth.ClientSecret = " " }, "the client secret is required"},
		"no refresh":     {func(c *Config) { c.OAuth.RefreshToken = "" }, "the refresh token (or a refresh token file) is required"},
		"token and file": {func(c *Config) { c.OAuth.RefreshTokenFile = "/tmp/rt" }, "either a refresh token or a refresh token file, not both"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := base()
			tc.edit(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error holds a secret: %v", err)
			}
		})
	}
}
