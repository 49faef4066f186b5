package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func TestConnectionSettingsDataSource(t *testing.T) {
	t.Parallel()
	srv := startDataServer(t, 30, time.Now(), nil)
	var checks []statecheck.StateCheck
	for _, id := range []int64{3, 22} {
		s := testserver.SeedSettings(id)
		address := "data.flosum_connection_settings.c" + map[int64]string{3: "3", 22: "22"}[id]
		checks = append(checks,
			expectAttr(address, "connection_id", knownvalue.Int64Exact(id)),
			expectAttr(address, "api_quota", knownvalue.ObjectExact(map[string]knownvalue.Check{
				"rest": knownvalue.Int64Exact(s.APIQuota.Rest), "bulk": knownvalue.Int64Exact(s.APIQuota.Bulk),
			})),
			expectAttr(address, "scheduler", knownvalue.ObjectExact(map[string]knownvalue.Check{
				"is_backups_disabled": knownvalue.Bool(s.Scheduler.IsBackupsDisabled), "is_archives_disabled": knownvalue.Bool(s.Scheduler.IsArchivesDisabled),
			})),
			expectAttr(address, "initial_binary_records_limit", knownvalue.Int64Exact(s.InitialBinaryRecordsLimit)),
		)
	}
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_connection_settings" "c3" { connection_id = 3 }
data "flosum_connection_settings" "c22" { connection_id = 22 }
# The same read again shares the first one's call.
data "flosum_connection_settings" "again" { connection_id = 3 }
`,
		Check: checkNow(func() error {
			if srv.RequestCount() != 2 || countPath(srv, "/api/v1/connections/3/settings") != 1 {
				return fmt.Errorf("requests = %+v, want one for each connection", srv.Requests())
			}
			return nil
		}),
		ConfigStateChecks: checks,
	})
}
