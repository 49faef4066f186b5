package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func TestConnectionDataSource_byID(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 10)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_connection" "test" {
  id = 3
}
`,
		Check: checkNow(func() error {
			// One read: one request, for id 3 only, with the token and
			// a User-Agent naming provider and Terraform.
			reqs := srv.Requests()
			if len(reqs) != 1 || reqs[0].Path != "/api/v1/connections/3" || reqs[0].Method != "GET" {
				return fmt.Errorf("want one GET /api/v1/connections/3, got %+v", reqs)
			}
			if reqs[0].Authorization != "Bearer "+srv.Token() {
				return fmt.Errorf("Authorization = %q", reqs[0].Authorization)
			}
			if !strings.HasPrefix(reqs[0].UserAgent, "terraform-provider-flosum/test terraform/1.") {
				return fmt.Errorf("User-Agent = %q", reqs[0].UserAgent)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connection.test", "id", knownvalue.Int64Exact(3)),
			expectAttr("data.flosum_connection.test", "external_id", knownvalue.Int64Exact(900021)),
			expectAttr("data.flosum_connection.test", "name", knownvalue.StringExact("Marketing Sandbox 3")),
			expectAttr("data.flosum_connection.test", "user_full_name", knownvalue.StringExact("Admin 3")),
			expectAttr("data.flosum_connection.test", "user_name", knownvalue.StringExact("admin3@marketing.example.com")),
			expectAttr("data.flosum_connection.test", "salesforce_org_id", knownvalue.StringExact(testserver.OrgID(3))),
			expectAttr("data.flosum_connection.test", "salesforce_org_type", knownvalue.StringExact("SANDBOX")),
		},
	})
}

func TestConnectionDataSource_byIDProduction(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 10)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_connection" "test" {
  id = 6
}
`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connection.test", "name", knownvalue.StringExact("Operations Production 6")),
			expectAttr("data.flosum_connection.test", "external_id", knownvalue.Int64Exact(900042)),
			expectAttr("data.flosum_connection.test", "user_name", knownvalue.StringExact("admin6@operations.example.com")),
			expectAttr("data.flosum_connection.test", "salesforce_org_type", knownvalue.StringExact("PRODUCTION")),
			expectAttr("data.flosum_connection.test", "salesforce_org_id", knownvalue.StringExact(testserver.OrgID(6))),
		},
	})
}

// By salesforce_org_id, 18 and 15 characters (and an 18-character id whose
// letters were lowercased): the attribute keeps what the user wrote,
// salesforce_org_id_18 holds the API's org id (as after a read by id), every
// other attribute matches the read by id, and the lookup always asks the API
// with the 18-character case-safe form.
func TestConnectionDataSource_bySalesforceOrgID(t *testing.T) {
	t.Parallel()
	const n = 10
	org7 := testserver.OrgID(7)
	if len(org7) != 18 || org7[:15] == strings.ToLower(org7[:15]) {
		t.Fatalf("OrgID(7) = %q: want 18 characters with some uppercase letters", org7)
	}
	c7 := seeded(n, 7)
	srv := startServer(t, n)

	var checks []statecheck.StateCheck
	checks = append(checks, expectConnection("data.flosum_connection.by_id", c7, org7)...)
	checks = append(checks, expectConnection("data.flosum_connection.by_org_18", c7, org7)...)
	checks = append(checks, expectConnection("data.flosum_connection.by_org_15", c7, org7[:15])...)
	checks = append(checks, expectConnection("data.flosum_connection.by_org_lower", c7, strings.ToLower(org7))...)

	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + fmt.Sprintf(`
data "flosum_connection" "by_id" {
  id = 7
}
data "flosum_connection" "by_org_18" {
  salesforce_org_id = %q
}
data "flosum_connection" "by_org_15" {
  salesforce_org_id = %q
}
data "flosum_connection" "by_org_lower" {
  salesforce_org_id = %q
}
`, org7, org7[:15], strings.ToLower(org7)),
		Check: checkNow(func() error {
			// Every lookup, whatever form was written, asked for the
			// 18-character id, and (the client remembers answers within
			// one run) only once; then connection 7 was read once.
			for _, r := range srv.Requests() {
				if strings.HasPrefix(r.Path, byOrgIDPathStart) && r.Path != byOrgIDPathStart+org7 {
					return fmt.Errorf("lookup sent %s, want %s", r.Path, byOrgIDPathStart+org7)
				}
			}
			if got := countPath(srv, byOrgIDPathStart+org7); got != 1 {
				return fmt.Errorf("lookups of %s: %d, want 1", org7, got)
			}
			if got := countPath(srv, "/api/v1/connections/7"); got != 1 {
				return fmt.Errorf("reads of connection 7: %d, want 1", got)
			}
			if got := srv.RequestCount(); got != 2 {
				return fmt.Errorf("requests: %d, want 2: %+v", got, srv.Requests())
			}
			return nil
		}),
		ConfigStateChecks: checks,
	})
}

// flosum_connection_id and flosum_connection agree, and the id from one feeds
// the other.
func TestConnectionDataSource_chainedFromConnectionID(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 20)
	org := testserver.OrgID(13)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + fmt.Sprintf(`
data "flosum_connection_id" "lookup" {
  salesforce_org_id = %q
}
data "flosum_connection" "test" {
  id = data.flosum_connection_id.lookup.connection_id
}
`, org[:15]),
		ConfigStateChecks: append(
			expectConnection("data.flosum_connection.test", seeded(20, 13), org),
			expectAttr("data.flosum_connection_id.lookup", "connection_id", knownvalue.Int64Exact(13)),
		),
	})
}

// Configurations refused before any request: at plan time, or (an org id
// whose 18-character suffix does not match its first 15 characters passes
// the plan-time format check) before the lookup is sent.
func TestConnectionDataSource_refusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	badSuffix := testserver.OrgID(3)[:17] + "9"
	errorCases(t, map[string]errorCase{
		"neither id nor org id": {
			config: `data "flosum_connection" "test" {}`,
			want:   []string{"Missing Attribute Configuration", "Exactly one of these attributes must be configured: [id,salesforce_org_id]"},
		},
		"both id and org id": {
			config: fmt.Sprintf(`
data "flosum_connection" "test" {
  id                = 1
  salesforce_org_id = %q
}
`, testserver.OrgID(1)),
			want: []string{"Invalid Attribute Combination", "Exactly one of these attributes must be configured: [id,salesforce_org_id]"},
		},
		"id 0": {
			config: `data "flosum_connection" "test" { id = 0 }`,
			want:   []string{"Invalid Attribute Value", "Attribute id value must be at least 1, got: 0"},
		},
		"id -5": {
			config: `data "flosum_connection" "test" { id = -5 }`,
			want:   []string{"Attribute id value must be at least 1, got: -5"},
		},
		"org id of 13 characters": {
			config: `data "flosum_connection" "test" { salesforce_org_id = "00D-not-an-id" }`,
			want:   []string{"Invalid Salesforce Org ID", `"00D-not-an-id" has 13`},
		},
		"org id with a bad suffix": {
			config: fmt.Sprintf(`data "flosum_connection" "test" { salesforce_org_id = %q }`, badSuffix),
			want:   []string{"Invalid Salesforce Org ID", badSuffix, "suffix character '9' is not one of A-Z or 0-5", "encode the letter case"},
		},
	})
}

func TestConnectionDataSource_notFound(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	terraformTest(t, failing(providerBlock(srv, "")+`data "flosum_connection" "test" { id = 404 }`, "Connection Not Found", "No Flosum connection has id 404.", "flosum_connections"))
	// A 404 is an answer, not retried.
	if got := countPath(srv, "/api/v1/connections/404"); got != 1 {
		t.Errorf("requests for id 404: %d, want 1", got)
	}
}

func TestConnectionDataSource_orgIDNotFound(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	terraformTest(t, failing(providerBlock(srv, "")+`data "flosum_connection" "test" { salesforce_org_id = "00DB00000003brX" }`, "Connection Not Found", "Salesforce org id 00DB00000003brX (sent as 00DB00000003brXMAQ)"))
	if got := countPath(srv, byOrgIDPathStart+"00DB00000003brXMAQ"); got != 1 {
		t.Errorf("lookups: %d, want 1 (of the 18-character form): %+v", got, srv.Requests())
	}
	if got := byIDRequests(srv); got != 0 {
		t.Errorf("%d connections read after a failed lookup, want none", got)
	}
}
