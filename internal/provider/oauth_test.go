package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// startOAuthServer runs a test server whose Backup API accepts only the
// access tokens its token endpoint issues.
func startOAuthServer(t *testing.T, n int, opts testserver.Options) *testserver.Server {
	t.Helper()
	opts.Connections = testserver.Seed(n)
	opts.Token = "static-token-no-oauth-test-may-use"
	return testserver.Start(t, opts)
}

// setOAuthEnv points the provider at srv with OAuth through the
// environment only, as in CI.
func setOAuthEnv(t *testing.T, srv *testserver.Server) {
	t.Helper()
	app := srv.OAuthConfig()
	for name, value := range map[string]string{
		envBaseURL: srv.URL, envGlobalSettingsURL: srv.GlobalSettingsURL, envClientID: app.ClientID,
		envClientSecret: app.ClientSecret, envRedirectURI: app.RedirectURI, envRefreshToken: app.RefreshToken,
	} {
		t.Setenv(name, value)
	}
}

// oauthProviderBlock configures the provider for srv with OAuth in the
// provider block; each of overrides replaces or adds a line ("name = value"),
// or removes one ("name =").
func oauthProviderBlock(srv *testserver.Server, overrides ...string) string {
	app := srv.OAuthConfig()
	args := map[string]string{
		"base_url": fmt.Sprintf("%q", srv.URL), "global_settings_url": fmt.Sprintf("%q", srv.GlobalSettingsURL),
		"client_id": fmt.Sprintf("%q", app.ClientID), "client_secret": fmt.Sprintf("%q", app.ClientSecret),
		"redirect_uri": fmt.Sprintf("%q", app.RedirectURI), "refresh_token": fmt.Sprintf("%q", app.RefreshToken),
	}
	for _, o := range overrides {
		name, value, _ := strings.Cut(o, "=")
		args[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	names := slices.Sorted(maps.Keys(args))
	var b strings.Builder
	b.WriteString("provider \"flosum\" {\n")
	for _, name := range names {
		if args[name] != "" {
			fmt.Fprintf(&b, "  %s = %s\n", name, args[name])
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// everyDataSource reads each data source once: three Backup API requests
// in all (the list fits in one page).
func everyDataSource() string {
	return fmt.Sprintf(`
data "flosum_connection" "test" {
  id = 7
}

data "flosum_connection_id" "test" {
  salesforce_org_id = %q
}

data "flosum_connections" "test" {
  search = "Sales"
}
`, testserver.OrgID(9))
}

const requestsPerRead = 3

// backupRequestsByToken counts the Backup API requests per bearer token.
func backupRequestsByToken(srv *testserver.Server) map[string]int {
	out := map[string]int{}
	for _, r := range srv.Requests() {
		if !strings.HasPrefix(r.Path, "/api/v1/oauth/") {
			out[strings.TrimPrefix(r.Authorization, "Bearer ")]++
		}
	}
	return out
}

// Every data source reads correctly with OAuth from the environment, and
// each provider process that reads makes exactly one exchange: every access
// token issued is used by exactly the three requests of one process's reads.
func TestOAuth_fromEnvironmentOneExchangePerProcess(t *testing.T) {
	srv := startOAuthServer(t, 30, testserver.Options{})
	setOAuthEnv(t, srv)
	terraformTest(t, resource.TestStep{
		Config: everyDataSource(),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.flosum_connection.test", "name", seeded(30, 7).Name),
			resource.TestCheckResourceAttr("data.flosum_connection.test", "user_name", seeded(30, 7).UserName),
			resource.TestCheckResourceAttr("data.flosum_connection_id.test", "connection_id", "9"),
		),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connections.test", "total", knownvalue.Int64Exact(4)),
		},
	})
	exchanges := srv.TokenExchanges()
	if len(exchanges) == 0 {
		t.Fatal("no token exchange")
	}
	byToken := backupRequestsByToken(srv)
	for i, e := range exchanges {
		if e.Status != http.StatusOK || e.GrantType != testserver.GrantRefreshToken {
			t.Errorf("exchange %d: %+v", i, e)
		}
		if got := byToken[e.AccessToken]; got != requestsPerRead {
			t.Errorf("access token of exchange %d was used by %d requests, want %d (one process's reads)", i, got, requestsPerRead)
		}
		delete(byToken, e.AccessToken)
	}
	if len(byToken) != 0 {
		t.Errorf("requests with tokens no exchange issued: %v", byToken)
	}
	t.Logf("token exchanges in one test step (plan, apply, refresh and plans): %d", len(exchanges))
}

// Configuring the provider and planning without a data source makes no
// token request: the exchange waits for a read.
func TestOAuth_noReadNoExchange(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, 3, testserver.Options{})
	terraformTest(t, resource.TestStep{
		Config: oauthProviderBlock(srv) + `
output "greeting" {
  value = "no flosum data source here"
}
`,
		ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownOutputValue("greeting", knownvalue.StringExact("no flosum data source here"))},
	})
	expectRequests(t, srv, 0, "no data source read, so no token request")
}

// Access tokens that live one second, during reads that take longer: they
// are renewed as they go, without an error.
func TestOAuth_shortLivedAccessTokens(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, 12, testserver.Options{OAuth: testserver.OAuth{AccessTokenLifetime: time.Second}, Latency: 150 * time.Millisecond})
	var config strings.Builder
	config.WriteString(oauthProviderBlock(srv, "max_concurrent_requests = 1"))
	for id := 1; id <= 8; id++ {
		fmt.Fprintf(&config, "data \"flosum_connection\" \"c%d\" {\n  id = %d\n}\n", id, id)
	}
	start := time.Now()
	terraformTest(t, resource.TestStep{
		Config: config.String(),
		Check:  resource.TestCheckResourceAttr("data.flosum_connection.c8", "name", seeded(12, 8).Name),
	})
	elapsed := time.Since(start)
	exchanges := srv.TokenExchanges()
	// Each provider process that reads asks for connection 1 once.
	processes := countPath(srv, "/api/v1/connections/1")
	if len(exchanges) <= processes {
		t.Errorf("%d exchanges for %d reading processes over %v: short-lived tokens were not renewed during a read", len(exchanges), processes, elapsed)
	}
	// Mostly renewed before they expired; a request whose token expired on
	// the way (the margin is a quarter of a second here, and a loaded
	// machine can take longer) is sent once more, never twice.
	if total := len(srv.Requests()) - len(exchanges); total < 8*processes || total > 2*8*processes {
		t.Errorf("%d Backup API requests for %d processes of 8 reads, want from %d to %d", total, processes, 8*processes, 2*8*processes)
	}
	t.Logf("%d exchanges, %d reading processes, %v", len(exchanges), processes, elapsed)
	for i, e := range exchanges {
		if e.Status != http.StatusOK {
			t.Errorf("exchange %d failed: %+v", i, e)
		}
	}
}

func TestOAuth_errors(t *testing.T) {
	t.Parallel()
	read := "data \"flosum_connection\" \"test\" {\n  id = 1\n}\n"
	for name, c := range map[string]struct {
		overrides []string
		want      []string
		requests  int
	}{
		"refresh token rejected": {
			overrides: []string{`refresh_token = "frt_revoked"`},
			want: []string{"Flosum Refresh Token Rejected", "rejected the refresh token from the refresh_token argument", "Invalid refresh token",
				"Get a new refresh token", "put it in the refresh_token argument"},
			requests: 1,
		},
		"wrong client secret": {
			overrides: []string{`client_secret = "not-the-secret"`},
			want:      []string{"Flosum Client Credentials Rejected", "Invalid client credentials", "Connected Apps", "FLOSUM_CLIENT_SECRET"},
			requests:  1,
		},
		"wrong redirect URI": {
			overrides: []string{`redirect_uri = "https://elsewhere.example/cb"`},
			want:      []string{"Flosum Redirect URI Rejected", "Invalid redirect_uri", "FLOSUM_REDIRECT_URI"},
			requests:  1,
		},
		"unreachable global settings URL": {
			overrides: []string{`global_settings_url = "http://127.0.0.1:1"`, "max_retries = 1"},
			want:      []string{"Cannot Reach The Flosum Global Settings API", "http://127.0.0.1:1/api/v1/oauth/token", "global_settings_url"},
		},
		"partial set": {
			overrides: []string{"client_secret =", "refresh_token ="},
			want: []string{"Incomplete Flosum OAuth Settings", "client_secret is not", "FLOSUM_CLIENT_SECRET",
				"Incomplete Flosum OAuth Settings", "neither refresh_token nor refresh_token_file is", "FLOSUM_REFRESH_TOKEN_FILE"},
		},
		"refresh token and file": {
			overrides: []string{`refresh_token_file = "/tmp/flosum-rt"`},
			want:      []string{"Conflicting Flosum Refresh Token Settings", "the refresh_token argument and the refresh_token_file argument"},
		},
		"missing refresh token file": {
			overrides: []string{"refresh_token =", `refresh_token_file = "/nonexistent/flosum-rt"`},
			want:      []string{"Cannot Use Flosum Refresh Token File", "/nonexistent/flosum-rt", "must exist and hold the refresh token"},
		},
		"access token and OAuth": {
			overrides: []string{`access_token = "tok"`},
			want:      []string{"Conflicting Flosum Credentials", "Use exactly one way to authenticate"},
		},
		"base_url without global_settings_url": {
			overrides: []string{"global_settings_url ="},
			want:      []string{"Missing Flosum Global Settings URL", "FLOSUM_GLOBAL_SETTINGS_URL"},
		},
		"global settings URL over plain http": {
			overrides: []string{`global_settings_url = "http://global.example.com"`},
			want:      []string{"Invalid Flosum Global Settings URL", "uses http://", "global_settings_url"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startOAuthServer(t, 3, testserver.Options{})
			terraformTest(t, failing(oauthProviderBlock(srv, c.overrides...)+read, c.want...))
			expectRequests(t, srv, c.requests, "only the token request, never the Backup API")
		})
	}
}

// A 503 from the token endpoint, after every retry.
func TestOAuth_tokenEndpointUnavailable(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, 3, testserver.Options{})
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/oauth/token", Status: http.StatusServiceUnavailable, RetryAfter: "0",
		Body: `{"message":"Service Unavailable","statusCode":503}`})
	terraformTest(t, failing(oauthProviderBlock(srv, "max_retries = 2")+"data \"flosum_connection\" \"test\" {\n  id = 1\n}\n",
		"Flosum Token Endpoint Unavailable", "HTTP 503", "after 3 attempts", "raise max_retries"))
	expectRequests(t, srv, 3, "three attempts at the token endpoint")
}

// No client secret, refresh token or access token obtained appears in the
// TRACE log or the state. Here the secrets come from the environment only,
// so none may appear anywhere in the log file.
func TestOAuth_secretsNeverLoggedOrStored(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	srv := startOAuthServer(t, 30, testserver.Options{OAuth: testserver.OAuth{
		ClientSecret: "cs-7f3c9a1e-client-secret-DO-NOT-LOG", RefreshToken: "rt-5d2b8c4f-refresh-token-DO-NOT-LOG",
	}})
	setOAuthEnv(t, srv)
	// A 401 makes the provider renew its token in the middle of a read.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Times: 1, Status: http.StatusUnauthorized,
		Body: `{"message":"Unauthorized","statusCode":401}`})

	secrets := func() []string {
		out := []string{srv.OAuthConfig().ClientSecret, srv.OAuthConfig().RefreshToken}
		for _, e := range srv.TokenExchanges() {
			out = append(out, e.AccessToken, e.IssuedRefreshToken)
		}
		return out
	}
	noSecret := func(where string, data []byte) error {
		for _, s := range secrets() {
			if s != "" && bytes.Contains(data, []byte(s)) {
				return fmt.Errorf("a secret (%.6s…) appears in %s", s, where)
			}
		}
		return nil
	}
	terraformTest(t, resource.TestStep{
		Config: "data \"flosum_connection\" \"test\" {\n  id = 7\n}\n",
		Check:  resource.TestCheckResourceAttr("data.flosum_connection.test", "name", seeded(30, 7).Name),
		ConfigStateChecks: []statecheck.StateCheck{
			stateCheckFunc(func(stateJSON []byte) error {
				if !bytes.Contains(stateJSON, []byte(seeded(30, 7).UserName)) {
					return errors.New("the JSON state does not hold the data read: the check is not looking at it")
				}
				return noSecret("the state", stateJSON)
			}),
		},
	})
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Exchanging the Flosum refresh token for an access token",
		"Obtained a Flosum access token",
		"The Flosum API rejected the access token; renewing it once",
		"Authorization:[REDACTED]",
	} {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("the log has no %q: the provider's log lines are not being checked", want)
		}
	}
	if err := noSecret("the log", log); err != nil {
		t.Error(err)
	}
	if len(srv.TokenExchanges()) < 2 {
		t.Errorf("exchanges = %d, want at least 2 (first read, after the 401)", len(srv.TokenExchanges()))
	}
}

// terraform validate reports a partial or mixed set where the values are
// known, merging the environment as Configure does, and leaves unknown
// values to Configure.
func TestValidateConfig_credentials(t *testing.T) {
	t.Parallel()
	partial := nullConfig()
	partial.ClientID = types.StringValue("fci_x")
	unknown := partial
	unknown.ClientSecret = types.StringUnknown()
	for name, c := range map[string]struct {
		model   providerModel
		env     map[string]string
		missing []string
	}{
		"partial":                {model: partial, missing: []string{"client_secret", "redirect_uri", "refresh_token"}},
		"completed by the env":   {model: partial, env: map[string]string{envClientSecret: "s", envRedirectURI: "https://cb", envRefreshToken: "r"}},
		"unknown left for later": {model: unknown},
		"mixed with the env's access token": {model: partial, env: map[string]string{
			envClientSecret: "s", envRedirectURI: "https://cb", envRefreshToken: "r", envAccessToken: "tok",
		}, missing: []string{"access_token"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			diags := validateConfig(t, c.model, c.env)
			if len(diags) != len(c.missing) {
				t.Fatalf("diagnostics = %v, want errors on %v", diags, c.missing)
			}
			for i, d := range diags {
				withPath, ok := d.(diag.DiagnosticWithPath)
				if !ok || !withPath.Path().Equal(path.Root(c.missing[i])) || d.Severity() != diag.SeverityError {
					t.Errorf("diagnostic %d = %v, want an error on %s", i, d, c.missing[i])
				}
			}
		})
	}
}

// validateConfig runs the provider's ValidateConfig on model.
func validateConfig(t *testing.T, model providerModel, env map[string]string) diag.Diagnostics {
	t.Helper()
	p := &flosumProvider{version: "test", getenv: fakeEnv(env)}
	var resp provider.ValidateConfigResponse
	p.ValidateConfig(context.Background(), provider.ValidateConfigRequest{Config: providerConfig(t, p, model)}, &resp)
	return resp.Diagnostics
}
