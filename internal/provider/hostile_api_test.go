package provider

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// What a user sees when the API, or something posing as it, redirects,
// lies or answers without bound (issue 9). Each run is checked for its
// message and for the requests it sent.

// recorder is an httptest server that records what reached it, standing in
// for the place a redirect leads to.
type recorder struct {
	*httptest.Server
	mu             sync.Mutex
	requests       int
	authorizations []string
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.requests++
		r.authorizations = append(r.authorizations, req.Header.Get("Authorization"))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":1}`))
	}))
	t.Cleanup(r.Close)
	return r
}

// requireUntouched fails unless nothing, and so no token, reached r.
func (r *recorder) requireUntouched(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.requests != 0 {
		t.Errorf("the redirect's target received %d request(s), Authorization %q; want none", r.requests, r.authorizations)
	}
}

// redirector answers every request with a 307 to target plus the path
// asked, counting the requests.
func redirector(target string, count *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
}

// A redirect to another port of the same host is not followed: the token
// stays with the configured origin, and the message names both addresses
// and the base_url to set.
func TestHostileAPI_redirectToAnotherPort(t *testing.T) {
	t.Parallel()
	elsewhere := startRecorder(t)
	var asked atomic.Int64
	api := httptest.NewServer(redirector(elsewhere.URL+"/v2", &asked))
	t.Cleanup(api.Close)
	config := fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = "tok-redirect-1"
}

data "flosum_connection" "x" {
  id = 1
}
`, api.URL)
	terraformTest(t, failing(config,
		"Flosum API Redirected To Another Address", "the connection with id 1",
		api.URL+"/api/v1/connections/1 redirected to "+elsewhere.URL+"/v2/api/v1/connections/1",
		"not the configured origin "+api.URL, "the access token was not sent there",
		"set base_url (or FLOSUM_BASE_URL) to "+elsewhere.URL+"/v2."))
	elsewhere.requireUntouched(t)
	if got := asked.Load(); got != 1 {
		t.Errorf("requests to the API = %d, want 1 (a refused redirect is not retried)", got)
	}
}

// An https API that redirects to plain http: nothing is sent in clear.
func TestHostileAPI_redirectFromHTTPSToHTTP(t *testing.T) {
	t.Parallel()
	plain := startRecorder(t)
	var asked atomic.Int64
	api := httptest.NewTLSServer(redirector(plain.URL, &asked))
	t.Cleanup(api.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw}))
	config := fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = "tok-redirect-2"
  ca_cert_pem  = %q
}

data "flosum_connections" "all" {}
`, api.URL, caPEM)
	terraformTest(t, failing(config,
		"Flosum API Redirected To Plain HTTP", "the list of connections",
		"redirected to "+plain.URL+"/api/v1/connections?", "which is plain http", "nothing was sent unencrypted",
		"final https:// address"))
	plain.requireUntouched(t)
	if got := asked.Load(); got != 1 {
		t.Errorf("requests to the API = %d, want 1", got)
	}
}

// A list larger than max_list_size fails after its first page, naming the
// argument; one at the limit is read.
func TestHostileAPI_listTooLarge(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	terraformTest(t,
		failing(providerBlock(srv, "max_list_size = 2")+`data "flosum_connections" "all" {}`,
			"Flosum List Too Large", "the list of connections", "stopped after the first page",
			"the connections list holds 3 items, more than max_list_size (2)", "raise max_list_size", "FLOSUM_MAX_LIST_SIZE"),
	)
	expectRequests(t, srv, 1, "only the first page")

	srv.ResetRequests()
	terraformTest(t, resource.TestStep{
		Config:            providerBlock(srv, "max_list_size = 3") + `data "flosum_connections" "all" {}`,
		ConfigStateChecks: expectList("data.flosum_connections.all", testserver.Seed(3), 1, 2, 3),
	})
}

// A server that claims an enormous list, with consistent pages, costs one
// request: the default bound stops it before any other page.
func TestHostileAPI_hugeClaimedTotal(t *testing.T) {
	t.Parallel()
	errorCases(t, map[string]errorCase{
		"default max_list_size": {
			setup: func(srv *testserver.Server) {
				srv.SetListHook(func(_ *http.Request, page *testserver.ListPage) { page.Total = 50_000_000 })
			},
			config:   `data "flosum_connections" "all" {}`,
			want:     []string{"Flosum List Too Large", "holds 50000000 items, more than max_list_size (1000000)"},
			requests: 1,
		},
		"max_list_size = 0 refused": {
			providerArgs: "max_list_size = 0",
			config:       `data "flosum_connections" "all" {}`,
			want:         []string{"max_list_size value must be at least 1, got: 0"},
		},
	})
}

// Answers that do not fit the question are errors naming both values, and
// nothing is stored.
func TestHostileAPI_answersMustMatchRequests(t *testing.T) {
	t.Parallel()
	org5, org6 := testserver.OrgID(5), testserver.OrgID(6)
	answer := func(path, body string) func(*testserver.Server) {
		return func(srv *testserver.Server) {
			srv.AddFault(testserver.Fault{PathPrefix: path, Status: http.StatusOK, Body: body})
		}
	}
	other, err := json.Marshal(testserver.Seed(1000)[998]) // connection 999
	if err != nil {
		t.Fatal(err)
	}
	errorCases(t, map[string]errorCase{
		"read by id answering another id": {
			seed:     6,
			setup:    answer("/api/v1/connections/3", string(other)),
			config:   `data "flosum_connection" "x" { id = 3 }`,
			want:     []string{"Unexpected Flosum API Response", "the connection with id 3", "its id is 999, where 3 was expected", "Nothing was stored"},
			requests: 1,
		},
		"org-id lookup answering another org's connection": {
			seed:   6,
			setup:  answer(byOrgIDPathStart+org5, `{"connectionId":6}`),
			config: fmt.Sprintf(`data "flosum_connection" "x" { salesforce_org_id = %q }`, org5[:15]),
			want: []string{"Unexpected Flosum API Response",
				fmt.Sprintf("the connection for Salesforce org id %s (sent as %s) (connection 6, as the API's lookup answered)", org5[:15], org5),
				fmt.Sprintf("its salesforceOrgId is %s, where %s was expected", org6, org5), "Nothing was stored"},
			requests: 2, // the lookup, then connection 6
		},
		"lookup answering connectionId 0": {
			setup:    answer(byOrgIDPathStart+testserver.OrgID(2), `{"connectionId":0}`),
			config:   fmt.Sprintf(`data "flosum_connection" "x" { salesforce_org_id = %q }`, testserver.OrgID(2)),
			want:     []string{"Unexpected Flosum API Response", "Salesforce org id " + testserver.OrgID(2), "its connectionId is 0, where a connection id (1 or more) was expected"},
			requests: 1, // connection 0 is never read
		},
		"lookup answering connectionId -1, flosum_connection_id": {
			setup:    answer(byOrgIDPathStart+testserver.OrgID(2), `{"connectionId":-1}`),
			config:   fmt.Sprintf(`data "flosum_connection_id" "x" { salesforce_org_id = %q }`, testserver.OrgID(2)),
			want:     []string{"Unexpected Flosum API Response", "its connectionId is -1, where a connection id (1 or more) was expected"},
			requests: 1,
		},
		// An org id whose case-safe suffix does not fit its first 15
		// characters is not stored either.
		"read by id answering a malformed org id": {
			setup: answer("/api/v1/connections/1", strings.Replace(mustJSON(t, testserver.Seed(1)[0]),
				testserver.OrgID(1), testserver.OrgID(1)[:15]+"999", 1)),
			config: `data "flosum_connection" "x" { id = 1 }`,
			want: []string{"Unexpected Flosum API Response", "the connection with id 1",
				fmt.Sprintf(`its salesforceOrgId is "%s999"`, testserver.OrgID(1)[:15]), "suffix character '9' is not one of A-Z or 0-5", "where a Salesforce org id was expected"},
			requests: 1,
		},
		// Numbers must be JSON numbers, as the API's schema types them.
		"id as a JSON string": {
			setup:    answer("/api/v1/connections/1", strings.Replace(mustJSON(t, testserver.Seed(1)[0]), `"id":1`, `"id":"1"`, 1)),
			config:   `data "flosum_connection" "x" { id = 1 }`,
			want:     []string{"Unexpected Flosum API Response", "the connection with id 1", `field id in the answer is "1", not a number`},
			requests: 1,
		},
		"total as a JSON string": {
			setup:    answer(listPath, `{"total":"3","items":[]}`),
			config:   `data "flosum_connections" "all" {}`,
			want:     []string{"Unexpected Flosum API Response", "the list of connections", `field total in the answer is "3", not a number`},
			requests: 1,
		},
		"connectionId as a JSON string": {
			setup:    answer(byOrgIDPathStart+testserver.OrgID(2), `{"connectionId":"2"}`),
			config:   fmt.Sprintf(`data "flosum_connection_id" "x" { salesforce_org_id = %q }`, testserver.OrgID(2)),
			want:     []string{"Unexpected Flosum API Response", `field connectionId in the answer is "2", not a number`},
			requests: 1,
		},
	})
}

// An API that gives a connection's org id in 15 characters: the state's
// salesforce_org_id_18 holds its 18-character form.
func TestConnectionDataSource_orgIDOf15FromTheAPI(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	c := seeded(3, 2)
	c.SalesforceOrgID = c.SalesforceOrgID[:15]
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2", Status: http.StatusOK, Body: mustJSON(t, c)})
	terraformTest(t, resource.TestStep{
		Config:            providerBlock(srv, "") + `data "flosum_connection" "x" { id = 2 }`,
		ConfigStateChecks: expectConnection("data.flosum_connection.x", seeded(3, 2), testserver.OrgID(2)),
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An access token with whitespace around it (as file() reads it, or pasted
// with spaces) works and is sent trimmed; whitespace inside it fails at
// plan time, before any request, without showing the token.
func TestHostileAPI_accessTokenWhitespace(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(srv.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	terraformTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = file(%q)
}

data "flosum_connection" "x" {
  id = 2
}
`, srv.URL, tokenFile),
		ConfigStateChecks: []statecheck.StateCheck{expectAttr("data.flosum_connection.x", "name", knownvalue.StringExact(seeded(3, 2).Name))},
	})
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+srv.Token() {
			t.Errorf("request %s sent Authorization %q, want the trimmed token", r.Path, r.Authorization)
		}
	}

	srv.ResetRequests()
	withToken := func(token string) string {
		return fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = %s
}

data "flosum_connection" "x" {
  id = 1
}
`, srv.URL, token)
	}
	terraformTest(t,
		failing(withToken(`"tok-9a7c secret"`), "Malformed Flosum Access Token", "The access token from the access_token argument cannot be used",
			"whitespace inside it (character 9 of 15)", "copy it again"),
		failing(withToken(`"  tok-9a7c\nsecret\n"`), "Malformed Flosum Access Token", "whitespace inside it (character 9 of 15)"),
	)
	expectRequests(t, srv, 0, "a malformed token is refused before any request")
}

// The same checks for FLOSUM_ACCESS_TOKEN: trimmed, and refused with
// whitespace inside before any request.
func TestHostileAPI_accessTokenWhitespaceFromEnvironment(t *testing.T) {
	srv := startServer(t, 3)
	config := fmt.Sprintf(`
provider "flosum" {
  base_url = %q
}

data "flosum_connection" "x" {
  id = 3
}
`, srv.URL)
	t.Setenv(envAccessToken, "tok-9a7c\tsecret")
	terraformTest(t, failing(config, "Malformed Flosum Access Token",
		"The access token from the FLOSUM_ACCESS_TOKEN environment variable cannot be used", "whitespace inside it (character 9 of 15)"))
	expectRequests(t, srv, 0, "a malformed token is refused before any request")

	t.Setenv(envAccessToken, "\t"+srv.Token()+"\r\n")
	terraformTest(t, resource.TestStep{
		Config:            config,
		ConfigStateChecks: []statecheck.StateCheck{expectAttr("data.flosum_connection.x", "name", knownvalue.StringExact(seeded(3, 3).Name))},
	})
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+srv.Token() {
			t.Errorf("request %s sent Authorization %q, want the trimmed token", r.Path, r.Authorization)
		}
	}
}

// base_url with an empty query or fragment would put the API's paths after
// it: refused at plan time, on base_url.
func TestHostileAPI_baseURLWithEmptyQueryOrFragment(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	var steps []resource.TestStep
	for _, suffix := range []string{"/?", "?", "#", "/#"} {
		steps = append(steps, failing(fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = "t"
}

data "flosum_connection" "x" {
  id = 1
}
`, srv.URL+suffix), "Invalid Flosum Base URL",
			fmt.Sprintf("base_url = %q", srv.URL+suffix), // the source line of the attribute at fault
			fmt.Sprintf("%q", srv.URL+suffix), `not even an empty "?" or "#"`, "Set base_url"))
	}
	terraformTest(t, steps...)
	expectRequests(t, srv, 0, "refused before any request")
}

// An answer larger than the client reads is reported as such, not as an
// unreachable API, and not retried.
func TestHostileAPI_oversizeAnswer(t *testing.T) {
	t.Parallel()
	var asked atomic.Int64
	chunk := []byte(strings.Repeat("a", 64<<10))
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		asked.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":1,"name":"`))
		for range (65 << 20) / len(chunk) { // just over the client's 64 MiB
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading
			}
		}
		_, _ = w.Write([]byte(`"}`))
	}))
	t.Cleanup(api.Close)
	terraformTest(t, failing(fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = "t"
}

data "flosum_connection" "x" {
  id = 1
}
`, api.URL), "Flosum API Response Too Large", "the connection with id 1", "larger than 67108864 bytes", "was not used"))
	if got := asked.Load(); got != 1 {
		t.Errorf("requests = %d, want 1 (an oversize answer is not retried)", got)
	}
}

// Org-id lengths count characters: "é" is one character of two bytes.
func TestHostileAPI_orgIDLengthCountsCharacters(t *testing.T) {
	t.Parallel()
	errorCases(t, map[string]errorCase{
		"15 characters, 16 bytes": {
			config: `data "flosum_connection_id" "x" { salesforce_org_id = "00DB00000003bré" }`,
			want:   []string{"Invalid Salesforce Org ID", `"00DB00000003bré" has 'é' at position 15`},
		},
		"14 characters, 16 bytes": {
			config: `data "flosum_connection" "x" { salesforce_org_id = "00DB00000003b日" }`,
			want:   []string{"Invalid Salesforce Org ID", `"00DB00000003b日" has 14`},
		},
	})
}
