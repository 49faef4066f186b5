package testserver

import (
	"fmt"
	"time"
)

// DefaultBackupsPerConnection is how many backups SeedData gives a connection.
const DefaultBackupsPerConnection = 12

// SeedData is the data the server serves below connection c unless
// Options.Data says otherwise: SeedSettings, DefaultBackupsPerConnection
// backups, SeedTemplates and SeedSchedulers. Dates are relative to now
// truncated to the hour, so that answers stay the same within an hour and a
// test can compute them with the same now. It is the same on every call.
func SeedData(c Connection, now time.Time) ConnectionData {
	return ConnectionData{
		Settings:   SeedSettings(c.ID),
		Backups:    SeedBackups(c.ID, DefaultBackupsPerConnection, now),
		Templates:  SeedTemplates(c.ID, now),
		Schedulers: SeedSchedulers(c.ID),
	}
}

// SeedSettings returns settings that vary with the connection id.
func SeedSettings(connectionID int64) Settings {
	return Settings{
		APIQuota:                  APIQuota{Rest: 50 + connectionID%51, Bulk: 30 + connectionID%71},
		Scheduler:                 SchedulerRunCapability{IsBackupsDisabled: connectionID%11 == 0, IsArchivesDisabled: connectionID%3 == 0},
		InitialBinaryRecordsLimit: 1000 * (connectionID%5 + 1),
	}
}

// SeedBackups returns n backups (n below 1,000,000) of the connection, newest
// first, one every four hours back from now truncated to the hour, less 30
// minutes. The newest is In Progress, the next Completed (so every seeded
// connection had a Completed backup in the last 24 hours); the rest cycle
// through every status, and all cycle through every operation type. Ids grow
// with time; every seventh backup starts at the same time as the one before
// it, so that ties must be broken by id. Names are "<operation type> <n>".
func SeedBackups(connectionID int64, n int, now time.Time) []Backup {
	anchor := now.UTC().Truncate(time.Hour).Add(-30 * time.Minute)
	statuses := []string{StatusCompleted, StatusCompleted, StatusException, StatusCompleted, StatusAborted}
	backups := make([]Backup, n)
	started := anchor
	for i := range backups {
		seq := int64(n - i)
		if i > 0 && i%7 != 6 {
			started = anchor.Add(-time.Duration(i) * 4 * time.Hour).Add(time.Duration(i*137%1000) * time.Millisecond)
		}
		status := statuses[i%len(statuses)]
		if i == 0 {
			status = StatusInProgress
		}
		op := OperationTypes[i%len(OperationTypes)]
		seconds := 60 + i*97%7200
		id := connectionID*1_000_000 + seq
		backups[i] = Backup{
			ID:            id,
			Name:          fmt.Sprintf("%s %d", op, seq),
			JobID:         id*10 + 7,
			JobStatus:     status,
			StartedDate:   started,
			Duration:      fmt.Sprintf("%02d:%02d:%02d", seconds/3600, seconds/60%60, seconds%60),
			Size:          (int64(i)+1)*1_048_576 + connectionID,
			Records:       (int64(i)+1)*1000 + connectionID,
			OperationType: op,
		}
	}
	return backups
}

// SeedTemplates returns three templates of the connection, ids
// connectionID*1000 + 1..3: "Accounts and contacts" (backup; two root groups,
// one three levels deep, with declarative and SOQL filters and some optional
// fields left out), "Custom objects" (backup; no description, one root with
// only the required fields) and "Old cases" (archive). They are updated most
// recently in the order 2, 1, 3.
func SeedTemplates(connectionID int64, now time.Time) []Template {
	anchor := now.UTC().Truncate(time.Hour)
	base := connectionID * 1000
	return []Template{
		{
			ID: base + 1, Name: "Accounts and contacts", Type: TemplateTypeBackup,
			Description: ptr("Accounts with their contacts and cases"),
			UpdatedAt:   anchor.Add(-72*time.Hour + 250*time.Millisecond),
			Roots: [][]Root{
				{
					{
						ID: 1, Level: 0, ObjectAPIName: "Account", Label: "Account",
						FilterMode: ptr("declarative"), CustomLogic: ptr("1 AND 2"), SkipRemove: ptr(false),
						DeclarativeFilter: []DeclarativeFilterLine{
							{Field: "Name", Label: "Account Name", Option: "starts with", Value: "Acme"},
							{Field: "AnnualRevenue", Label: "Annual Revenue", Option: "greater than", Value: "1000000"},
						},
					},
					{
						ID: 2, Level: 1, ParentID: ptr[int64](1), ObjectAPIName: "Contact", Label: "Contact",
						RelationshipName: ptr("Contacts"), FilterMode: ptr("soql"), SOQLFilter: ptr("Email != null"),
						CustomLogic: ptr(""), SkipRemove: ptr(true),
					},
					{
						ID: 3, Level: 2, ParentID: ptr[int64](2), ObjectAPIName: "Case", Label: "Case",
						RelationshipName: ptr("Cases"),
					},
				},
				{
					{
						ID: 4, Level: 0, ObjectAPIName: "Opportunity", Label: "Opportunity",
						FilterMode: ptr("soql"), SOQLFilter: ptr("StageName = 'Closed Won'"),
					},
				},
			},
		},
		{
			ID: base + 2, Name: "Custom objects", Type: TemplateTypeBackup,
			UpdatedAt: anchor.Add(-2 * time.Hour),
			Roots:     [][]Root{{{ID: 5, Level: 0, ObjectAPIName: "Invoice__c", Label: "Invoice"}}},
		},
		{
			ID: base + 3, Name: "Old cases", Type: TemplateTypeArchive,
			Description: ptr("Cases closed more than two years ago"),
			UpdatedAt:   anchor.Add(-240 * time.Hour),
			Roots: [][]Root{{{
				ID: 6, Level: 0, ObjectAPIName: "Case", Label: "Case",
				FilterMode: ptr("soql"), SOQLFilter: ptr("ClosedDate < LAST_N_YEARS:2"), SkipRemove: ptr(false),
			}}},
		},
	}
}

// SeedSchedulers returns six schedulers of the connection, ids
// connectionID*1000 + 11..16: hourly (the default, no template), daily (on
// template 1), weekly on Monday, Wednesday and Friday, monthly on day 15 (on
// template 2), monthly on the last Friday (archive, on template 3), and a
// "retention policy" scheduler that a read by id may not see (409).
func SeedSchedulers(connectionID int64) []Scheduler {
	base := connectionID * 1000
	accounts, custom, cases := base+1, base+2, base+3
	settings := func(metadata bool, template *int64) *JobSettings {
		return &JobSettings{
			IsIncludeMetadata: metadata, IsIncludeBinaryObjects: !metadata, IsIncludeBigObjects: false,
			IsIncludeFeedObjects: true, IsIncludeShareObjects: metadata, IsIncludeHistoryObjects: false,
			IsIncludeCustomMetadataTypeObjects: true, IsIncludeTagObjects: false, TemplateID: template,
		}
	}
	scheduler := func(n int64, name, kind, timezone string, template *int64, templateName string, config SchedulerConfiguration) SchedulerListItem {
		item := SchedulerListItem{ID: base + n, Name: name, Type: kind, Timezone: timezone, TemplateID: template, Configuration: config}
		if templateName != "" {
			item.TemplateName = &templateName
		}
		return item
	}
	hourly := scheduler(11, "Hourly full backup", "full backup", "UTC", nil, "",
		SchedulerConfiguration{Frequency: FrequencyHourly, RepeatEvery: 4, RunAt: "00:15"})
	hourly.IsDefault = true
	return []Scheduler{
		{
			SchedulerListItem: hourly,
			ConnectionID:      connectionID, Description: "Every four hours", JobSettings: settings(true, nil),
		},
		{
			SchedulerListItem: scheduler(12, "Daily accounts", "templated backup", "Europe/Berlin", &accounts, "Accounts and contacts",
				SchedulerConfiguration{Frequency: FrequencyDaily, RepeatEvery: 1, RunAt: "02:00"}),
			ConnectionID: connectionID, Description: "Accounts every night", JobSettings: settings(false, &accounts),
		},
		{
			SchedulerListItem: scheduler(13, "Weekly full and sync", "full & sync backup", "America/New_York", nil, "",
				SchedulerConfiguration{Frequency: FrequencyWeekly, RepeatEvery: 1, RunAt: "03:30", RepeatOn: &RepeatOn{Type: RepeatOnWeekly, DaysOfWeek: []int64{1, 3, 5}}}),
			ConnectionID: connectionID, Description: "",
		},
		{
			SchedulerListItem: scheduler(14, "Monthly custom objects", "templated backup", "UTC", &custom, "Custom objects",
				SchedulerConfiguration{Frequency: FrequencyMonthly, RepeatEvery: 1, RunAt: "04:00", RepeatOn: &RepeatOn{Type: RepeatOnMonthly, DayOfMonth: ptr[int64](15)}}),
			ConnectionID: connectionID, Description: "On the 15th", JobSettings: settings(true, &custom),
		},
		{
			SchedulerListItem: scheduler(15, "Archive old cases", "archive", "Asia/Tokyo", &cases, "Old cases",
				SchedulerConfiguration{Frequency: FrequencyMonthly, RepeatEvery: 2, RunAt: "23:00", RepeatOn: &RepeatOn{Type: RepeatOnMonthly, WeekDayOfMonth: &WeekDayOfMonth{FirstOrLast: "last", WeekDay: 5}}}),
			ConnectionID: connectionID, Description: "Every other month, on the last Friday", JobSettings: settings(false, &cases),
		},
		{
			SchedulerListItem: scheduler(16, "Retention policy", "retention policy", "UTC", nil, "",
				SchedulerConfiguration{Frequency: FrequencyDaily, RepeatEvery: 1, RunAt: "05:00"}),
			ConnectionID: connectionID, Description: "Managed by Flosum", Inaccessible: true,
		},
	}
}
