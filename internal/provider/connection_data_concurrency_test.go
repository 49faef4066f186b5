package provider

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// A for_each over 200 connections reading settings and backups makes one
// call per connection and data source, 200 for the settings and 400 in all
// (each connection's backups fit one page), never more than
// max_concurrent_requests at once.
func TestConnectionData_forEachOver200Connections(t *testing.T) {
	t.Parallel()
	const n, limit = 200, 3
	api := testserver.New(testserver.Options{Connections: testserver.Seed(n), Latency: 2 * time.Millisecond})
	counter := &inFlight{next: api}
	ts := httptest.NewServer(counter)
	t.Cleanup(ts.Close)
	head := fmt.Sprintf(`
provider "flosum" {
  base_url                = %q
  access_token            = %q
  max_concurrent_requests = %d
}

locals {
  ids = toset([for i in range(1, %d) : tostring(i)])
}
`, ts.URL, api.Token(), limit, n+1)
	settings := `
data "flosum_connection_settings" "each" {
  for_each      = local.ids
  connection_id = each.key
}
`
	backups := `
data "flosum_backups" "each" {
  for_each      = local.ids
  connection_id = each.key
}
`
	// A state check, not a Check: a Check needs the legacy state, which
	// cannot hold for_each keys. Both run right after the apply.
	calls := stateCheckFunc(func([]byte) error {
		t.Logf("a plan reading the settings and backups of %d connections made %d requests (%d for settings, %d for backups), at most %d at once",
			n, api.RequestCount(), countSuffix(api, "/settings"), countSuffix(api, "/backups"), counter.Peak())
		if got := api.RequestCount(); got != 2*n {
			return fmt.Errorf("requests = %d, want %d", got, 2*n)
		}
		if got := countSuffix(api, "/settings"); got != n {
			return fmt.Errorf("settings requests = %d, want %d", got, n)
		}
		for _, id := range []int{1, 117, 200} {
			if countPath(api, fmt.Sprintf("/api/v1/connections/%d/settings", id)) != 1 || countPath(api, fmt.Sprintf("/api/v1/connections/%d/backups", id)) != 1 {
				return fmt.Errorf("connection %d was not read exactly once per data source", id)
			}
		}
		if peak := counter.Peak(); peak > limit {
			return fmt.Errorf("%d requests were in flight at once, want at most %d", peak, limit)
		} else if peak < 2 {
			return fmt.Errorf("at most %d request was in flight: the data sources were not read concurrently", peak)
		}
		return nil
	})
	terraformTest(t,
		resource.TestStep{
			Config: head + settings + backups,
			ConfigStateChecks: []statecheck.StateCheck{
				calls,
				expectAttr(`data.flosum_connection_settings.each["117"]`, "initial_binary_records_limit",
					knownvalue.Int64Exact(testserver.SeedSettings(117).InitialBinaryRecordsLimit)),
				expectAttr(`data.flosum_backups.each["200"]`, "total", knownvalue.Int64Exact(testserver.DefaultBackupsPerConnection)),
			},
		},
		// The harness reads the last state the legacy way, which cannot hold
		// for_each keys: the test ends with none.
		resource.TestStep{Config: head},
	)
}

// countSuffix counts the requests whose path ends with suffix.
func countSuffix(srv *testserver.Server, suffix string) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}
