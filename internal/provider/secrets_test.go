package provider

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// The access token appears neither in the logs, at TRACE, nor in the state.
//
// With in-process provider factories the provider's tflog output does not go
// through Terraform: terraform-plugin-testing serves the provider with
// UseTFLogSink, and terraform-plugin-log's test sink writes it where TF_LOG
// and TF_LOG_PATH (or TF_ACC_LOG_PATH / TF_LOG_PATH_MASK) say. So TF_LOG and
// TF_LOG_PATH put the provider's own lines in the file read below; the test
// asserts they are really there.
//
// Here the token is in the provider block, so it travels through Terraform's
// ConfigureProvider call (logged by the SDK at TRACE). terraform-plugin-
// testing's own entries (logger sdk.helper_resource) quote the whole test
// configuration, token included: they are the test harness, not the
// provider, and are the only entries left out of the check.
func TestSecrets_tokenNeverLoggedOrStored(t *testing.T) {
	secretsScenario(t, false)
}

// The same with the token only in FLOSUM_ACCESS_TOKEN: then it must appear
// nowhere in the whole log file, harness entries included.
func TestSecrets_tokenFromEnvironmentNeverLogged(t *testing.T) {
	secretsScenario(t, true)
}

// secretToken has characters that JSON, percent-encoding and base64 each
// write differently, so that every form of it is a different string.
const secretToken = "flosum+secret/7f3c9a1e=token<&>DO-NOT-LOG"

// echoForms lists the forms of secretToken a server echoes, each with the
// header it is echoed in: JSON-escaped, percent-encoded and base64.
func echoForms(t *testing.T) map[string]string {
	t.Helper()
	quoted, err := json.Marshal(secretToken)
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{
		"X-Echo-Json":          strings.Trim(string(quoted), `"`),
		"X-Echo-Json-Slash":    strings.ReplaceAll(strings.Trim(string(quoted), `"`), "/", `\/`),
		"X-Echo-Percent":       url.QueryEscape(secretToken),
		"X-Echo-Percent-Lower": regexp.MustCompile(`%[0-9A-F]{2}`).ReplaceAllStringFunc(url.QueryEscape(secretToken), strings.ToLower),
		"X-Echo-Path":          url.PathEscape(secretToken),
		"X-Echo-Base64":        base64.StdEncoding.EncodeToString([]byte(secretToken)),
		"X-Echo-Base64url":     base64.RawURLEncoding.EncodeToString([]byte(secretToken)),
	}
	seen := map[string]string{secretToken: "the token"}
	for header, form := range forms {
		if other, dup := seen[form]; dup {
			t.Fatalf("the %s form is the same as %s's: %q", header, other, form)
		}
		seen[form] = header
	}
	return forms
}

// echoTokenForms adds a header per form of the token to every answer of next,
// as a server that quotes the request's credentials in every encoding might.
func echoTokenForms(next http.Handler, forms map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for header, form := range forms {
			w.Header().Set(header, form)
		}
		next.ServeHTTP(w, r)
	})
}

func secretsScenario(t *testing.T, tokenFromEnv bool) {
	t.Helper()
	token := secretToken
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)

	forms := echoForms(t)
	srv := testserver.New(testserver.Options{Token: token, Connections: testserver.Seed(30)})
	api := httptest.NewServer(echoTokenForms(srv, forms))
	t.Cleanup(api.Close)
	srv.URL = api.URL
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Times: 1, Status: http.StatusTooManyRequests, RetryAfter: "0",
		Body: `{"message":"Too Many Requests","statusCode":429}`})
	// An error whose messages quote the token: as JSON escapes of every
	// character (decoded, that is the token), percent-encoded and in base64.
	var escaped strings.Builder
	for _, r := range token {
		fmt.Fprintf(&escaped, `\u%04x`, r)
	}
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2", Status: http.StatusBadRequest,
		Body: fmt.Sprintf(`{"message":["echo %s","echo %s","echo %s"],"error":"Bad Request","statusCode":400}`,
			escaped.String(), forms["X-Echo-Percent"], forms["X-Echo-Base64"])})
	org := testserver.OrgID(9)

	noToken := func(where string, data []byte) error {
		if bytes.Contains(data, []byte(token)) {
			return fmt.Errorf("the access token appears in %s", where)
		}
		// Not even a part of it long enough to matter.
		if bytes.Contains(data, []byte(token[7:27])) {
			return fmt.Errorf("part of the access token appears in %s", where)
		}
		for header, form := range forms {
			// As it is, and with its backslashes doubled, as a log
			// line quotes a value.
			for _, shown := range []string{form, strings.ReplaceAll(form, `\`, `\\`)} {
				if bytes.Contains(data, []byte(shown)) {
					return fmt.Errorf("the access token appears in %s in the form of %s: %q", where, header, shown)
				}
			}
		}
		return nil
	}

	provider := providerBlock(srv, "")
	if tokenFromEnv {
		t.Setenv(envAccessToken, token)
		provider = fmt.Sprintf("provider \"flosum\" {\n  base_url = %q\n}\n", srv.URL)
	}

	// The error quoting the token shows it redacted in every form.
	echoed := failing(provider+`data "flosum_connection" "echo" { id = 2 }`,
		"Flosum API Rejected The Request", "HTTP 400", "- echo [REDACTED]", "- echo [REDACTED]", "- echo [REDACTED]")
	terraformTest(t, echoed, resource.TestStep{
		Config: provider + fmt.Sprintf(`
data "flosum_connection" "test" {
  id = 7
}

data "flosum_connection_id" "test" {
  salesforce_org_id = %q
}

data "flosum_connections" "test" {
  search = "Sales"
}
`, org),
		Check: resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.flosum_connection.test", "name", seeded(30, 7).Name),
			resource.TestCheckResourceAttr("data.flosum_connection_id.test", "connection_id", "9"),
			func(s *terraform.State) error {
				for _, m := range s.Modules {
					for address, r := range m.Resources {
						if r.Primary == nil {
							continue
						}
						for key, value := range r.Primary.Attributes {
							if strings.Contains(value, token) {
								return fmt.Errorf("%s.%s holds the access token", address, key)
							}
						}
					}
				}
				if got := countPath(srv, "/api/v1/connections/7"); got != 2 {
					return fmt.Errorf("requests for id 7 = %d, want 2 (a 429, then the answer)", got)
				}
				return nil
			},
		),
		ConfigStateChecks: []statecheck.StateCheck{
			stateCheckFunc(func(stateJSON []byte) error {
				if !bytes.Contains(stateJSON, []byte(seeded(30, 7).UserName)) {
					return errors.New("the JSON state does not hold the data read: the check is not looking at it")
				}
				return noToken("the state", stateJSON)
			}),
			expectAttr("data.flosum_connections.test", "total", knownvalue.Int64Exact(4)),
		},
	})

	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	if len(log) == 0 {
		t.Fatal("the log is empty: TF_LOG/TF_LOG_PATH did not reach the provider")
	}
	// The file also holds terraform-plugin-testing's own entries
	// (sdk.helper_resource), which quote the test's configuration, token
	// and all: that is the test harness, not the provider, so those entries
	// are left out. Everything logged inside the provider's process is
	// checked: the provider's own logger ("flosum") and the framework's and
	// protocol's SDK loggers.
	var providerLog strings.Builder
	loggers := map[string]int{}
	for _, entry := range logEntries(string(log)) {
		logger := entryLogger(entry)
		loggers[logger]++
		if logger == "sdk.helper_resource" && !tokenFromEnv {
			continue
		}
		providerLog.WriteString(entry)
	}
	for _, logger := range []string{"flosum", "sdk.framework", "sdk.proto"} {
		if loggers[logger] == 0 {
			t.Errorf("the log has no entries from %s (loggers seen: %v)", logger, loggers)
		}
	}
	checked := []byte(providerLog.String())
	// The provider's own lines are in the log, at every level used, with
	// the request's headers (Authorization redacted).
	for _, want := range []string{
		"[INFO]  flosum: Configured the Flosum API client",
		"[DEBUG] flosum: Sending Flosum API request",
		"[DEBUG] flosum: Received Flosum API response",
		"[WARN]  flosum: Retrying Flosum API request",
		"reason=\"HTTP 429 Too Many Requests, Retry-After: 0\"",
		"/api/v1/connections/connectionId/" + org,
		"Read connections page 1/1",
		"Authorization:[REDACTED]",
		// The echoed forms reached the log, hidden.
		"X-Echo-Json:[REDACTED]",
		"X-Echo-Json-Slash:[REDACTED]",
		"X-Echo-Percent:[REDACTED]",
		"X-Echo-Percent-Lower:[REDACTED]",
		"X-Echo-Path:[REDACTED]",
		"X-Echo-Base64:[REDACTED]",
		"X-Echo-Base64url:[REDACTED]",
	} {
		if !bytes.Contains(checked, []byte(want)) {
			t.Errorf("the log has no %q: the provider's log lines are not being checked", want)
		}
	}
	if err := noToken("the log", checked); err != nil {
		t.Error(err)
		for i, line := range strings.Split(string(checked), "\n") {
			if noToken("a line", []byte(line)) != nil {
				t.Logf("line %d: %s", i+1, line)
			}
		}
	}
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+token {
			t.Errorf("request %s sent Authorization %q", r.Path, r.Authorization)
		}
	}
}

// logEntryStart matches the first line of an hclog entry.
var logEntryStart = regexp.MustCompile(`(?m)^\d{4}-\d{2}-\d{2}T\S+ \[[A-Z]+\] +`)

// logEntries splits an hclog file into entries; continuation lines (such as
// "  | ..." of a multi-line field) stay with their entry.
func logEntries(log string) []string {
	starts := logEntryStart.FindAllStringIndex(log, -1)
	var entries []string
	if len(starts) == 0 || starts[0][0] > 0 {
		end := len(log)
		if len(starts) > 0 {
			end = starts[0][0]
		}
		entries = append(entries, log[:end])
	}
	for i, s := range starts {
		end := len(log)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		entries = append(entries, log[s[0]:end])
	}
	return entries
}

// entryLogger returns the name of the logger of an entry, such as "flosum"
// or "sdk.framework", or "" when the entry has none.
func entryLogger(entry string) string {
	loc := logEntryStart.FindStringIndex(entry)
	if loc == nil || loc[0] != 0 {
		return ""
	}
	rest := entry[loc[1]:]
	name, _, ok := strings.Cut(rest, ": ")
	if !ok || strings.ContainsAny(name, " \n") {
		return ""
	}
	return name
}
