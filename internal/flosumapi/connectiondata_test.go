package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// dataNow is the clock of the servers of these tests: seeded dates are
// relative to it.
var dataNow = time.Date(2026, 5, 20, 9, 41, 0, 0, time.UTC)

// startDataServer runs a test server of n seeded connections whose seeded
// dates are relative to dataNow, with data replacing what is seeded below
// some connections.
func startDataServer(t *testing.T, n int, data map[int64]testserver.ConnectionData) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{
		Token: secretToken, Connections: testserver.Seed(n), Data: data,
		Now: func() time.Time { return dataNow },
	})
}

// seedData is what the server serves below seeded connection id.
func seedData(id int64) testserver.ConnectionData {
	return testserver.SeedData(testserver.Seed(int(id))[id-1], dataNow)
}

func wantBackup(b testserver.Backup) Backup {
	return Backup{
		ID: b.ID, Name: b.Name, JobID: b.JobID, JobStatus: b.JobStatus,
		StartedDate: b.StartedDate.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano),
		Duration:    b.Duration, Size: b.Size, Records: b.Records, OperationType: b.OperationType,
	}
}

func wantRoot(r testserver.Root) TemplateRoot {
	root := TemplateRoot{
		ID: r.ID, Level: r.Level, ParentID: r.ParentID, ObjectAPIName: r.ObjectAPIName, Label: r.Label,
		RelationshipName: r.RelationshipName, FilterMode: r.FilterMode, SOQLFilter: r.SOQLFilter,
		CustomLogic: r.CustomLogic, SkipRemove: r.SkipRemove,
	}
	if r.DeclarativeFilter != nil {
		lines := []DeclarativeFilterLine{}
		for _, l := range r.DeclarativeFilter {
			lines = append(lines, DeclarativeFilterLine{Field: l.Field, Label: l.Label, Option: l.Option, Value: l.Value})
		}
		root.DeclarativeFilter = &lines
	}
	return root
}

func wantTemplate(tmpl testserver.Template) BackupTemplate {
	out := BackupTemplate{ID: tmpl.ID, Name: tmpl.Name, Type: tmpl.Type, Description: tmpl.Description, Roots: [][]TemplateRoot{}}
	for _, group := range tmpl.Roots {
		roots := []TemplateRoot{}
		for _, r := range group {
			roots = append(roots, wantRoot(r))
		}
		out.Roots = append(out.Roots, roots)
	}
	return out
}

func wantSchedulerSummary(s testserver.SchedulerListItem) SchedulerSummary {
	out := SchedulerSummary{
		ID: s.ID, Name: s.Name, Type: s.Type, Timezone: s.Timezone, IsDefault: s.IsDefault,
		TemplateID: s.TemplateID, TemplateName: s.TemplateName,
		Configuration: SchedulerConfiguration{Frequency: s.Configuration.Frequency, RepeatEvery: s.Configuration.RepeatEvery, RunAt: s.Configuration.RunAt},
	}
	if on := s.Configuration.RepeatOn; on != nil {
		out.Configuration.RepeatOn = &RepeatOn{Type: on.Type, DayOfMonth: on.DayOfMonth}
		if on.DaysOfWeek != nil {
			days := slices.Clone(on.DaysOfWeek)
			out.Configuration.RepeatOn.DaysOfWeek = &days
		}
		if w := on.WeekDayOfMonth; w != nil {
			out.Configuration.RepeatOn.WeekDayOfMonth = &WeekDayOfMonth{FirstOrLast: w.FirstOrLast, WeekDay: w.WeekDay}
		}
	}
	return out
}

func wantScheduler(s testserver.Scheduler) Scheduler {
	out := Scheduler{SchedulerSummary: wantSchedulerSummary(s.SchedulerListItem), SchedulerDetail: SchedulerDetail{ConnectionID: s.ConnectionID, Description: s.Description}}
	if j := s.JobSettings; j != nil {
		out.JobSettings = &JobSettings{
			IsIncludeMetadata: j.IsIncludeMetadata, IsIncludeBinaryObjects: j.IsIncludeBinaryObjects, IsIncludeBigObjects: j.IsIncludeBigObjects,
			IsIncludeFeedObjects: j.IsIncludeFeedObjects, IsIncludeShareObjects: j.IsIncludeShareObjects, IsIncludeHistoryObjects: j.IsIncludeHistoryObjects,
			IsIncludeCustomMetadataTypeObjects: j.IsIncludeCustomMetadataTypeObjects, IsIncludeTagObjects: j.IsIncludeTagObjects, TemplateID: j.TemplateID,
		}
	}
	return out
}

func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// assertUnexpected checks that err is an *UnexpectedAnswerError about field.
func assertUnexpected(t *testing.T, err error, field, want, got string) {
	t.Helper()
	var unexpected *UnexpectedAnswerError
	if !errors.As(err, &unexpected) {
		t.Fatalf("error = %v, want an *UnexpectedAnswerError", err)
	}
	if unexpected.Field != field || unexpected.Want != want || unexpected.Got != got {
		t.Errorf("error = %+v, want field %q, want %q, got %q", unexpected, field, want, got)
	}
}

func TestGetConnectionSettings(t *testing.T) {
	srv := startDataServer(t, 30, nil)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	// Connection 22's switches are set the other way round from 3's, so a
	// mix-up shows.
	for _, id := range []int64{3, 22} {
		got, err := client.GetConnectionSettings(ctx, id)
		if err != nil {
			t.Fatalf("GetConnectionSettings(%d): %v", id, err)
		}
		s := testserver.SeedSettings(id)
		assertEqual(t, "settings", *got, ConnectionSettings{
			APIQuota: APIQuota{Rest: s.APIQuota.Rest, Bulk: s.APIQuota.Bulk}, Info: ConnectionInfo{ID: id},
			Scheduler:                 SchedulerRunCapability{IsBackupsDisabled: s.Scheduler.IsBackupsDisabled, IsArchivesDisabled: s.Scheduler.IsArchivesDisabled},
			InitialBinaryRecordsLimit: s.InitialBinaryRecordsLimit,
		})
	}
	if _, err := client.GetConnectionSettings(ctx, 3); err != nil {
		t.Fatal(err)
	}
	assertRequests(t, srv, "/api/v1/connections/3/settings", 1) // shared with the first read

	_, err := client.GetConnectionSettings(ctx, 31)
	if !IsNotFound(err) {
		t.Fatalf("unknown connection: %v, want not found", err)
	}
	assertContains(t, mustErr(t, err), "GET /api/v1/connections/31/settings: HTTP 404 Not Found: Connection with id 31 not found")

	// Settings of another connection are refused.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/4/settings", Status: http.StatusOK,
		Body: `{"apiQuota":{"rest":80,"bulk":80},"info":{"id":5},"scheduler":{"isBackupsDisabled":false,"isArchivesDisabled":false},"initialBinaryRecordsLimit":1000}`})
	_, err = client.GetConnectionSettings(ctx, 4)
	assertUnexpected(t, err, "info.id", "4", "5")

	// A missing nested field is named by its path.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/6/settings", Status: http.StatusOK,
		Body: `{"apiQuota":{"rest":80},"info":{"id":6},"scheduler":{"isBackupsDisabled":false,"isArchivesDisabled":false},"initialBinaryRecordsLimit":1000}`})
	_, err = client.GetConnectionSettings(ctx, 6)
	assertContains(t, mustErr(t, err), "field apiQuota.bulk in the answer is missing (required)")
}

// 4,500 backups take three pages of 2,000; they come back newest first,
// ties by id descending, each once.
func TestListBackups_paging(t *testing.T) {
	backups := testserver.SeedBackups(2, 4500, dataNow)
	srv := startDataServer(t, 3, map[int64]testserver.ConnectionData{2: {Backups: backups}})
	client, _ := clientFor(t, srv)
	got, err := client.ListBackups(context.Background(), 2, BackupFilter{Types: BackupTypes, Statuses: JobStatuses})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]Backup, len(backups))
	for i, b := range backups {
		want[i] = wantBackup(b)
	}
	// SeedBackups is newest first with ties in id ascending order; the
	// client breaks ties by id descending.
	slices.SortStableFunc(want, func(a, b Backup) int {
		ta, _ := time.Parse(time.RFC3339, a.StartedDate)
		tb, _ := time.Parse(time.RFC3339, b.StartedDate)
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	if len(got) != 4500 {
		t.Fatalf("got %d backups, want 4500", len(got))
	}
	assertEqual(t, "first backups", got[:8], want[:8])
	assertEqual(t, "backups", got, want)
	if got[5].StartedDate != got[6].StartedDate || got[5].ID < got[6].ID {
		t.Errorf("backups 5 and 6 should tie on started date, higher id first: %+v, %+v", got[5], got[6])
	}
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	var pages []string
	for _, r := range reqs {
		q, _ := url.ParseQuery(r.Query)
		pages = append(pages, q.Get("page"))
		if q.Get("limit") != "2000" || !slices.Equal(q["types"], []string{"archive", "full", "full & sync", "template"}) ||
			!slices.Equal(q["statuses"], []string{"Aborted", "Completed", "Exception", "In Progress"}) {
			t.Errorf("query %q", r.Query)
		}
	}
	slices.Sort(pages)
	assertEqual(t, "pages", pages, []string{"1", "2", "3"})
}

func TestListBackups_filters(t *testing.T) {
	srv := startDataServer(t, 3, nil)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	seeded := seedData(1).Backups

	yes := true
	completed := BackupFilter{Types: BackupTypes, Statuses: []string{"Completed"}, IncludeMetadata: &yes,
		StartedDate: dataNow.Add(-25 * time.Hour).Format(time.RFC3339), EndDate: dataNow.Format(time.RFC3339)}
	got, err := client.ListBackups(ctx, 1, completed)
	if err != nil {
		t.Fatal(err)
	}
	var want []Backup
	for _, b := range seeded {
		if b.JobStatus == "Completed" && b.StartedDate.After(dataNow.Add(-25*time.Hour)) {
			want = append(want, wantBackup(b))
		}
	}
	if len(want) < 2 {
		t.Fatalf("the seed has %d completed backups in the last 25 hours; the test needs more", len(want))
	}
	assertEqual(t, "completed backups of the last 25 hours", got, want)
	q, _ := url.ParseQuery(srv.Requests()[0].Query)
	assertEqual(t, "query", q, url.Values{
		"page": {"1"}, "limit": {"2000"}, "types": {"archive", "full", "full & sync", "template"}, "statuses": {"Completed"},
		"isIncludeMetadata": {"true"}, "startedDate": {completed.StartedDate}, "endDate": {completed.EndDate},
	})

	none, err := client.ListBackups(ctx, 1, BackupFilter{Types: BackupTypes, Statuses: JobStatuses, Search: "no such backup"})
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("no match = %v, %v; want an empty list", none, err)
	}

	// The API's 400 and 404 are APIErrors with every message.
	_, err = client.ListBackups(ctx, 1, BackupFilter{Types: BackupTypes, Statuses: JobStatuses, StartedDate: "yesterday", EndDate: "today"})
	if !IsBadRequest(err) {
		t.Fatalf("bad dates: %v, want a bad request", err)
	}
	assertContains(t, err.Error(), "startedDate must be a valid ISO 8601 date string; endDate must be a valid ISO 8601 date string")
	if _, err := client.ListBackups(ctx, 9, BackupFilter{Types: BackupTypes, Statuses: JobStatuses}); !IsNotFound(err) {
		t.Fatalf("unknown connection: %v, want not found", err)
	}

	// A backup of a status not asked for is refused.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2/backups", Status: http.StatusOK,
		Body: fmt.Sprintf(`{"total":1,"items":[%s]}`, jsonOf(t, seeded[0]))})
	_, err = client.ListBackups(ctx, 2, BackupFilter{Types: BackupTypes, Statuses: []string{"Completed"}})
	assertUnexpected(t, err, fmt.Sprintf("jobStatus of backup %d", seeded[0].ID), `one of ["Completed"]`, `"In Progress"`)

	// A status the document does not list is passed through, as is.
	queued := seeded[1]
	queued.JobStatus = "Queued"
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/1/backups", Status: http.StatusOK,
		Body: fmt.Sprintf(`{"total":1,"items":[%s]}`, jsonOf(t, queued))})
	got, err = client.ListBackups(ctx, 1, BackupFilter{Types: BackupTypes, Statuses: []string{"Completed"}})
	if err != nil || len(got) != 1 || got[0].JobStatus != "Queued" {
		t.Errorf("a new status = %+v, %v; want it passed through", got, err)
	}

	// A started date that is not RFC 3339 is refused.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/3/backups", Status: http.StatusOK,
		Body: `{"total":1,"items":[{"id":1,"name":"x","jobId":2,"jobStatus":"Completed","startedDate":"20 May 2026","duration":"00:01:00","size":1,"records":1,"operationType":"Composite Backup"}]}`})
	_, err = client.ListBackups(ctx, 3, BackupFilter{Types: BackupTypes, Statuses: JobStatuses})
	assertContains(t, mustErr(t, err), `field items[0].startedDate in the answer is "20 May 2026", not an RFC 3339 date and time`)
}

func TestListTemplates(t *testing.T) {
	srv := startDataServer(t, 3, nil)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	seeded := seedData(2).Templates
	summary := func(tmpl testserver.Template) TemplateSummary {
		return TemplateSummary{ID: tmpl.ID, Name: tmpl.Name, Type: tmpl.Type, UpdatedAt: tmpl.UpdatedAt.UTC().Format(time.RFC3339Nano)}
	}

	got, err := client.ListTemplates(ctx, 2, TemplateTypes, "")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "templates", *got, Templates{
		Templates:            []TemplateSummary{summary(seeded[0]), summary(seeded[1]), summary(seeded[2])},
		BackupTemplatesCount: 2, ArchiveTemplatesCount: 1,
	})
	got, err = client.ListTemplates(ctx, 2, []string{"archive"}, "old")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "archive templates", *got, Templates{Templates: []TemplateSummary{summary(seeded[2])}, BackupTemplatesCount: 0, ArchiveTemplatesCount: 1})
	q, _ := url.ParseQuery(srv.Requests()[1].Query)
	assertEqual(t, "query", q, url.Values{"page": {"1"}, "limit": {"2000"}, "types": {"archive"}, "search": {"old"}})

	got, err = client.ListTemplates(ctx, 2, TemplateTypes, "no such template")
	if err != nil || got.Templates == nil || len(got.Templates) != 0 {
		t.Fatalf("no match = %+v, %v; want an empty list", got, err)
	}

	// A template of a type not asked for is refused.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/3/templates", Status: http.StatusOK,
		Body: fmt.Sprintf(`{"total":1,"items":[%s],"backupTemplatesCount":1,"archiveTemplatesCount":0}`, jsonOf(t, seeded[0].Row()))})
	_, err = client.ListTemplates(ctx, 3, []string{"archive"}, "")
	assertUnexpected(t, err, fmt.Sprintf("type of template %d", seeded[0].ID), `one of ["archive"]`, `"backup"`)

	// The counts are required.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/1/templates", Status: http.StatusOK, Body: `{"total":0,"items":[],"backupTemplatesCount":0}`})
	_, err = client.ListTemplates(ctx, 1, TemplateTypes, "")
	assertContains(t, mustErr(t, err), "field archiveTemplatesCount in the answer is missing (required)")
}

// More templates than a page: every page is read, counts from page 1.
func TestListTemplates_paging(t *testing.T) {
	var templates []testserver.Template
	for i := range int64(2500) {
		templates = append(templates, testserver.Template{ID: 100 + i, Name: fmt.Sprintf("Template %d", i), Type: testserver.TemplateTypes[i%2],
			UpdatedAt: dataNow.Add(-time.Duration(i) * time.Minute), Roots: [][]testserver.Root{}})
	}
	srv := startDataServer(t, 1, map[int64]testserver.ConnectionData{1: {Templates: templates}})
	client, _ := clientFor(t, srv)
	got, err := client.ListTemplates(context.Background(), 1, TemplateTypes, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Templates) != 2500 || got.Templates[0].ID != 100 || got.Templates[2499].ID != 2599 || got.BackupTemplatesCount != 1250 || got.ArchiveTemplatesCount != 1250 {
		t.Errorf("got %d templates (first %d, last %d), counts %d and %d", len(got.Templates), got.Templates[0].ID, got.Templates[len(got.Templates)-1].ID, got.BackupTemplatesCount, got.ArchiveTemplatesCount)
	}
	assertRequests(t, srv, "/api/v1/connections/1/templates", 2)
}

func TestGetBackupTemplate(t *testing.T) {
	srv := startDataServer(t, 3, nil)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	seeded := seedData(3).Templates
	for _, tmpl := range seeded[:2] {
		got, err := client.GetBackupTemplate(ctx, 3, tmpl.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertEqual(t, "template", *got, wantTemplate(tmpl))
	}
	// Optional fields left out are nil; given ones are kept, even empty.
	first, _ := client.GetBackupTemplate(ctx, 3, 3001)
	if case3 := first.Roots[0][2]; case3.FilterMode != nil || case3.SkipRemove != nil || case3.DeclarativeFilter != nil || *case3.ParentID != 2 {
		t.Errorf("root 3 = %+v", case3)
	}
	if contact := first.Roots[0][1]; contact.CustomLogic == nil || *contact.CustomLogic != "" {
		t.Errorf("root 2's custom logic = %v, want an empty string", contact.CustomLogic)
	}
	if second, _ := client.GetBackupTemplate(ctx, 3, 3002); second.Description != nil {
		t.Errorf("template 3002 has description %q, want none", *second.Description)
	}
	assertRequests(t, srv, "/api/v1/connections/3/templates/backup/", 2)

	// An archive template is not found by the backup path.
	_, err := client.GetBackupTemplate(ctx, 3, 3003)
	if !IsNotFound(err) {
		t.Fatalf("archive template: %v, want not found", err)
	}
	assertContains(t, err.Error(), "Backup template with id 3003 not found for connection 3")

	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2/templates/backup/2001", Status: http.StatusOK, Body: jsonOf(t, seeded[1].Detail())})
	_, err = client.GetBackupTemplate(ctx, 2, 2001)
	assertUnexpected(t, err, "id", "2001", "3002")

	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2/templates/backup/2002", Status: http.StatusOK,
		Body: `{"id":2002,"name":"x","type":"backup","roots":[[{"id":1,"level":0,"objectApiName":"Account","label":"Account","declarativeFilter":[{"field":"Name","label":"Name","option":"equals"}]}],null]}`})
	_, err = client.GetBackupTemplate(ctx, 2, 2002)
	assertContains(t, mustErr(t, err), "field roots[0][0].declarativeFilter[0].value in the answer is missing (required)")
}

func TestListSchedulers(t *testing.T) {
	srv := startDataServer(t, 3, nil)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	seeded := seedData(1).Schedulers

	got, err := client.ListSchedulers(ctx, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []SchedulerSummary
	for _, s := range seeded {
		want = append(want, wantSchedulerSummary(s.SchedulerListItem))
	}
	assertEqual(t, "schedulers, sorted by id", got, want)

	accounts := int64(1001)
	got, err = client.ListSchedulers(ctx, 1, &accounts)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "schedulers of template 1001", got, []SchedulerSummary{wantSchedulerSummary(seeded[1].SchedulerListItem)})
	if r := srv.Requests()[1]; r.Query != "templateId=1001" {
		t.Errorf("query = %q", r.Query)
	}
	none := int64(99)
	if got, err := client.ListSchedulers(ctx, 1, &none); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no match = %v, %v; want an empty list", got, err)
	}
	if _, err := client.ListSchedulers(ctx, 4, nil); !IsNotFound(err) {
		t.Fatalf("unknown connection: %v, want not found", err)
	}

	// Schedulers of another template are refused, as is a repeated id.
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2/schedulers", Status: http.StatusOK, Body: jsonOf(t, []testserver.SchedulerListItem{seeded[3].SchedulerListItem})})
	_, err = client.ListSchedulers(ctx, 2, &accounts)
	assertUnexpected(t, err, "templateId of scheduler 1014", "1001", "1002")
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/3/schedulers", Status: http.StatusOK,
		Body: jsonOf(t, []testserver.SchedulerListItem{seeded[0].SchedulerListItem, seeded[0].SchedulerListItem})})
	_, err = client.ListSchedulers(ctx, 3, nil)
	assertUnexpected(t, err, "id", "each scheduler once", "scheduler 1011 twice")
}

func TestGetBackupScheduler(t *testing.T) {
	srv := startDataServer(t, 3, nil)
	client, _ := clientFor(t, srv)
	ctx := context.Background()
	seeded := seedData(2).Schedulers
	for _, s := range seeded[:5] {
		got, err := client.GetBackupScheduler(ctx, 2, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertEqual(t, "scheduler", *got, wantScheduler(s))
	}
	if weekly, _ := client.GetBackupScheduler(ctx, 2, 2013); weekly.JobSettings != nil || weekly.TemplateID != nil || !slices.Equal(*weekly.Configuration.RepeatOn.DaysOfWeek, []int64{1, 3, 5}) {
		t.Errorf("scheduler 2013 = %+v", weekly)
	}

	_, err := client.GetBackupScheduler(ctx, 2, 2016)
	if !IsConflict(err) {
		t.Fatalf("inaccessible scheduler: %v, want a conflict", err)
	}
	assertContains(t, err.Error(), "HTTP 409 Conflict: Scheduler with id 2016 isn't accessible")
	if _, err := client.GetBackupScheduler(ctx, 2, 1011); !IsNotFound(err) {
		t.Fatalf("another connection's scheduler: %v, want not found", err)
	}

	// A new client: the first has the true answers in memory.
	client, _ = clientFor(t, srv)
	other := seeded[0]
	other.ConnectionID = 3
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2/schedulers/backup/2012", Status: http.StatusOK, Body: jsonOf(t, other)})
	_, err = client.GetBackupScheduler(ctx, 2, 2012)
	assertUnexpected(t, err, "id", "2012", "2011")
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2/schedulers/backup/2011", Status: http.StatusOK, Body: jsonOf(t, other)})
	_, err = client.GetBackupScheduler(ctx, 2, 2011)
	assertUnexpected(t, err, "connectionId", "2", "3")
}
