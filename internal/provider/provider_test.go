package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// protoV6ProviderFactories runs the provider in-process for the real
// terraform that terraform-plugin-testing drives.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"flosum": func() (tfprotov6.ProviderServer, error) { return NewProtocol6Server("test")(), nil },
}

// hermeticEnv lists the environment variables the provider reads; TestMain
// clears them so that a developer's shell cannot change test results. Tests
// that want them use t.Setenv.
var hermeticEnv = []string{
	envAccessToken, envRegion, envBaseURL, envRequestTimeout, envMaxRetries,
	envMaxConcurrentRequests, envCACertPEM, envMaxListSize, "TF_APPEND_USER_AGENT",
	envClientID, envClientSecret, envRedirectURI, envRefreshToken, envRefreshTokenFile, envGlobalSettingsURL,
}

// startServer runs a test server with n seeded connections for one test.
func startServer(t *testing.T, n int) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{Connections: testserver.Seed(n)})
}

// providerBlock configures the provider for srv; extra is added inside the
// block (e.g. "max_retries = 0").
func providerBlock(srv *testserver.Server, extra string) string {
	return fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = %q
  %s
}
`, srv.URL, srv.Token(), extra)
}

// errRe matches the phrases in this order anywhere in Terraform's error
// output. Terraform wraps diagnostics at 78 columns and starts every line
// with "│ ", so words may be separated by any mix of spaces, line breaks and
// box-drawing bars.
func errRe(phrases ...string) *regexp.Regexp {
	quoted := make([]string, len(phrases))
	for i, phrase := range phrases {
		words := strings.Fields(phrase)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		quoted[i] = strings.Join(words, `[\s│]+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, `.*`))
}

// Paths of the three endpoints, as the test server records them.
const (
	listPath         = "/api/v1/connections"
	byIDPathPrefix   = "/api/v1/connections/"
	byOrgIDPathStart = "/api/v1/connections/connectionId/"
)

// listRequests returns the requests srv received for the list endpoint.
func listRequests(srv *testserver.Server) []testserver.Request {
	var out []testserver.Request
	for _, r := range srv.Requests() {
		if r.Path == listPath {
			out = append(out, r)
		}
	}
	return out
}

// byIDRequests counts the requests for the get-by-id endpoint.
func byIDRequests(srv *testserver.Server) int {
	return srv.CountRequests(byIDPathPrefix) - srv.CountRequests(byOrgIDPathStart)
}

// countPath counts requests whose path is exactly p.
func countPath(srv *testserver.Server, p string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Path == p {
			n++
		}
	}
	return n
}

// checkNow adapts a plain func to a TestStep Check. Check runs right after
// the first plan and apply of a step, before the follow-up plans that read
// the data sources again, so request counts there are those of one read.
func checkNow(f func() error) resource.TestCheckFunc {
	return func(*terraform.State) error { return f() }
}

// stateCheckFunc is a custom statecheck.StateCheck over the JSON state.
type stateCheckFunc func(stateJSON []byte) error

func (f stateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	data, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = err
		return
	}
	resp.Error = f(data)
}

// int64List is a knownvalue check of a list of exactly these ids, in order.
func int64List(ids ...int64) knownvalue.Check {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		checks[i] = knownvalue.Int64Exact(id)
	}
	return knownvalue.ListExact(checks)
}

// expectAttr is statecheck.ExpectKnownValue for a top-level attribute.
func expectAttr(address, attribute string, check knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New(attribute), check)
}

// expectConnection checks every attribute of a flosum_connection against the
// seeded connection c; orgID is what salesforce_org_id should hold, and
// salesforce_org_id_18 always holds the API's org id.
func expectConnection(address string, c testserver.Connection, orgID string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		expectAttr(address, "id", knownvalue.Int64Exact(c.ID)),
		expectAttr(address, "external_id", knownvalue.Int64Exact(c.ExternalID)),
		expectAttr(address, "name", knownvalue.StringExact(c.Name)),
		expectAttr(address, "user_full_name", knownvalue.StringExact(c.UserFullName)),
		expectAttr(address, "user_name", knownvalue.StringExact(c.UserName)),
		expectAttr(address, "salesforce_org_id", knownvalue.StringExact(orgID)),
		expectAttr(address, "salesforce_org_id_18", knownvalue.StringExact(c.SalesforceOrgID)),
		expectAttr(address, "salesforce_org_type", knownvalue.StringExact(c.SalesforceOrgType)),
	}
}

// seeded returns connection id of testserver.Seed(n).
func seeded(n int, id int64) testserver.Connection {
	return testserver.Seed(n)[id-1]
}
