package examples_test

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// shBlock matches a ```sh block of a Markdown file.
var shBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// TestAuthenticationGuide runs every shell command of
// docs/guides/authentication.md, in order, against the test server in
// rotation mode, as one shell session (set -a keeps each block's variables
// for the next): the placeholders become the test server's values, and the
// test plays the browser of the sign-in step. It ends with terraform plan
// signed in with the refresh token file the guide made.
func TestAuthenticationGuide(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join(examplesDir, "..", "docs", "guides", "authentication.md"))
	if err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t, testserver.Options{Token: "static-token-the-guide-never-uses",
		Connections: testserver.Seed(seededConnections), OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	app := srv.OAuthConfig()
	substitute := strings.NewReplacer(
		`"https://global-us.flosum.app"`, `"`+srv.GlobalSettingsURL+`"`,
		`"fci_your_client_id"`, `"`+app.ClientID+`"`,
		`"your-client-secret"`, `"`+app.ClientSecret+`"`,
		`"https://localhost/oauth/callback"`, `"`+app.RedirectURI+`"`,
		`export FLOSUM_REGION="us"`, `export FLOSUM_BASE_URL="`+srv.URL+`"`,
	)
	blocks := shBlock.FindAllStringSubmatch(string(guide), -1)
	if len(blocks) < 5 {
		t.Fatalf("the guide has %d sh blocks; want the five steps", len(blocks))
	}

	dir := t.TempDir()
	writeConfig(t, dir, "main.tf", []byte(`data "flosum_connections" "all" {}

output "connection_count" {
  value = data.flosum_connections.all.total
}
`))
	var env []string // terraform's, with the provider built for the tests; the guide sets FLOSUM_*
	for _, kv := range tf.Env {
		if !strings.HasPrefix(kv, "FLOSUM_") {
			env = append(env, kv)
		}
	}
	state := filepath.Join(dir, ".guide-env")
	code := ""
	var lastOutput []byte
	for i, block := range blocks {
		script := "set -euo pipefail -a\n[ -f " + state + " ] && . " + state + "\n" + substitute.Replace(block[1]) + "\nexport -p > " + state + "\n"
		cmd := exec.CommandContext(t.Context(), "bash", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		cmd.Stdin = strings.NewReader(code + "\n")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sh block %d of the guide failed: %v\n%s\n--- block:\n%s", i+1, err, out, block[1])
		}
		lastOutput = out
		if code == "" {
			code = signIn(t, dir, env, state)
		}
	}

	if !bytes.Contains(lastOutput, []byte("connection_count")) || !bytes.Contains(lastOutput, []byte("= 12")) {
		t.Errorf("terraform plan did not plan the data read:\n%s", lastOutput)
	}
	refresh, err := os.ReadFile(filepath.Join(dir, "flosum-refresh-token"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(refresh)) != srv.LatestRefreshToken() {
		t.Error("the refresh token file does not hold the newest refresh token")
	}
	if info, err := os.Stat(filepath.Join(dir, "flosum-refresh-token")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("refresh token file mode: %v %v, want 0600", info.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(dir, "flosum-token.json")); err == nil {
		t.Error("the token answer, with its access token, was left behind")
	}
	var grants []string
	for _, e := range srv.TokenExchanges() {
		if e.Status != http.StatusOK || e.ReplacedRefreshToken {
			t.Errorf("exchange failed or sent a replaced refresh token: %+v", e)
		}
		grants = append(grants, e.GrantType)
	}
	if want := []string{testserver.GrantAuthorizationCode, testserver.GrantRefreshToken}; strings.Join(grants, ",") != strings.Join(want, ",") {
		t.Errorf("grants = %v, want %v: the code exchange, then one refresh shared by plan's processes", grants, want)
	}
}

// signIn plays the browser once the guide has built AUTHORIZE_URL: it
// follows it to the redirect URI and returns the code there ("" before).
func signIn(t *testing.T, dir string, env []string, state string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "bash", "-c", "[ -f "+state+" ] && . "+state+"; printf %s \"${AUTHORIZE_URL:-}\"")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil || len(out) == 0 {
		return ""
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(string(out)) //nolint:noctx // a test against the local test server
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	location, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || location.Query().Get("state") != "terraform" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return location.Query().Get("code")
}
