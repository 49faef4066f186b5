package flosumapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
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

// tokenAnswerBody is a TokenResponseDto with the fields given as raw JSON;
// an empty one is left out.
func tokenAnswerBody(access, tokenType, refresh, expiresIn string) string {
	var fields []string
	for name, value := range map[string]string{"access_token": access, "token_type": tokenType, "refresh_token": refresh, "expires_in": expiresIn} {
		if value != "" {
			fields = append(fields, fmt.Sprintf("%q:%s", name, value))
		}
	}
	return "{" + strings.Join(fields, ",") + "}"
}

func TestReadAccessToken(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		tokenType, expiresIn, access string
		want                         string // the reason, "" when usable
	}{
		"Bearer":               {tokenType: `"Bearer"`, expiresIn: "3600"},
		"lower case and space": {tokenType: `"bearer "`, expiresIn: "3600"},
		"upper case and tab":   {tokenType: `"\tBEARER"`, expiresIn: "60.5"},
		"not bearer":           {tokenType: `"mac"`, expiresIn: "3600", want: "token_type is missing or not Bearer"},
		"no token_type":        {expiresIn: "3600", want: "token_type is missing or not Bearer"},
		"no expires_in":        {tokenType: `"Bearer"`, want: "expires_in is missing (the token endpoint's document requires it)"},
		"null expires_in":      {tokenType: `"Bearer"`, expiresIn: "null", want: "expires_in is missing"},
		"string expires_in":    {tokenType: `"Bearer"`, expiresIn: `"3600"`, want: "expires_in is not a number of seconds"},
		"zero expires_in":      {tokenType: `"Bearer"`, expiresIn: "0", want: "expires_in is not a positive number of seconds"},
		"access with a space":  {tokenType: `"Bearer"`, expiresIn: "60", access: `"fat_a b"`, want: "access_token is not a single word of at most 8192 characters"},
		"access too long":      {tokenType: `"Bearer"`, expiresIn: "60", access: `"` + strings.Repeat("a", MaxTokenLength+1) + `"`, want: "access_token is not a single word"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			access := cmp.Or(tc.access, `"fat_ok"`)
			got, lifetime, reason := readAccessToken([]byte(tokenAnswerBody(access, tc.tokenType, "null", tc.expiresIn)))
			if !strings.HasPrefix(reason, tc.want) || (tc.want == "") != (reason == "") {
				t.Fatalf("reason = %q, want %q", reason, tc.want)
			}
			if tc.want == "" && (got != "fat_ok" || lifetime <= 0) {
				t.Errorf("= %q, %v; want fat_ok and a positive lifetime", got, lifetime)
			}
			if strings.Contains(reason, "fat_") {
				t.Errorf("the reason quotes the token: %q", reason)
			}
		})
	}
}

func TestReadNewRefreshToken(t *testing.T) {
	t.Parallel()
	tooLong := strings.Repeat("r", MaxTokenLength+1)
	for name, tc := range map[string]struct {
		refresh, want, reason string
	}{
		"null":           {refresh: "null"},
		"new":            {refresh: `"frt_new"`, want: "frt_new"},
		"new, trimmed":   {refresh: `" frt_new\n"`, want: "frt_new"},
		"missing":        {reason: "refresh_token is missing (it may be null, but must be there)"},
		"not a string":   {refresh: "5", reason: "refresh_token is neither a string nor null"},
		"space inside":   {refresh: `"frt_bad token"`, reason: "refresh_token is not a single word of at most 8192 characters"},
		"control inside": {refresh: `"frt_bad\u0000token"`, reason: "refresh_token is not a single word"},
		"too long":       {refresh: `"` + tooLong + `"`, reason: "refresh_token is not a single word"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			secrets := newRedactor()
			// The rest of the answer is unusable: the refresh token is read anyway.
			got, reason := readNewRefreshToken([]byte(tokenAnswerBody("", `"mac"`, tc.refresh, `"soon"`)), secrets)
			if got != tc.want || !strings.HasPrefix(reason, tc.reason) || (tc.reason == "") != (reason == "") {
				t.Fatalf("= %q, %q; want %q, %q", got, reason, tc.want, tc.reason)
			}
			if strings.Contains(reason, "frt_") || strings.Contains(reason, tooLong) {
				t.Errorf("the reason quotes the token: %q", reason)
			}
			if tc.refresh != "" && tc.refresh != "null" && tc.refresh != "5" && strings.Contains(secrets.hide("log: "+strings.Trim(tc.refresh, `"`)), "frt_") {
				t.Error("the refresh token read, usable or not, is not hidden in logs")
			}
		})
	}
}

// An answer whose token_type has another case and whitespace around it is
// a usable Bearer token.
func TestOAuth_tokenTypeReadLeniently(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{})
	srv.AddFault(testserver.Fault{PathPrefix: TokenPath, Times: 1, Status: http.StatusOK, ContentType: "application/json",
		Body: tokenAnswerBody(`"fat_lenient"`, `" bearer "`, "null", "600")})
	c, _ := oauthClient(t, srv)
	token, expires, err := c.AccessToken(t.Context())
	if err != nil || token != "fat_lenient" || time.Until(expires) < 9*time.Minute {
		t.Fatalf("AccessToken = %.6s…, %v, %v; want fat_lenient for 10 minutes", token, expires, err)
	}
	assertRequests(t, srv, TokenPath, 1)
}

// unusableTokenAnswer makes the first exchange of a client (with a refresh
// token file when withFile) answer body, which must be refused as an
// unusable answer, and returns the error's text.
func unusableTokenAnswer(t *testing.T, body string, withFile bool) (srv *testserver.Server, c *Client, rec *recordingLogger, path, text string) {
	t.Helper()
	srv = startOAuthServer(t, testserver.Options{})
	srv.AddFault(testserver.Fault{PathPrefix: TokenPath, Times: 1, Status: http.StatusOK, ContentType: "application/json", Body: body})
	var edits []func(*Config)
	if withFile {
		path = refreshTokenFile(t, srv.OAuthConfig().RefreshToken)
		edits = append(edits, withRefreshTokenFile(path))
	}
	c, rec = oauthClient(t, srv, edits...)
	_, err := c.GetConnection(t.Context(), 1)
	var tokenErr *TokenError
	if !errors.As(err, &tokenErr) || tokenErr.Kind != TokenAnswerInvalid {
		t.Fatalf("err = %v, want a TokenAnswerInvalid *TokenError", err)
	}
	return srv, c, rec, path, mustErr(t, err)
}

// A new refresh token in an answer that is otherwise unusable is kept, in
// memory or in the file, before the answer is refused: the next exchange
// sends it, not the one Flosum replaced.
func TestOAuth_newRefreshTokenKeptFromUnusableAnswer(t *testing.T) {
	t.Parallel()
	const issued = "frt_from_an_odd_answer"
	for name, tc := range map[string]struct {
		expiresIn, reason string
	}{
		"expires_in a string": {expiresIn: `"3600"`, reason: "expires_in is not a number of seconds"},
		"expires_in missing":  {reason: "expires_in is missing"},
	} {
		for _, withFile := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, file %v", name, withFile), func(t *testing.T) {
				t.Parallel()
				srv, c, rec, path, text := unusableTokenAnswer(t, tokenAnswerBody(`"fat_x"`, `"Bearer"`, `"`+issued+`"`, tc.expiresIn), withFile)
				assertContains(t, text, "not a usable access token", tc.reason)
				if withFile {
					if got := readToken(t, path); got != issued {
						t.Errorf("the file holds another token than the one Flosum issued")
					}
				} else if !c.RefreshTokenReplaced() {
					t.Error("RefreshTokenReplaced = false: the user is not told the configured token may stop working")
				}
				// The next read exchanges the token kept (the server never issued
				// it, so it rejects it; what matters is what was sent).
				_, err := c.GetConnection(t.Context(), 1)
				var tokenErr *TokenError
				if !errors.As(err, &tokenErr) || tokenErr.Kind != RefreshTokenRejected {
					t.Fatalf("second read: err = %v, want the kept refresh token rejected by this server", err)
				}
				exchanges := srv.TokenExchanges()
				if len(exchanges) != 1 || exchanges[0].RefreshToken != issued {
					t.Errorf("exchanges after the odd answer = %+v, want one sending the refresh token it carried", exchanges)
				}
				assertRequests(t, srv, TokenPath, 2)
				for _, text := range []string{text, err.Error(), fmt.Sprint(rec.Entries())} {
					if strings.Contains(text, issued) {
						t.Errorf("the refresh token appears in %s", text)
					}
				}
			})
		}
	}
}

// A new refresh token that is not a single word is an error, and is never
// stored: the next exchange sends the one before.
func TestOAuth_unusableNewRefreshTokenNotKept(t *testing.T) {
	t.Parallel()
	for _, withFile := range []bool{false, true} {
		t.Run(fmt.Sprintf("file %v", withFile), func(t *testing.T) {
			t.Parallel()
			srv, c, rec, path, text := unusableTokenAnswer(t, tokenAnswerBody(`"fat_x"`, `"Bearer"`, `"frt_two words"`, "3600"), withFile)
			assertContains(t, text, "refresh_token is not a single word")
			original := srv.OAuthConfig().RefreshToken
			if withFile && readToken(t, path) != original {
				t.Error("the unusable refresh token was written to the file")
			}
			if c.RefreshTokenReplaced() {
				t.Error("RefreshTokenReplaced = true for a refresh token that was not kept")
			}
			if _, err := c.GetConnection(t.Context(), 1); err != nil {
				t.Fatalf("second read: %v", err)
			}
			exchanges := srv.TokenExchanges()
			if len(exchanges) != 1 || exchanges[0].RefreshToken != original || exchanges[0].Status != http.StatusOK {
				t.Errorf("exchanges = %+v, want one with the original refresh token", exchanges)
			}
			for _, text := range []string{text, fmt.Sprint(rec.Entries())} {
				if strings.Contains(text, "two words") {
					t.Errorf("the refresh token appears in %s", text)
				}
			}
		})
	}
}

// A 401 that a renewed token does not fix costs one renewal, not one per
// GET: the token obtained then is not renewed again on its 401.
func TestOAuth_persistent401RenewsOnceForAllGets(t *testing.T) {
	t.Parallel()
	const gets = 6
	clock := &testClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	srv := startOAuthServer(t, testserver.Options{Now: clock.Now})
	srv.AddFault(testserver.Fault{PathPrefix: ConnectionsPath + "/", Status: http.StatusUnauthorized,
		Body: `{"message":"Unauthorized","statusCode":401}`})
	c, rec := oauthClient(t, srv)
	c.tokens.now = clock.Now
	for id := range int64(gets) {
		_, err := c.GetConnection(t.Context(), id+1)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || !apiErr.AfterRenewal {
			t.Fatalf("GET %d: err = %v, want the 401 after a renewal", id+1, err)
		}
	}
	if n := exchangeCount(srv); n != 2 {
		t.Errorf("exchanges = %d after %d GETs with a persistent 401, want 2 (the first token, one renewal)", n, gets)
	}
	// The first GET is sent twice (before and after the renewal), each later one once.
	assertRequests(t, srv, ConnectionsPath+"/", gets+1)
	if n := len(rec.find("INFO", "renewing it once")); n != 1 {
		t.Errorf("renewals logged = %d, want 1", n)
	}
	// Once that token is due for renewal by its expiry, it is renewed as
	// any other: the 401s of one token do not stick to the next.
	srv.ClearFaults()
	clock.advance(time.Hour)
	if _, err := c.GetConnection(t.Context(), 1); err != nil {
		t.Fatalf("after the 401s stopped and the token was due: %v", err)
	}
	if n := exchangeCount(srv); n != 3 {
		t.Errorf("exchanges = %d, want 3: the token due was renewed", n)
	}
}

// Renewals are shared per stale token: the callers that saw token A cause
// one exchange from A; a caller that comes after A was replaced gets the
// new token without an exchange; a caller that saw the new token, renewing
// at the same time as callers that saw A, never gets the token it saw.
func TestOAuth_renewalSingleFlightPerStaleToken(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{})
	c, _ := oauthClient(t, srv)
	a, _, err := c.AccessToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	renewAll := func(stales ...string) []string {
		t.Helper()
		got := make([]string, len(stales))
		var wg sync.WaitGroup
		for i, stale := range stales {
			wg.Go(func() {
				var err error
				if got[i], err = c.tokens.renew(t.Context(), stale); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		return got
	}
	repeat := func(s string, n int) []string { return slices.Repeat([]string{s}, n) }

	srv.AddFault(testserver.Fault{PathPrefix: TokenPath, Times: 1, Delay: 100 * time.Millisecond})
	fromA := renewAll(repeat(a, 10)...)
	b := fromA[0]
	for _, got := range fromA {
		if got != b || got == a {
			t.Fatalf("the callers that saw A got different or stale tokens")
		}
	}
	if n := exchangeCount(srv); n != 2 {
		t.Fatalf("exchanges = %d after 10 concurrent renewals of A, want 2", n)
	}
	for _, got := range renewAll(repeat(a, 5)...) {
		if got != b {
			t.Error("a caller that came after A was replaced did not get B")
		}
	}
	if n := exchangeCount(srv); n != 2 {
		t.Fatalf("exchanges = %d after late renewals of A, want still 2", n)
	}
	srv.AddFault(testserver.Fault{PathPrefix: TokenPath, Times: 1, Delay: 100 * time.Millisecond})
	mixed := renewAll(append(repeat(b, 5), repeat(a, 5)...)...)
	for i, got := range mixed {
		stale := map[bool]string{true: b, false: a}[i < 5]
		if got == stale || got == a {
			t.Errorf("caller %d got the stale token it renewed", i)
		}
	}
	if n := exchangeCount(srv); n != 3 {
		t.Errorf("exchanges = %d after 5 renewals of B and 5 of A, want 3 (one from B only)", n)
	}
}
