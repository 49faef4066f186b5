package provider

import (
	"net/http"
	"strings"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// The API's errors for the reads below a connection, each reported with
// what was asked and what to do.
func TestConnectionData_apiErrors(t *testing.T) {
	t.Parallel()
	fault := func(f testserver.Fault) func(*testserver.Server) {
		return func(srv *testserver.Server) { srv.AddFault(f) }
	}
	notFound := []string{"Connection Not Found", "No Flosum connection has id 9", "flosum_connections"}
	errorCases(t, map[string]errorCase{
		"settings of no connection": {config: `data "flosum_connection_settings" "x" { connection_id = 9 }`, want: notFound, requests: 1},
		"backups of no connection":  {config: `data "flosum_backups" "x" { connection_id = 9 }`, want: notFound, requests: 1},
		"templates of no connection": {
			config: `data "flosum_backup_templates" "x" { connection_id = 9 }`, want: notFound, requests: 1,
		},
		"schedulers of no connection": {
			config: `data "flosum_backup_schedulers" "x" { connection_id = 9 }`, want: notFound, requests: 1,
		},
		"no such template": {
			config: `data "flosum_backup_template" "x" {
  connection_id = 1
  id            = 1004
}`,
			want: []string{"Backup Template Not Found", "no backup template with id 1004 for the connection with id 1",
				"(the API said: Backup template with id 1004 not found for connection 1)", "flosum_backup_templates"},
			requests: 1,
		},
		// Archive templates are not served by the backup template path.
		"an archive template": {
			config: `data "flosum_backup_template" "x" {
  connection_id = 2
  id            = 2003
}`,
			want: []string{"Backup Template Not Found", "id 2003 for the connection with id 2", "archive templates cannot be read by id"}, requests: 1,
		},
		"template of no connection": {
			config: `data "flosum_backup_template" "x" {
  connection_id = 9
  id            = 9001
}`,
			want: []string{"Backup Template Not Found", "id 9001 for the connection with id 9", "(the API said: Connection with id 9 not found)"}, requests: 1,
		},
		"no such scheduler": {
			config: `data "flosum_backup_scheduler" "x" {
  connection_id = 1
  id            = 2011
}`,
			want: []string{"Backup Scheduler Not Found", "no scheduler with id 2011 for the connection with id 1",
				"(the API said: Scheduler with id 2011 not found for connection 1)", "flosum_backup_schedulers"},
			requests: 1,
		},
		"an inaccessible scheduler": {
			config: `data "flosum_backup_scheduler" "x" {
  connection_id = 3
  id            = 3016
}`,
			want: []string{"Backup Scheduler Not Accessible", "the scheduler with id 3016 of the connection with id 3", "(HTTP 409)",
				"(the API said: Scheduler with id 3016 isn't accessible)", "flosum_backup_schedulers data source still lists it"},
			requests: 1,
		},
		"400 lists every message": {
			setup: fault(testserver.Fault{PathPrefix: "/api/v1/connections/1/backups", Status: http.StatusBadRequest,
				Body: `{"error":"Bad Request","message":["startedDate must be a valid ISO 8601 date string","endDate must be a valid ISO 8601 date string"],"statusCode":400}`}),
			config: `data "flosum_backups" "x" { connection_id = 1 }`,
			want: []string{"Flosum API Rejected The Request", "the backups of the connection with id 1", "HTTP 400",
				"- startedDate must be a valid ISO 8601 date string", "- endDate must be a valid ISO 8601 date string", "Correct the arguments"},
			requests: 1,
		},
		"401": {
			setup: fault(testserver.Fault{PathPrefix: "/api/v1/connections/2/settings", Status: http.StatusUnauthorized,
				Body: `{"message":"Unauthorized","statusCode":401}`}),
			config: `data "flosum_connection_settings" "x" { connection_id = 2 }`,
			want:   []string{"Invalid Flosum Access Token", "HTTP 401", "the settings of the connection with id 2", "invalid or expired"}, requests: 1,
		},
		"403": {
			setup: fault(testserver.Fault{PathPrefix: "/api/v1/connections/2/templates", Status: http.StatusForbidden,
				Body: `{"message":"Forbidden resource","error":"Forbidden","statusCode":403}`}),
			config: `data "flosum_backup_templates" "x" { connection_id = 2 }`,
			want:   []string{"Flosum Access Denied", "HTTP 403", "the templates of the connection with id 2", "the API said: Forbidden resource"}, requests: 1,
		},
		// An answer about another connection is refused, never stored.
		"a scheduler of another connection": {
			setup: fault(testserver.Fault{PathPrefix: "/api/v1/connections/2/schedulers/backup/2011", Status: http.StatusOK,
				Body: `{"id":2011,"name":"x","type":"full backup","timezone":"UTC","isDefault":true,"configuration":{"frequency":"daily","repeatEvery":1,"runAt":"01:00"},"connectionId":3,"description":""}`}),
			config: `data "flosum_backup_scheduler" "x" {
  connection_id = 2
  id            = 2011
}`,
			want:     []string{"Unexpected Flosum API Response", "the scheduler with id 2011 of the connection with id 2", "its connectionId is 3, where 2 was expected", "Nothing was stored"},
			requests: 1,
		},
	})
}

// Arguments are checked at plan time: nothing is sent.
func TestConnectionData_planTimeValidation(t *testing.T) {
	t.Parallel()
	atLeast1 := func(name string) []string { return []string{"Invalid Attribute Value", name, "must be at least 1"} }
	errorCases(t, map[string]errorCase{
		"settings: connection_id 0":  {config: `data "flosum_connection_settings" "x" { connection_id = 0 }`, want: atLeast1("connection_id")},
		"settings: no connection_id": {config: `data "flosum_connection_settings" "x" {}`, want: []string{"Missing required argument", "connection_id"}},
		"backups: connection_id -1":  {config: `data "flosum_backups" "x" { connection_id = -1 }`, want: atLeast1("connection_id")},
		"backups: an unknown type": {
			config: `data "flosum_backups" "x" {
  connection_id = 1
  types         = ["full", "weekly"]
}`,
			want: []string{"Invalid Attribute Value Match", "types", `value must be one of: ["full" "full & sync" "template" "archive"], got: "weekly"`},
		},
		"backups: no types": {
			config: `data "flosum_backups" "x" {
  connection_id = 1
  types         = []
}`,
			want: []string{"Invalid Attribute Value", "types set must contain at least 1 elements, got: 0"},
		},
		"backups: an unknown status": {
			config: `data "flosum_backups" "x" {
  connection_id = 1
  statuses      = ["completed"]
}`,
			want: []string{"Invalid Attribute Value Match", "statuses", `got: "completed"`},
		},
		"backups: an empty search": {
			config: `data "flosum_backups" "x" {
  connection_id = 1
  search        = ""
}`,
			want: []string{"Invalid Attribute Value Length", "search", "between 1 and 80"},
		},
		"backups: a long search": {
			config: `data "flosum_backups" "x" {
  connection_id = 1
  search        = "` + strings.Repeat("é", 81) + `"
}`,
			want: []string{"Invalid Attribute Value Length", "search", "between 1 and 80"},
		},
		"backups: a date without a time": {
			config: `data "flosum_backups" "x" {
  connection_id = 1
  start_date    = "2026-05-20"
}`,
			want: []string{"Invalid Date", "start_date", `"2026-05-20" is not an RFC 3339 date and time`},
		},
		"backups: a word for a date": {
			config: `data "flosum_backups" "x" {
  connection_id = 1
  end_date      = "yesterday"
}`,
			want: []string{"Invalid Date", "end_date", `"yesterday" is not an RFC 3339 date and time`},
		},
		"templates: an unknown type": {
			config: `data "flosum_backup_templates" "x" {
  connection_id = 1
  types         = ["full"]
}`,
			want: []string{"Invalid Attribute Value Match", "types", `value must be one of: ["backup" "archive"], got: "full"`},
		},
		"templates: a long search": {
			config: `data "flosum_backup_templates" "x" {
  connection_id = 1
  search        = "` + strings.Repeat("x", 81) + `"
}`,
			want: []string{"Invalid Attribute Value Length", "search", "between 1 and 80"},
		},
		"template: id 0": {
			config: `data "flosum_backup_template" "x" {
  connection_id = 1
  id            = 0
}`,
			want: atLeast1("id"),
		},
		"template: no id": {config: `data "flosum_backup_template" "x" { connection_id = 1 }`, want: []string{"Missing required argument", `"id" is required`}},
		"schedulers: template_id 0": {
			config: `data "flosum_backup_schedulers" "x" {
  connection_id = 1
  template_id   = 0
}`,
			want: atLeast1("template_id"),
		},
		"scheduler: connection_id 0": {
			config: `data "flosum_backup_scheduler" "x" {
  connection_id = 0
  id            = 1011
}`,
			want: atLeast1("connection_id"),
		},
		"scheduler: id -5": {
			config: `data "flosum_backup_scheduler" "x" {
  connection_id = 1
  id            = -5
}`,
			want: atLeast1("id"),
		},
	})
}
