package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// startDataServer runs a test server of n seeded connections, with data
// replacing what is seeded below some of them, on a clock stopped at now so
// that seeded dates cannot move during a test.
func startDataServer(t *testing.T, n int, now time.Time, data map[int64]testserver.ConnectionData) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{Connections: testserver.Seed(n), Data: data, Now: func() time.Time { return now }})
}

// seedDataOf is what the server serves below seeded connection id.
func seedDataOf(id int64, now time.Time) testserver.ConnectionData {
	return testserver.SeedData(testserver.Seed(int(id))[id-1], now)
}

// Knownvalue checks of what the test server serves.

func stringOrNull(s *string) knownvalue.Check {
	if s == nil {
		return knownvalue.Null()
	}
	return knownvalue.StringExact(*s)
}

func int64OrNull(n *int64) knownvalue.Check {
	if n == nil {
		return knownvalue.Null()
	}
	return knownvalue.Int64Exact(*n)
}

func boolOrNull(b *bool) knownvalue.Check {
	if b == nil {
		return knownvalue.Null()
	}
	return knownvalue.Bool(*b)
}

func stringSet(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.SetExact(checks)
}

// apiDate is a date as the test server writes it.
func apiDate(t time.Time) string { return t.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano) }

func backupCheck(b testserver.Backup) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id": knownvalue.Int64Exact(b.ID), "name": knownvalue.StringExact(b.Name), "job_id": knownvalue.Int64Exact(b.JobID),
		"job_status": knownvalue.StringExact(b.JobStatus), "started_date": knownvalue.StringExact(apiDate(b.StartedDate)),
		"duration": knownvalue.StringExact(b.Duration), "size": knownvalue.Int64Exact(b.Size), "records": knownvalue.Int64Exact(b.Records),
		"operation_type": knownvalue.StringExact(b.OperationType),
	})
}

func templateSummaryCheck(tmpl testserver.Template) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id": knownvalue.Int64Exact(tmpl.ID), "name": knownvalue.StringExact(tmpl.Name), "type": knownvalue.StringExact(tmpl.Type),
		"updated_at": knownvalue.StringExact(apiDate(tmpl.UpdatedAt)),
	})
}

func rootsCheck(groups [][]testserver.Root) knownvalue.Check {
	out := make([]knownvalue.Check, len(groups))
	for i, group := range groups {
		roots := make([]knownvalue.Check, len(group))
		for j, r := range group {
			var filter knownvalue.Check = knownvalue.Null()
			if r.DeclarativeFilter != nil {
				lines := make([]knownvalue.Check, len(r.DeclarativeFilter))
				for k, l := range r.DeclarativeFilter {
					lines[k] = knownvalue.ObjectExact(map[string]knownvalue.Check{
						"field": knownvalue.StringExact(l.Field), "label": knownvalue.StringExact(l.Label),
						"option": knownvalue.StringExact(l.Option), "value": knownvalue.StringExact(l.Value),
					})
				}
				filter = knownvalue.ListExact(lines)
			}
			roots[j] = knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.Int64Exact(r.ID), "level": knownvalue.Int64Exact(r.Level), "parent_id": int64OrNull(r.ParentID),
				"object_api_name": knownvalue.StringExact(r.ObjectAPIName), "label": knownvalue.StringExact(r.Label),
				"relationship_name": stringOrNull(r.RelationshipName), "filter_mode": stringOrNull(r.FilterMode),
				"soql_filter": stringOrNull(r.SOQLFilter), "custom_logic": stringOrNull(r.CustomLogic),
				"skip_remove": boolOrNull(r.SkipRemove), "declarative_filter": filter,
			})
		}
		out[i] = knownvalue.ListExact(roots)
	}
	return knownvalue.ListExact(out)
}

// schedulerChecks are the checks of a scheduler's list fields, by
// attribute.
func schedulerChecks(s testserver.SchedulerListItem) map[string]knownvalue.Check {
	c := s.Configuration
	var repeatOn knownvalue.Check = knownvalue.Null()
	if on := c.RepeatOn; on != nil {
		var days knownvalue.Check = knownvalue.Null()
		if on.DaysOfWeek != nil {
			days = int64List(on.DaysOfWeek...)
		}
		var weekDay knownvalue.Check = knownvalue.Null()
		if w := on.WeekDayOfMonth; w != nil {
			weekDay = knownvalue.ObjectExact(map[string]knownvalue.Check{
				"first_or_last": knownvalue.StringExact(w.FirstOrLast), "week_day": knownvalue.Int64Exact(w.WeekDay),
			})
		}
		repeatOn = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"type": knownvalue.StringExact(on.Type), "days_of_week": days, "day_of_month": int64OrNull(on.DayOfMonth), "week_day_of_month": weekDay,
		})
	}
	return map[string]knownvalue.Check{
		"id": knownvalue.Int64Exact(s.ID), "name": knownvalue.StringExact(s.Name), "type": knownvalue.StringExact(s.Type),
		"timezone": knownvalue.StringExact(s.Timezone), "is_default": knownvalue.Bool(s.IsDefault),
		"template_id": int64OrNull(s.TemplateID), "template_name": stringOrNull(s.TemplateName),
		"configuration": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"frequency": knownvalue.StringExact(c.Frequency), "repeat_every": knownvalue.Int64Exact(c.RepeatEvery),
			"run_at": knownvalue.StringExact(c.RunAt), "repeat_on": repeatOn,
		}),
	}
}

func jobSettingsCheck(j *testserver.JobSettings) knownvalue.Check {
	if j == nil {
		return knownvalue.Null()
	}
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"is_include_metadata": knownvalue.Bool(j.IsIncludeMetadata), "is_include_binary_objects": knownvalue.Bool(j.IsIncludeBinaryObjects),
		"is_include_big_objects": knownvalue.Bool(j.IsIncludeBigObjects), "is_include_feed_objects": knownvalue.Bool(j.IsIncludeFeedObjects),
		"is_include_share_objects": knownvalue.Bool(j.IsIncludeShareObjects), "is_include_history_objects": knownvalue.Bool(j.IsIncludeHistoryObjects),
		"is_include_custom_metadata_type_objects": knownvalue.Bool(j.IsIncludeCustomMetadataTypeObjects),
		"is_include_tag_objects":                  knownvalue.Bool(j.IsIncludeTagObjects), "template_id": int64OrNull(j.TemplateID),
	})
}

// requestsTo checks that srv received exactly want requests for path.
func requestsTo(srv *testserver.Server, path string, want int) error {
	if got := countPath(srv, path); got != want || srv.RequestCount() != want {
		return fmt.Errorf("requests to %s = %d of %d in all, want %d and no other", path, got, srv.RequestCount(), want)
	}
	return nil
}

// statecheckRoot checks root j of group i of a template's roots.
func statecheckRoot(address string, i, j int, want map[string]knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("roots").AtSliceIndex(i).AtSliceIndex(j), knownvalue.ObjectExact(want))
}
