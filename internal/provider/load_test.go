package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// 300 data sources in one configuration against a server that answers 10%
// of requests with 429 or 503: every one succeeds with the right values.
func TestLoad_300DataSourcesWithRandomFaults(t *testing.T) {
	t.Parallel()
	const n = 120
	seed := testserver.Seed(n)
	srv := startServer(t, n)
	srv.SetRandomFaults(0.10, 20260501, 429, 503)

	orgIDs := make([]string, 100)
	names := make([]string, 100)
	for i := range orgIDs {
		orgIDs[i] = fmt.Sprintf("%q", testserver.OrgID(int64(i+1)))
		names[i] = fmt.Sprintf("%q", seed[i].Name)
	}
	config := providerBlock(srv, "max_retries = 10") + fmt.Sprintf(`
locals {
  org_ids = [%s]
  names   = [%s]
}

data "flosum_connection" "c" {
  count = 100
  id    = count.index + 1
}

data "flosum_connection_id" "c" {
  count             = 100
  salesforce_org_id = local.org_ids[count.index]
}

# "admin<i>@" matches exactly connection i.
data "flosum_connections" "c" {
  count  = 100
  search = "admin${count.index + 1}@"
}

output "names_ok" {
  value = alltrue([for i, c in data.flosum_connection.c : c.id == i + 1 && c.name == local.names[i]])
}

output "ids_ok" {
  value = alltrue([for i, c in data.flosum_connection_id.c : c.connection_id == i + 1])
}

output "lists_ok" {
  value = alltrue([for i, c in data.flosum_connections.c : c.total == 1 && c.ids[0] == i + 1])
}
`, strings.Join(orgIDs, ", "), strings.Join(names, ", "))

	var checks []statecheck.StateCheck
	for _, id := range []int64{1, 2, 37, 64, 99, 100} {
		i := id - 1
		checks = append(checks, expectConnection(fmt.Sprintf("data.flosum_connection.c[%d]", i), seed[i], seed[i].SalesforceOrgID)...)
		checks = append(checks,
			expectAttr(fmt.Sprintf("data.flosum_connection_id.c[%d]", i), "connection_id", knownvalue.Int64Exact(id)),
			expectAttr(fmt.Sprintf("data.flosum_connections.c[%d]", i), "total", knownvalue.Int64Exact(1)),
			expectAttr(fmt.Sprintf("data.flosum_connections.c[%d]", i), "ids", int64List(id)),
			statecheck.ExpectKnownValue(fmt.Sprintf("data.flosum_connections.c[%d]", i), tfjsonpath.New("connections").AtSliceIndex(0), connectionItem(seed[i])),
		)
	}
	checks = append(checks,
		statecheck.ExpectKnownOutputValue("names_ok", knownvalue.Bool(true)),
		statecheck.ExpectKnownOutputValue("ids_ok", knownvalue.Bool(true)),
		statecheck.ExpectKnownOutputValue("lists_ok", knownvalue.Bool(true)),
	)

	terraformTest(t, resource.TestStep{
		Config: config,
		Check: checkNow(func() error {
			// One read of 300 data sources: 300 distinct requests, plus
			// a retry for each fault served.
			if got, want := srv.RequestCount(), 300+srv.RandomFaultsServed(); got != want {
				return fmt.Errorf("requests = %d, want %d (300 + one retry per fault)", got, want)
			}
			if got := len(listRequests(srv)); got < 100 {
				return fmt.Errorf("list requests = %d, want at least 100", got)
			}
			return nil
		}),
		ConfigStateChecks: checks,
	})
	if srv.RandomFaultsServed() == 0 {
		t.Error("no random fault was served: the test did not exercise retries")
	}
	t.Logf("%d requests, %d random faults served", srv.RequestCount(), srv.RandomFaultsServed())
}
