package testserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixedNow is the clock of these tests: seeded dates are relative to
// 2026-12-01T08:00Z (now truncated to the hour).
var fixedNow = time.Date(2026, 12, 1, 8, 40, 0, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

const allBackups = "&types=full&types=full+%26+sync&types=template&types=archive" +
	"&statuses=In+Progress&statuses=Exception&statuses=Completed&statuses=Aborted"

func decodeInto[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return v
}

func backupIDs(page BackupPage) []int64 {
	ids := make([]int64, len(page.Items))
	for i, b := range page.Items {
		ids[i] = b.ID
	}
	return ids
}

// ids returns 1_000_000 + each n: the ids SeedBackups gives connection 1.
func ids(ns ...int64) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = 1_000_000 + n
	}
	return out
}

func TestBackups_pagingThroughMany(t *testing.T) {
	t.Parallel()
	conns := Seed(2)
	data := SeedData(conns[0], fixedNow)
	data.Backups = SeedBackups(1, 4500, fixedNow)
	s := New(Options{Connections: conns, Now: fixedClock, Data: map[int64]ConnectionData{1: data}})

	var all []Backup
	for page, want := range []int{2000, 2000, 500, 0} {
		status, body := serve(t, s, fmt.Sprintf("%s/1/backups?page=%d&limit=2000%s", apiPrefix, page+1, allBackups), true)
		if status != http.StatusOK {
			t.Fatalf("page %d: status %d, body %s", page+1, status, body)
		}
		got := decodeInto[BackupPage](t, body)
		if got.Total != 4500 || len(got.Items) != want {
			t.Fatalf("page %d: total %d, %d items; want 4500, %d", page+1, got.Total, len(got.Items), want)
		}
		all = append(all, got.Items...)
	}
	seen := map[int64]bool{}
	for i, b := range all {
		seen[b.ID] = true
		if i > 0 {
			prev := all[i-1]
			if c := prev.StartedDate.Compare(b.StartedDate); c < 0 || (c == 0 && prev.ID > b.ID) {
				t.Fatalf("items %d and %d out of order (startedDate desc, then id asc): %+v, %+v", i-1, i, prev, b)
			}
		}
	}
	if len(seen) != 4500 {
		t.Errorf("%d distinct backups over the pages, want 4500", len(seen))
	}
	// Connection 2 still serves its seeded backups.
	_, body := serve(t, s, apiPrefix+"/2/backups?page=1&limit=2000"+allBackups, true)
	if got := decodeInto[BackupPage](t, body); got.Total != DefaultBackupsPerConnection {
		t.Errorf("connection 2: total %d, want %d", got.Total, DefaultBackupsPerConnection)
	}
}

func TestBackups_filtersAndOrder(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(3), Now: fixedClock})
	for _, tt := range []struct {
		name  string
		query string
		want  []int64
	}{
		// The 12 seeded backups, newest first; 6 and 7 start at the same
		// time, so they come by id.
		{"everything", allBackups, ids(12, 11, 10, 9, 8, 6, 7, 5, 4, 3, 2, 1)},
		{"archives that completed", "&types=archive&statuses=Completed", ids(6, 2)},
		{"full includes imports of backups", "&types=full" + allBackups[strings.Index(allBackups, "&statuses"):], ids(10, 7, 4, 1)},
		{"in progress", "&statuses=In+Progress" + allBackups[:strings.Index(allBackups, "&statuses")], ids(12)},
		{"search is a case-insensitive substring of the name", allBackups + "&search=iMPORT", ids(8, 7, 2, 1)},
		{"started within the window", allBackups + "&startedDate=2026-12-01T00:00:00.000Z&endDate=2026-12-01T07:00:00Z", ids(11)},
		{"window bounds are inclusive", allBackups + "&startedDate=2026-12-01T07:30:00Z&endDate=2026-12-01T07:30:00Z", ids(12)},
		{"date-only start", allBackups + "&startedDate=2026-12-01", ids(12, 11)},
		{"by job id ascending", allBackups + "&sortBy=jobId&order=ASC", ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)},
		// Names compare as strings: "Templated Backup 5" > "Templated Backup 11".
		{"by name descending", allBackups + "&sortBy=name&order=DESC&search=templated", ids(5, 11, 6, 12)},
		{"oldest first", allBackups + "&order=ASC", ids(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)},
		{"isIncludeMetadata changes nothing", allBackups + "&isIncludeMetadata=false", ids(12, 11, 10, 9, 8, 6, 7, 5, 4, 3, 2, 1)},
		{"no match", allBackups + "&search=nothing", []int64{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := serve(t, s, apiPrefix+"/1/backups?page=1&limit=50"+tt.query, true)
			if status != http.StatusOK {
				t.Fatalf("status %d, body %s", status, body)
			}
			page := decodeInto[BackupPage](t, body)
			if got := backupIDs(page); page.Total != len(tt.want) || !slices.Equal(got, tt.want) {
				t.Errorf("total %d, ids %v; want %d, %v", page.Total, got, len(tt.want), tt.want)
			}
		})
	}
}

func TestBackups_wireFormat(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(1), Now: fixedClock})
	_, body := serve(t, s, apiPrefix+"/1/backups?page=1&limit=2&types=template&statuses=Completed&statuses=Exception", true)
	want := `{"total": 2, "items": [
		{"id": 1000011, "name": "Templated Backup 11", "jobId": 10000117, "jobStatus": "Completed",
		 "startedDate": "2026-12-01T03:30:00.137Z", "duration": "00:02:37", "size": 2097153, "records": 2001,
		 "operationType": "Templated Backup"},
		{"id": 1000005, "name": "Templated Backup 5", "jobId": 10000057, "jobStatus": "Exception",
		 "startedDate": "2026-11-30T03:30:00.959Z", "duration": "00:12:19", "size": 8388609, "records": 8001,
		 "operationType": "Templated Backup"}]}`
	if !jsonEqual(t, body, want) {
		t.Errorf("body %s, want %s", body, want)
	}
}

func TestConnectionData_validation(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(2), Now: fixedClock})
	typesMsgs := []string{
		"each value in types must be one of the following values: full, full & sync, template, archive",
		"types must be an array",
	}
	statusesMsgs := []string{
		"each value in statuses must be one of the following values: In Progress, Exception, Completed, Aborted",
		"statuses must be an array",
	}
	for _, tt := range []struct {
		name   string
		target string
		want   []string
	}{
		{"backups without types and statuses", "/1/backups?page=1&limit=10", append(slices.Clone(typesMsgs), statusesMsgs...)},
		{"backups without statuses", "/1/backups?page=1&limit=10&types=full", statusesMsgs},
		{"backups with an unknown type", "/1/backups?page=1&limit=10&types=full&types=weekly&statuses=Completed", typesMsgs[:1]},
		{"backups with a lower-case status", "/1/backups?page=1&limit=10&types=full&statuses=completed", statusesMsgs[:1]},
		{
			"backups with every optional parameter wrong",
			"/1/backups?page=0&limit=2001" + allBackups + "&search=" + strings.Repeat("x", 81) +
				"&isIncludeMetadata=yes&startedDate=yesterday&endDate=2026-13-01&sortBy=size&order=up",
			[]string{
				"page must not be less than 1", "limit must not be greater than 2000",
				"search must be shorter than or equal to 80 characters",
				"isIncludeMetadata must be a boolean value",
				"startedDate must be a valid ISO 8601 date string", "endDate must be a valid ISO 8601 date string",
				"sortBy must be one of the following values: jobId, name, startedDate",
				"order must be one of the following values: ASC, DESC",
			},
		},
		{"backups without page and limit", "/1/backups?" + allBackups[1:], []string{
			"page must not be less than 1", "page must be a number conforming to the specified constraints",
			"limit must not be less than 1", "limit must not be greater than 2000", "limit must be a number conforming to the specified constraints",
		}},
		{"templates without types", "/1/templates?page=1&limit=10", []string{
			"each value in types must be one of the following values: backup, archive", "types must be an array",
		}},
		{"templates with a wrong sort", "/1/templates?page=1&limit=10&types=backup&sortBy=id&order=desc", []string{
			"sortBy must be one of the following values: name, updatedAt", "order must be one of the following values: ASC, DESC",
		}},
		{"schedulers with a non-numeric template id", "/1/schedulers?templateId=abc", []string{"templateId must be a number conforming to the specified constraints"}},
		{"non-numeric connection id", "/abc/settings", []string{"Validation failed (numeric string is expected)"}},
		{"non-numeric template id", "/1/templates/backup/abc", []string{"Validation failed (numeric string is expected)"}},
		{"non-numeric scheduler id", "/1/schedulers/backup/1.5", []string{"Validation failed (numeric string is expected)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := serve(t, s, apiPrefix+tt.target, true)
			if status != http.StatusBadRequest || !jsonEqual(t, body, badRequest(tt.want...)) {
				t.Errorf("status %d, body %s; want 400, %s", status, body, badRequest(tt.want...))
			}
		})
	}
}

func TestConnectionData_notFoundConflictAndAuth(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(3), Now: fixedClock})
	notFound := func(message string) string {
		return `{"message": "` + message + `", "error": "Not Found", "statusCode": 404}`
	}
	for _, tt := range []struct {
		target string
		noAuth bool
		status int
		body   string
	}{
		{"/99/settings", false, 404, notFound("Connection with id 99 not found")},
		{"/99/backups?page=1&limit=10" + allBackups, false, 404, notFound("Connection with id 99 not found")},
		{"/99/templates?page=1&limit=10&types=backup", false, 404, notFound("Connection with id 99 not found")},
		{"/99/templates/backup/99001", false, 404, notFound("Connection with id 99 not found")},
		{"/99/schedulers", false, 404, notFound("Connection with id 99 not found")},
		{"/99/schedulers/backup/99011", false, 404, notFound("Connection with id 99 not found")},
		{"/2/templates/backup/1001", false, 404, notFound("Backup template with id 1001 not found for connection 2")},
		{"/2/templates/backup/2003", false, 404, notFound("Backup template with id 2003 not found for connection 2")},
		{"/2/schedulers/backup/1011", false, 404, notFound("Scheduler with id 1011 not found for connection 2")},
		{"/2/schedulers/backup/2016", false, 409, `{"message": "Scheduler with id 2016 isn't accessible", "error": "Conflict", "statusCode": 409}`},
		{"/2/jobs", false, 404, notFound("Cannot GET /api/v1/connections/2/jobs")},
		{"/2/settings", true, 401, `{"message": "Unauthorized", "statusCode": 401}`},
		{"/2/schedulers/backup/2016", true, 401, `{"message": "Unauthorized", "statusCode": 401}`},
	} {
		status, body := serve(t, s, apiPrefix+tt.target, !tt.noAuth)
		if status != tt.status || !jsonEqual(t, body, tt.body) {
			t.Errorf("GET %s: status %d, body %s; want %d, %s", tt.target, status, body, tt.status, tt.body)
		}
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	conns := Seed(3)
	s := New(Options{Connections: conns, Now: fixedClock})
	c := conns[2]
	_, body := serve(t, s, apiPrefix+"/3/settings", true)
	want := `{"apiQuota": {"rest": 53, "bulk": 33}, "scheduler": {"isBackupsDisabled": false, "isArchivesDisabled": true},
		"initialBinaryRecordsLimit": 4000,
		"info": {"id": 3, "name": "` + c.Name + `", "userName": "` + c.UserName + `", "salesforceOrgId": "` + c.SalesforceOrgID + `", "salesforceOrgType": "SANDBOX"}}`
	if !jsonEqual(t, body, want) {
		t.Errorf("body %s, want %s", body, want)
	}
}

func TestTemplates(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(2), Now: fixedClock})
	for _, tt := range []struct {
		name  string
		query string
		want  string
	}{
		{"most recently updated first", "&types=backup&types=archive", `{"total": 3, "backupTemplatesCount": 2, "archiveTemplatesCount": 1, "items": [
			{"id": 2002, "name": "Custom objects", "type": "backup", "updatedAt": "2026-12-01T06:00:00Z"},
			{"id": 2001, "name": "Accounts and contacts", "type": "backup", "updatedAt": "2026-11-28T08:00:00.25Z"},
			{"id": 2003, "name": "Old cases", "type": "archive", "updatedAt": "2026-11-21T08:00:00Z"}]}`},
		{"counts ignore the types filter", "&types=archive", `{"total": 1, "backupTemplatesCount": 2, "archiveTemplatesCount": 1, "items": [
			{"id": 2003, "name": "Old cases", "type": "archive", "updatedAt": "2026-11-21T08:00:00Z"}]}`},
		{"counts follow search", "&types=backup&search=CASES", `{"total": 0, "backupTemplatesCount": 0, "archiveTemplatesCount": 1, "items": []}`},
		{"by name, second page", "&types=backup&types=archive&sortBy=name&order=ASC&limit=2&page=2", `{"total": 3, "backupTemplatesCount": 2, "archiveTemplatesCount": 1, "items": [
			{"id": 2003, "name": "Old cases", "type": "archive", "updatedAt": "2026-11-21T08:00:00Z"}]}`},
	} {
		target := apiPrefix + "/2/templates?" + strings.TrimPrefix(tt.query, "&")
		if !strings.Contains(target, "limit=") {
			target += "&page=1&limit=10"
		}
		status, body := serve(t, s, target, true)
		if status != http.StatusOK || !jsonEqual(t, body, tt.want) {
			t.Errorf("%s: status %d, body %s; want 200, %s", tt.name, status, body, tt.want)
		}
	}

	// A read by id: optional fields left out stay out.
	_, body := serve(t, s, apiPrefix+"/2/templates/backup/2002", true)
	if want := `{"id": 2002, "name": "Custom objects", "type": "backup", "roots": [[{"id": 5, "level": 0, "objectApiName": "Invoice__c", "label": "Invoice"}]]}`; !jsonEqual(t, body, want) {
		t.Errorf("template 2002: %s, want %s", body, want)
	}
	_, body = serve(t, s, apiPrefix+"/2/templates/backup/2001", true)
	want, _ := json.Marshal(SeedTemplates(2, fixedNow)[0].Detail())
	if !jsonEqual(t, body, string(want)) {
		t.Errorf("template 2001: %s, want %s", body, want)
	}
	got := decodeInto[TemplateDetail](t, body)
	if len(got.Roots) != 2 || len(got.Roots[0]) != 3 || *got.Roots[0][2].ParentID != 2 || got.Roots[0][2].FilterMode != nil || len(got.Roots[0][0].DeclarativeFilter) != 2 {
		t.Errorf("template 2001 roots: %s", body)
	}
}

func TestSchedulers(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(2), Now: fixedClock})
	_, body := serve(t, s, apiPrefix+"/2/schedulers", true)
	list := decodeInto[[]SchedulerListItem](t, body)
	var gotIDs []int64
	frequencies := map[string]bool{}
	for _, item := range list {
		gotIDs = append(gotIDs, item.ID)
		frequencies[item.Configuration.Frequency] = true
	}
	if want := []int64{2015, 2012, 2011, 2014, 2016, 2013}; !slices.Equal(gotIDs, want) {
		t.Errorf("list ids %v, want %v (by name)", gotIDs, want)
	}
	if len(frequencies) != 4 {
		t.Errorf("frequencies %v, want all four", frequencies)
	}
	if strings.Contains(string(body), "jobSettings") || strings.Contains(string(body), "connectionId") || strings.Contains(string(body), "description") {
		t.Errorf("list shows fields of the read by id: %s", body)
	}
	_, body = serve(t, s, apiPrefix+"/2/schedulers?templateId=2001", true)
	if list := decodeInto[[]SchedulerListItem](t, body); len(list) != 1 || list[0].ID != 2012 {
		t.Errorf("templateId=2001: %s, want scheduler 2012 only", body)
	}
	_, body = serve(t, s, apiPrefix+"/2/schedulers?templateId=42", true)
	if string(body) != "[]" {
		t.Errorf("templateId=42: %s, want []", body)
	}

	_, body = serve(t, s, apiPrefix+"/2/schedulers/backup/2014", true)
	want := `{"id": 2014, "connectionId": 2, "name": "Monthly custom objects", "type": "templated backup", "timezone": "UTC",
		"isDefault": false, "description": "On the 15th", "templateId": 2002, "templateName": "Custom objects",
		"configuration": {"frequency": "monthly", "repeatEvery": 1, "runAt": "04:00", "repeatOn": {"type": "monthly", "dayOfMonth": 15}},
		"jobSettings": {"isIncludeMetadata": true, "isIncludeBinaryObjects": false, "isIncludeBigObjects": false,
			"isIncludeFeedObjects": true, "isIncludeShareObjects": true, "isIncludeHistoryObjects": false,
			"isIncludeCustomMetadataTypeObjects": true, "isIncludeTagObjects": false, "templateId": 2002}}`
	if !jsonEqual(t, body, want) {
		t.Errorf("scheduler 2014: %s, want %s", body, want)
	}
}

// Options.Data replaces a connection's data as is: here nothing at all, and
// a scheduler that names another connection.
func TestConnectionData_override(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(2), Now: fixedClock, Data: map[int64]ConnectionData{
		1: {},
		2: {Schedulers: []Scheduler{{ConnectionID: 1, SchedulerListItem: SchedulerListItem{ID: 5, Name: "n", Type: "full backup", Timezone: "UTC",
			Configuration: SchedulerConfiguration{Frequency: FrequencyDaily, RepeatEvery: 1, RunAt: "01:00"}}}}},
	}})
	for target, want := range map[string]string{
		"/1/backups?page=1&limit=10" + allBackups:   `{"total": 0, "items": []}`,
		"/1/templates?page=1&limit=10&types=backup": `{"total": 0, "items": [], "backupTemplatesCount": 0, "archiveTemplatesCount": 0}`,
		"/1/schedulers":          `[]`,
		"/2/schedulers/backup/5": `{"id": 5, "connectionId": 1, "name": "n", "type": "full backup", "timezone": "UTC", "isDefault": false, "description": "", "configuration": {"frequency": "daily", "repeatEvery": 1, "runAt": "01:00"}}`,
		"/2/backups?page=1&limit=10&types=full&statuses=Completed": `{"total": 0, "items": []}`,
	} {
		if status, body := serve(t, s, apiPrefix+target, true); status != http.StatusOK || !jsonEqual(t, body, want) {
			t.Errorf("GET %s: status %d, body %s; want 200, %s", target, status, body, want)
		}
	}
}

// Seeded dates follow the clock: every connection had a Completed backup in
// the 24 hours before now, whatever now is.
func TestSeedBackups_relativeToNow(t *testing.T) {
	t.Parallel()
	for _, now := range []time.Time{fixedNow, fixedNow.Add(1000 * time.Hour), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} {
		for _, id := range []int64{1, 7, 4500} {
			var newest time.Time
			for _, b := range SeedBackups(id, DefaultBackupsPerConnection, now) {
				if b.JobStatus == StatusCompleted && b.StartedDate.After(newest) {
					newest = b.StartedDate
				}
			}
			if age := now.Sub(newest); age <= 0 || age > 24*time.Hour {
				t.Errorf("connection %d at %s: newest Completed backup %s old", id, now, age)
			}
		}
	}
	statuses, types := map[string]bool{}, map[string]bool{}
	for _, b := range SeedBackups(1, DefaultBackupsPerConnection, fixedNow) {
		statuses[b.JobStatus], types[b.OperationType] = true, true
	}
	if len(statuses) != len(JobStatuses) || len(types) != len(OperationTypes) {
		t.Errorf("seeded statuses %v and operation types %v, want every one", statuses, types)
	}
}

func TestConnectionData_faults(t *testing.T) {
	t.Parallel()
	s := New(Options{Connections: Seed(2), Now: fixedClock})
	s.AddFault(Fault{PathPrefix: apiPrefix + "/1/backups", Query: "page=2&", Status: http.StatusServiceUnavailable, Body: `{"message":"busy","statusCode":503}`, Times: 1})
	s.AddFault(Fault{PathPrefix: apiPrefix + "/2/schedulers/backup/", Status: http.StatusTooManyRequests, RetryAfter: "3", Body: `{}`})
	for _, tt := range []struct {
		target string
		status int
	}{
		{"/1/backups?page=2&limit=5" + allBackups, http.StatusServiceUnavailable},
		{"/1/backups?page=2&limit=5" + allBackups, http.StatusOK},
		{"/1/backups?page=1&limit=5" + allBackups, http.StatusOK},
		{"/2/schedulers/backup/2011", http.StatusTooManyRequests},
		{"/2/schedulers", http.StatusOK},
	} {
		if status, body := serve(t, s, apiPrefix+tt.target, true); status != tt.status {
			t.Errorf("GET %s: status %d (%s), want %d", tt.target, status, body, tt.status)
		}
	}
	if got := s.CountRequests(apiPrefix + "/1/backups"); got != 3 {
		t.Errorf("%d backups requests recorded, want 3", got)
	}
	if r := s.Requests()[3]; r.Path != apiPrefix+"/2/schedulers/backup/2011" || r.Authorization != "Bearer "+DefaultToken {
		t.Errorf("fourth request recorded as %+v", r)
	}
}
