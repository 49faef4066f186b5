package provider

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func backupsCheck(backups []testserver.Backup) knownvalue.Check {
	checks := make([]knownvalue.Check, len(backups))
	for i, b := range backups {
		checks[i] = backupCheck(b)
	}
	return knownvalue.ListExact(checks)
}

// backupsQuery returns the query of the only backups request of srv.
func backupsQuery(srv *testserver.Server, connectionID int) (url.Values, error) {
	path := fmt.Sprintf("/api/v1/connections/%d/backups", connectionID)
	if err := requestsTo(srv, path, 1); err != nil {
		return nil, err
	}
	return url.ParseQuery(srv.Requests()[0].Query)
}

// Every backup, newest first (the seed's order: ties broken by id, higher
// first), with the filters' defaults in state.
func TestBackupsDataSource_all(t *testing.T) {
	t.Parallel()
	now := time.Now()
	srv := startDataServer(t, 3, now, nil)
	seeded := seedDataOf(2, now).Backups
	if seeded[5].StartedDate != seeded[6].StartedDate || seeded[5].ID < seeded[6].ID {
		t.Fatal("the seed no longer has a tie at 5 and 6, higher id first; the test relies on it")
	}
	const address = "data.flosum_backups.all"
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `data "flosum_backups" "all" { connection_id = 2 }`,
		Check: checkNow(func() error {
			q, err := backupsQuery(srv, 2)
			if err != nil {
				return err
			}
			want := url.Values{"page": {"1"}, "limit": {"2000"}, "types": {"archive", "full", "full & sync", "template"},
				"statuses": {"Aborted", "Completed", "Exception", "In Progress"}}
			if fmt.Sprint(q) != fmt.Sprint(want) {
				return fmt.Errorf("query = %v, want %v", q, want)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr(address, "total", knownvalue.Int64Exact(12)),
			expectAttr(address, "backups", backupsCheck(seeded)),
			expectAttr(address, "types", stringSet("full", "full & sync", "template", "archive")),
			expectAttr(address, "statuses", stringSet("In Progress", "Exception", "Completed", "Aborted")),
			expectAttr(address, "search", knownvalue.Null()),
			expectAttr(address, "include_metadata", knownvalue.Null()),
			expectAttr(address, "start_date", knownvalue.Null()),
			expectAttr(address, "end_date", knownvalue.Null()),
			// One element spelled out, not derived from the seed.
			statecheck.ExpectKnownValue(address, tfjsonpath.New("backups").AtSliceIndex(1), knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.Int64Exact(2000011), "name": knownvalue.StringExact("Templated Backup 11"), "job_id": knownvalue.Int64Exact(20000117),
				"job_status": knownvalue.StringExact("Completed"), "started_date": knownvalue.StringExact(apiDate(now.UTC().Truncate(time.Hour).Add(-270*time.Minute + 137*time.Millisecond))),
				"duration": knownvalue.StringExact("00:02:37"), "size": knownvalue.Int64Exact(2097154), "records": knownvalue.Int64Exact(2002),
				"operation_type": knownvalue.StringExact("Templated Backup"),
			})),
		},
	})
}

// Every filter is sent as the API takes it; the answer is what matches.
func TestBackupsDataSource_filters(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	srv := startDataServer(t, 3, now, nil)
	since := now.Add(-24 * time.Hour).Format(time.RFC3339)
	until := now.Add(time.Hour).Format(time.RFC3339)
	var want []testserver.Backup
	for _, b := range seedDataOf(3, now).Backups {
		if b.JobStatus == testserver.StatusCompleted && slices.Contains([]string{"full", "template"}, testserver.BackupType(b.OperationType)) &&
			!b.StartedDate.Before(now.Add(-24*time.Hour)) {
			want = append(want, b)
		}
	}
	if len(want) == 0 {
		t.Fatal("the seed has no completed full or template backup in the last day; the test needs one")
	}
	const address = "data.flosum_backups.recent"
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + fmt.Sprintf(`
data "flosum_backups" "recent" {
  connection_id    = 3
  types            = ["template", "full"]
  statuses         = ["Completed"]
  search           = "Backup"
  include_metadata = false
  start_date       = %q
  end_date         = %q
}
`, since, until),
		Check: checkNow(func() error {
			q, err := backupsQuery(srv, 3)
			if err != nil {
				return err
			}
			wantQuery := url.Values{"page": {"1"}, "limit": {"2000"}, "types": {"full", "template"}, "statuses": {"Completed"},
				"search": {"Backup"}, "isIncludeMetadata": {"false"}, "startedDate": {since}, "endDate": {until}}
			if fmt.Sprint(q) != fmt.Sprint(wantQuery) {
				return fmt.Errorf("query = %v, want %v", q, wantQuery)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr(address, "total", knownvalue.Int64Exact(int64(len(want)))),
			expectAttr(address, "backups", backupsCheck(want)),
			expectAttr(address, "types", stringSet("full", "template")),
			expectAttr(address, "statuses", stringSet("Completed")),
			expectAttr(address, "include_metadata", knownvalue.Bool(false)),
			expectAttr(address, "start_date", knownvalue.StringExact(since)),
		},
	})
}

// No match is an empty list, not null; a connection without backups too.
func TestBackupsDataSource_empty(t *testing.T) {
	t.Parallel()
	srv := startDataServer(t, 3, time.Now(), map[int64]testserver.ConnectionData{1: {Backups: []testserver.Backup{}}})
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_backups" "none" {
  connection_id = 2
  search        = "no such backup"
}
data "flosum_backups" "never" { connection_id = 1 }
`,
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_backups.none", "total", knownvalue.Int64Exact(0)),
			expectAttr("data.flosum_backups.none", "backups", knownvalue.ListExact([]knownvalue.Check{})),
			expectAttr("data.flosum_backups.never", "total", knownvalue.Int64Exact(0)),
			expectAttr("data.flosum_backups.never", "backups", knownvalue.ListExact([]knownvalue.Check{})),
		},
	})
}

// 4,500 backups take exactly three pages of 2,000; every one is in state,
// newest first.
func TestBackupsDataSource_paging(t *testing.T) {
	t.Parallel()
	now := time.Now()
	backups := testserver.SeedBackups(1, 4500, now)
	srv := startDataServer(t, 2, now, map[int64]testserver.ConnectionData{1: {Backups: backups}})
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `data "flosum_backups" "all" { connection_id = 1 }`,
		Check: checkNow(func() error {
			if err := requestsTo(srv, "/api/v1/connections/1/backups", 3); err != nil {
				return err
			}
			var pages []string
			for _, r := range srv.Requests() {
				q, _ := url.ParseQuery(r.Query)
				pages = append(pages, q.Get("page")+"/"+q.Get("limit"))
			}
			slices.Sort(pages)
			if !slices.Equal(pages, []string{"1/2000", "2/2000", "3/2000"}) {
				return fmt.Errorf("pages = %v, want 1, 2 and 3 of 2000", pages)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_backups.all", "total", knownvalue.Int64Exact(4500)),
			expectAttr("data.flosum_backups.all", "backups", backupsCheck(backups)),
		},
	})
}
