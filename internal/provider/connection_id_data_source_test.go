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

func TestConnectionIDDataSource_18And15(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 12)
	org5, org11 := testserver.OrgID(5), testserver.OrgID(11)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + fmt.Sprintf(`
data "flosum_connection_id" "long" {
  salesforce_org_id = %q
}
data "flosum_connection_id" "short" {
  salesforce_org_id = %q
}
data "flosum_connection_id" "upper" {
  salesforce_org_id = %q
}
`, org5, org11[:15], strings.ToUpper(org11)),
		Check: checkNow(func() error {
			// 15 characters and the uppercased form were both sent as
			// the case-safe 18-character id, which was asked once.
			if got := srv.RequestCount(); got != 2 {
				return fmt.Errorf("requests = %d, want 2: %+v", got, srv.Requests())
			}
			for _, want := range []string{org5, org11} {
				if got := countPath(srv, byOrgIDPathStart+want); got != 1 {
					return fmt.Errorf("lookups of %s = %d, want 1: %+v", want, got, srv.Requests())
				}
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connection_id.long", "connection_id", knownvalue.Int64Exact(5)),
			expectAttr("data.flosum_connection_id.long", "salesforce_org_id", knownvalue.StringExact(org5)),
			expectAttr("data.flosum_connection_id.short", "connection_id", knownvalue.Int64Exact(11)),
			expectAttr("data.flosum_connection_id.short", "salesforce_org_id", knownvalue.StringExact(org11[:15])),
			expectAttr("data.flosum_connection_id.upper", "connection_id", knownvalue.Int64Exact(11)),
			expectAttr("data.flosum_connection_id.upper", "salesforce_org_id", knownvalue.StringExact(strings.ToUpper(org11))),
		},
	})
}

// Org ids refused before any request: at plan time, or (a suffix that does
// not match the letter case) before the lookup is sent.
func TestConnectionIDDataSource_refusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	errorCases(t, map[string]errorCase{
		"3 characters": {
			config: `data "flosum_connection_id" "x" { salesforce_org_id = "abc" }`,
			want:   []string{"Invalid Salesforce Org ID", `a Salesforce id has 15 or 18 characters, "abc" has 3`, "Setup > Company Information"},
		},
		"not a letter or digit": {
			config: `data "flosum_connection_id" "x" { salesforce_org_id = "00DB00000003br!" }`,
			want:   []string{"Invalid Salesforce Org ID", `'!' at position 15`},
		},
		"missing": {
			config: `data "flosum_connection_id" "x" {}`,
			want:   []string{"Missing required argument", `"salesforce_org_id" is required`},
		},
		"suffix not matching the letter case": {
			config: `data "flosum_connection_id" "x" { salesforce_org_id = "001xx000003DHurAAH" }`, // the suffix should be AAG
			want:   []string{"Invalid Salesforce Org ID", `its suffix "AAH" does not match the letter case of its first 15 characters, which call for "AAG"`},
		},
	})
}

func TestConnectionIDDataSource_notFound(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 10)
	terraformTest(t,
		failing(providerBlock(srv, "")+`data "flosum_connection_id" "x" { salesforce_org_id = "00DB00000003brXMAQ" }`, "Connection Not Found", "No Flosum connection backs up the Salesforce org with Salesforce org id 00DB00000003brXMAQ.", "connected in Flosum"),
		// Sent as the 18-character form; both forms named.
		failing(providerBlock(srv, "")+`data "flosum_connection_id" "x" { salesforce_org_id = "00DB00000003brX" }`, "Connection Not Found", "Salesforce org id 00DB00000003brX (sent as 00DB00000003brXMAQ)"),
	)
	if got := countPath(srv, byOrgIDPathStart+"00DB00000003brXMAQ"); got != 2 {
		t.Errorf("lookups = %d, want 2 (one a step, 404 not retried): %+v", got, srv.Requests())
	}
	expectRequests(t, srv, 2, "the two lookups")
}
