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

func schedulersCheck(schedulers ...testserver.Scheduler) knownvalue.Check {
	checks := make([]knownvalue.Check, len(schedulers))
	for i, s := range schedulers {
		checks[i] = knownvalue.ObjectExact(schedulerChecks(s.SchedulerListItem))
	}
	return knownvalue.ListExact(checks)
}

// The list is sorted by id (the API sorts by name), for the connection or
// one template; no match is an empty list.
func TestBackupSchedulersDataSource(t *testing.T) {
	t.Parallel()
	now := time.Now()
	srv := startDataServer(t, 3, now, nil)
	seeded := seedDataOf(1, now).Schedulers
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_backup_schedulers" "all" { connection_id = 1 }
data "flosum_backup_schedulers" "accounts" {
  connection_id = 1
  template_id   = 1001
}
data "flosum_backup_schedulers" "none" {
  connection_id = 1
  template_id   = 99
}
`,
		Check: checkNow(func() error {
			if err := requestsTo(srv, "/api/v1/connections/1/schedulers", 3); err != nil {
				return err
			}
			queries := map[string]bool{}
			for _, r := range srv.Requests() {
				queries[r.Query] = true
			}
			if fmt.Sprint(queries) != "map[:true templateId=1001:true templateId=99:true]" {
				return fmt.Errorf("queries = %v", queries)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_backup_schedulers.all", "template_id", knownvalue.Null()),
			expectAttr("data.flosum_backup_schedulers.all", "schedulers", schedulersCheck(seeded...)),
			expectAttr("data.flosum_backup_schedulers.accounts", "template_id", knownvalue.Int64Exact(1001)),
			expectAttr("data.flosum_backup_schedulers.accounts", "schedulers", schedulersCheck(seeded[1])),
			expectAttr("data.flosum_backup_schedulers.none", "schedulers", knownvalue.ListExact([]knownvalue.Check{})),
			// Spelled out: the weekly scheduler's days, nothing else of
			// repeat_on.
			expectAttr("data.flosum_backup_schedulers.all", "schedulers", knownvalue.ListPartial(map[int]knownvalue.Check{2: knownvalue.ObjectPartial(map[string]knownvalue.Check{
				"id": knownvalue.Int64Exact(1013), "template_id": knownvalue.Null(), "template_name": knownvalue.Null(),
				"configuration": knownvalue.ObjectExact(map[string]knownvalue.Check{
					"frequency": knownvalue.StringExact("weekly"), "repeat_every": knownvalue.Int64Exact(1), "run_at": knownvalue.StringExact("03:30"),
					"repeat_on": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("weekly"), "days_of_week": int64List(1, 3, 5),
						"day_of_month": knownvalue.Null(), "week_day_of_month": knownvalue.Null(),
					}),
				}),
			})})),
		},
	})
}

// A scheduler read by id has the list's fields, its description and its
// job settings (null when the API gives none).
func TestBackupSchedulerDataSource(t *testing.T) {
	t.Parallel()
	now := time.Now()
	srv := startDataServer(t, 3, now, nil)
	seeded := seedDataOf(2, now).Schedulers
	var checks []statecheck.StateCheck
	for _, s := range []testserver.Scheduler{seeded[2], seeded[4]} {
		address := fmt.Sprintf("data.flosum_backup_scheduler.s%d", s.ID)
		for name, check := range schedulerChecks(s.SchedulerListItem) {
			checks = append(checks, expectAttr(address, name, check))
		}
		checks = append(checks,
			expectAttr(address, "connection_id", knownvalue.Int64Exact(2)),
			expectAttr(address, "description", knownvalue.StringExact(s.Description)),
			expectAttr(address, "job_settings", jobSettingsCheck(s.JobSettings)),
		)
	}
	checks = append(checks,
		expectAttr("data.flosum_backup_scheduler.s2013", "job_settings", knownvalue.Null()),
		expectAttr("data.flosum_backup_scheduler.s2015", "job_settings", knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"is_include_binary_objects": knownvalue.Bool(true), "template_id": knownvalue.Int64Exact(2003),
		})),
		expectAttr("data.flosum_backup_scheduler.s2015", "configuration", knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"repeat_on": knownvalue.ObjectExact(map[string]knownvalue.Check{
				"type": knownvalue.StringExact("monthly"), "days_of_week": knownvalue.Null(), "day_of_month": knownvalue.Null(),
				"week_day_of_month": knownvalue.ObjectExact(map[string]knownvalue.Check{"first_or_last": knownvalue.StringExact("last"), "week_day": knownvalue.Int64Exact(5)}),
			}),
		})),
	)
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_backup_scheduler" "s2013" {
  connection_id = 2
  id            = 2013
}
data "flosum_backup_scheduler" "s2015" {
  connection_id = 2
  id            = 2015
}
`,
		Check: checkNow(func() error {
			if srv.RequestCount() != 2 || countPath(srv, "/api/v1/connections/2/schedulers/backup/2015") != 1 {
				return fmt.Errorf("requests = %+v, want one per scheduler", srv.Requests())
			}
			return nil
		}),
		ConfigStateChecks: checks,
	})
}
