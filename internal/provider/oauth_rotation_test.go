package provider

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

const readConnection1 = "data \"flosum_connection\" \"test\" {\n  id = 1\n}\n"

// rotationSecrets lists the client secret and every token srv issued or
// was sent.
func rotationSecrets(srv *testserver.Server) []string {
	out := []string{srv.OAuthConfig().ClientSecret, srv.OAuthConfig().RefreshToken}
	for _, e := range srv.TokenExchanges() {
		out = append(out, e.RefreshToken, e.IssuedRefreshToken, e.AccessToken)
	}
	return out
}

// assertNoSecretIn fails when text holds a secret of srv.
func assertNoSecretIn(t *testing.T, srv *testserver.Server, where, text string) {
	t.Helper()
	for _, s := range rotationSecrets(srv) {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("a secret (%.6s…) appears in %s", s, where)
		}
	}
}

// assertOneDiagnostic checks that run sent exactly one diagnostic of
// severity, with summary, and a detail holding each of want, and no
// diagnostic of the other severity.
func assertOneDiagnostic(t *testing.T, srv *testserver.Server, run *providerRun, severity tfprotov6.DiagnosticSeverity, summary string, want ...string) {
	t.Helper()
	other := map[tfprotov6.DiagnosticSeverity]tfprotov6.DiagnosticSeverity{
		tfprotov6.DiagnosticSeverityWarning: tfprotov6.DiagnosticSeverityError,
		tfprotov6.DiagnosticSeverityError:   tfprotov6.DiagnosticSeverityWarning,
	}[severity]
	got := run.with(severity)
	if len(got) != 1 || got[0].Summary != summary {
		t.Fatalf("%s diagnostics = %s, want exactly one %q", severity, describeDiagnostics(got), summary)
	}
	for _, phrase := range want {
		if !strings.Contains(got[0].Detail, phrase) {
			t.Errorf("the %q detail lacks %q: %s", summary, phrase, got[0].Detail)
		}
	}
	assertNoSecretIn(t, srv, "the "+summary+" diagnostic", got[0].Summary+got[0].Detail)
	if others := run.with(other); len(others) != 0 {
		t.Errorf("the same process also sent %s", describeDiagnostics(others))
	}
}

func describeDiagnostics(diagnostics []*tfprotov6.Diagnostic) string {
	var parts []string
	for _, d := range diagnostics {
		parts = append(parts, fmt.Sprintf("%s %q: %s", d.Severity, d.Summary, d.Detail))
	}
	return fmt.Sprintf("%d %v", len(diagnostics), parts)
}

// assertRotatedThenRejected checks the exchanges of a run that rotated the
// refresh token and of the next, which sent the replaced one.
func assertRotatedThenRejected(t *testing.T, srv *testserver.Server) {
	t.Helper()
	exchanges := srv.TokenExchanges()
	if len(exchanges) != 2 || exchanges[0].Status != http.StatusOK || exchanges[1].Status != http.StatusBadRequest || !exchanges[1].ReplacedRefreshToken {
		t.Errorf("exchanges = %+v, want one that rotated the refresh token, then one rejecting the replaced token", exchanges)
	}
}

const replacedWarning = "Flosum Returned A New Refresh Token"

// Rotation without refresh_token_file: the plan warns once that Flosum
// returned a new refresh token, and the next run, with the same (now
// replaced) refresh token, fails saying what to do.
func TestOAuth_rotationWithoutFile(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, 3, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	// The step's plan is the first run (its provider process rotates the
	// token); the next process to read is the next run.
	runs := terraformTestRecording(t, nil, failing(oauthProviderBlock(srv)+readConnection1,
		"Flosum Refresh Token Rejected", "rejected the refresh token from the refresh_token argument", "Invalid refresh token",
		"Flosum replaced it by a new one after it was used (refresh token rotation)",
		"refresh_token_file (or FLOSUM_REFRESH_TOKEN_FILE) keeps the newest",
		"Get a new refresh token"))
	readers := runs.readers()
	if len(readers) != 2 {
		t.Fatalf("%d provider processes read, want 2 (the plan, then the run that failed)", len(readers))
	}
	assertOneDiagnostic(t, srv, readers[0], tfprotov6.DiagnosticSeverityWarning, replacedWarning,
		"Flosum answered the token exchange with a new refresh token",
		"the refresh token configured in refresh_token or FLOSUM_REFRESH_TOKEN may stop working",
		`the next run can fail with "Flosum Refresh Token Rejected"`,
		"Set refresh_token_file (or FLOSUM_REFRESH_TOKEN_FILE)", "the provider keeps the newest one there")
	assertOneDiagnostic(t, srv, readers[1], tfprotov6.DiagnosticSeverityError, "Flosum Refresh Token Rejected",
		"refresh token rotation", "refresh_token_file (or FLOSUM_REFRESH_TOKEN_FILE) keeps the newest")
	assertRotatedThenRejected(t, srv)
}

// The ephemeral resource's open warns as a data source's read does, once,
// through the protocol server.
func TestAccessTokenEphemeralResource_rotationWarnsOnce(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, 3, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	runs := terraformTestRecording(t, sinceEphemeralResources(), failing(oauthProviderBlock(srv)+`
ephemeral "flosum_access_token" "test" {}

locals {
  handed = ephemeral.flosum_access_token.test.access_token
}
`, "Flosum Refresh Token Rejected", "while reading an access token for flosum_access_token"))
	readers := runs.readers()
	if len(readers) != 2 {
		t.Fatalf("%d provider processes opened the ephemeral resource, want 2 (plan, then apply, which failed)", len(readers))
	}
	assertOneDiagnostic(t, srv, readers[0], tfprotov6.DiagnosticSeverityWarning, replacedWarning, "may stop working")
	assertOneDiagnostic(t, srv, readers[1], tfprotov6.DiagnosticSeverityError, "Flosum Refresh Token Rejected", "refresh token rotation")
	assertRotatedThenRejected(t, srv)
}

// A refresh token file whose new token cannot be written: the run that
// rotated it warns, naming the file, saying the old token may no longer
// work and what to do, and never showing a token; the next run, with the
// old token still in the file, is rejected. Neither the TRACE log nor the
// diagnostics hold a secret.
func TestOAuth_refreshTokenFileNotWritable(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	srv := startOAuthServer(t, 3, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	// No file can be created beside this one, as its name is as long as a
	// name may be less ".lock": the temporary file the new token goes to
	// first cannot be made (the lock file can). A read-only folder would be
	// the usual cause, but tests may run as root, whom a mode does not stop.
	path := filepath.Join(t.TempDir(), strings.Repeat("r", 250))
	if err := os.WriteFile(path, []byte(srv.OAuthConfig().RefreshToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Everything through the environment, as in CI, so that no secret is
	// in the configuration, which the TRACE log shows.
	setOAuthEnv(t, srv)
	t.Setenv(envRefreshToken, "")
	t.Setenv(envRefreshTokenFile, path)
	runs := terraformTestRecording(t, nil, failing(readConnection1, "Flosum Refresh Token Rejected", "the FLOSUM_REFRESH_TOKEN_FILE environment variable"))
	readers := runs.readers()
	if len(readers) != 2 {
		t.Fatalf("%d provider processes read, want 2 (the plan, then the run that failed)", len(readers))
	}
	assertOneDiagnostic(t, srv, readers[0], tfprotov6.DiagnosticSeverityWarning, "Flosum Refresh Token File Not Updated",
		"Flosum answered the token exchange with a new refresh token, but the provider could not write it to the refresh token file "+path,
		"file name too long",
		"the old one still in the file may no longer work",
		"Make the file and its folder writable",
		"sign in again to get a new refresh token", "put it in the file")
	assertOneDiagnostic(t, srv, readers[1], tfprotov6.DiagnosticSeverityError, "Flosum Refresh Token Rejected",
		"the FLOSUM_REFRESH_TOKEN_FILE environment variable ("+path+")")
	assertRotatedThenRejected(t, srv)
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Could not write the new Flosum refresh token to the refresh token file; keeping it in memory",
		"Could not write the Flosum access token cache",
	} {
		if !bytes.Contains(log, []byte(want)) {
			t.Errorf("the log has no %q: the new log lines are not being checked", want)
		}
	}
	assertNoSecretIn(t, srv, "the TRACE log", string(log))
}
