package testserver

import "time"

// This file holds the wire types of the endpoints below a connection
// (settings, backups, templates, schedulers), with the field names of the
// vendor's backup-api-openapi.json. Tests build their expectations from them.
// Optional fields are pointers or omitempty, so that "left out" can be told
// from a zero value, as the vendor's answers do.

// Backup job types accepted by the backups list's types filter.
const (
	BackupTypeFull        = "full"
	BackupTypeFullAndSync = "full & sync"
	BackupTypeTemplate    = "template"
	BackupTypeArchive     = "archive"
)

// Job statuses (FindBackupsResponseDto.jobStatus and the statuses filter).
const (
	StatusInProgress = "In Progress"
	StatusException  = "Exception"
	StatusCompleted  = "Completed"
	StatusAborted    = "Aborted"
)

// Operation types (FindBackupsResponseDto.operationType).
const (
	OperationTemplatedArchive       = "Templated Archive"
	OperationTemplatedBackup        = "Templated Backup"
	OperationCompositeBackup        = "Composite Backup"
	OperationCompositeAndSyncBackup = "Composite & Sync Backup"
	OperationImportArchive          = "Import Archive"
	OperationImportBackup           = "Import Backup"
)

// Template types (FindAllTemplatesRowDto.type and the templates' types filter).
const (
	TemplateTypeBackup  = "backup"
	TemplateTypeArchive = "archive"
)

// Values in the order the vendor's document lists them (its enums).
var (
	BackupTypes    = []string{BackupTypeFull, BackupTypeFullAndSync, BackupTypeTemplate, BackupTypeArchive}
	JobStatuses    = []string{StatusInProgress, StatusException, StatusCompleted, StatusAborted}
	OperationTypes = []string{OperationTemplatedArchive, OperationTemplatedBackup, OperationCompositeBackup, OperationCompositeAndSyncBackup, OperationImportArchive, OperationImportBackup}
	TemplateTypes  = []string{TemplateTypeBackup, TemplateTypeArchive}
)

// BackupType is the types-filter value a backup of operationType matches.
// The vendor does not document the mapping; this is the server's: imports
// count as the kind they import.
func BackupType(operationType string) string {
	switch operationType {
	case OperationCompositeBackup, OperationImportBackup:
		return BackupTypeFull
	case OperationCompositeAndSyncBackup:
		return BackupTypeFullAndSync
	case OperationTemplatedBackup:
		return BackupTypeTemplate
	case OperationTemplatedArchive, OperationImportArchive:
		return BackupTypeArchive
	}
	return ""
}

// ConnectionData is everything served below one connection. Options.Data
// replaces the seeded data (SeedData) of a connection with it, as is.
type ConnectionData struct {
	Settings   Settings
	Backups    []Backup
	Templates  []Template
	Schedulers []Scheduler
}

// Settings is FindConnectionSettingsResponseDto without info, which the
// server fills in from the connection.
type Settings struct {
	APIQuota                  APIQuota               `json:"apiQuota"`
	Scheduler                 SchedulerRunCapability `json:"scheduler"`
	InitialBinaryRecordsLimit int64                  `json:"initialBinaryRecordsLimit"`
}

// APIQuota is ApiQuotaDto: percentages of the org's API limits.
type APIQuota struct {
	Rest int64 `json:"rest"`
	Bulk int64 `json:"bulk"`
}

// SchedulerRunCapability is SchedulerRunCapabilityDto.
type SchedulerRunCapability struct {
	IsBackupsDisabled  bool `json:"isBackupsDisabled"`
	IsArchivesDisabled bool `json:"isArchivesDisabled"`
}

// connectionInfo is ConnectionInfoDto, the settings' info.
type connectionInfo struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	UserName          string `json:"userName"`
	SalesforceOrgID   string `json:"salesforceOrgId"`
	SalesforceOrgType string `json:"salesforceOrgType"`
}

type settingsResponse struct {
	Settings
	Info connectionInfo `json:"info"`
}

// Backup is FindBackupsResponseDto, one item of the backups list.
// StartedDate is sent in UTC with millisecond precision.
type Backup struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	JobID         int64     `json:"jobId"`
	JobStatus     string    `json:"jobStatus"`
	StartedDate   time.Time `json:"startedDate"`
	Duration      string    `json:"duration"`
	Size          int64     `json:"size"`
	Records       int64     `json:"records"`
	OperationType string    `json:"operationType"`
}

// BackupPage is the backups list's body (PaginatedDto of Backup).
type BackupPage struct {
	Total int      `json:"total"`
	Items []Backup `json:"items"`
}

// Template is a backup or archive template: FindOneTemplateResponseDto plus
// the list's updatedAt.
type Template struct {
	ID          int64
	Name        string
	Type        string
	Description *string
	UpdatedAt   time.Time
	// Roots is a list of root groups, each a list of objects (the vendor's
	// roots: array of arrays of RootDto).
	Roots [][]Root
}

// Root is RootDto: one object of a template's tree.
type Root struct {
	ID                int64                   `json:"id"`
	Level             int64                   `json:"level"`
	ParentID          *int64                  `json:"parentId,omitempty"`
	ObjectAPIName     string                  `json:"objectApiName"`
	Label             string                  `json:"label"`
	RelationshipName  *string                 `json:"relationshipName,omitempty"`
	FilterMode        *string                 `json:"filterMode,omitempty"`
	SOQLFilter        *string                 `json:"soqlFilter,omitempty"`
	CustomLogic       *string                 `json:"customLogic,omitempty"`
	SkipRemove        *bool                   `json:"skipRemove,omitempty"`
	DeclarativeFilter []DeclarativeFilterLine `json:"declarativeFilter,omitempty"`
}

// DeclarativeFilterLine is one line of a root's declarative filter.
type DeclarativeFilterLine struct {
	Field  string `json:"field"`
	Label  string `json:"label"`
	Option string `json:"option"`
	Value  string `json:"value"`
}

// TemplateRow is FindAllTemplatesRowDto, one item of the templates list.
type TemplateRow struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// TemplatePage is the templates list's body (FindAllTemplatesResponseDto).
type TemplatePage struct {
	Total                 int           `json:"total"`
	Items                 []TemplateRow `json:"items"`
	BackupTemplatesCount  int           `json:"backupTemplatesCount"`
	ArchiveTemplatesCount int           `json:"archiveTemplatesCount"`
}

// TemplateDetail is FindOneTemplateResponseDto, the body of a template read
// by id.
type TemplateDetail struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Description *string  `json:"description,omitempty"`
	Roots       [][]Root `json:"roots"`
}

// Row returns the template as the list shows it.
func (t Template) Row() TemplateRow {
	return TemplateRow{ID: t.ID, Name: t.Name, Type: t.Type, UpdatedAt: t.UpdatedAt.UTC().Truncate(time.Millisecond)}
}

// Detail returns the template as a read by id shows it.
func (t Template) Detail() TemplateDetail {
	roots := t.Roots
	if roots == nil {
		roots = [][]Root{}
	}
	return TemplateDetail{ID: t.ID, Name: t.Name, Type: t.Type, Description: t.Description, Roots: roots}
}

// Scheduler frequencies (SchedulerConfigurationDto.frequency) and repeat-on
// types (RepeatOnValueDto.type).
const (
	FrequencyHourly  = "hourly"
	FrequencyDaily   = "daily"
	FrequencyWeekly  = "weekly"
	FrequencyMonthly = "monthly"

	RepeatOnWeekly  = "weekly"
	RepeatOnMonthly = "monthly"
)

// SchedulerListItem is FindAllSchedulersResponseDto, one item of the
// schedulers list.
type SchedulerListItem struct {
	ID            int64                  `json:"id"`
	Name          string                 `json:"name"`
	Type          string                 `json:"type"`
	Timezone      string                 `json:"timezone"`
	IsDefault     bool                   `json:"isDefault"`
	TemplateID    *int64                 `json:"templateId,omitempty"`
	TemplateName  *string                `json:"templateName,omitempty"`
	Configuration SchedulerConfiguration `json:"configuration"`
}

// Scheduler is FindSchedulerResponseDto, the body of a read by id: the list's
// fields and three more, plus whether a read by id may see it.
type Scheduler struct {
	SchedulerListItem
	// ConnectionID is served as is, so a test can make it name another
	// connection.
	ConnectionID int64        `json:"connectionId"`
	Description  string       `json:"description"`
	JobSettings  *JobSettings `json:"jobSettings,omitempty"`
	// Inaccessible makes a read by id answer 409 (the list still shows it).
	Inaccessible bool `json:"-"`
}

// SchedulerConfiguration is SchedulerConfigurationDto.
type SchedulerConfiguration struct {
	Frequency   string    `json:"frequency"`
	RepeatOn    *RepeatOn `json:"repeatOn,omitempty"`
	RepeatEvery int64     `json:"repeatEvery"`
	RunAt       string    `json:"runAt"`
}

// RepeatOn is RepeatOnValueDto: days of the week for weekly, a day of the
// month or a week day of the month for monthly.
type RepeatOn struct {
	Type           string          `json:"type"`
	DaysOfWeek     []int64         `json:"daysOfWeek,omitempty"`
	DayOfMonth     *int64          `json:"dayOfMonth,omitempty"`
	WeekDayOfMonth *WeekDayOfMonth `json:"weekDayOfMonth,omitempty"`
}

// WeekDayOfMonth is WeekDayOfMonthValueDto: the first or last given week day
// (0 = Sunday).
type WeekDayOfMonth struct {
	FirstOrLast string `json:"firstOrLast"`
	WeekDay     int64  `json:"weekDay"`
}

// JobSettings is BackupSettingsDto, a scheduler's job settings.
type JobSettings struct {
	IsIncludeMetadata                  bool   `json:"isIncludeMetadata"`
	IsIncludeBinaryObjects             bool   `json:"isIncludeBinaryObjects"`
	IsIncludeBigObjects                bool   `json:"isIncludeBigObjects"`
	IsIncludeFeedObjects               bool   `json:"isIncludeFeedObjects"`
	IsIncludeShareObjects              bool   `json:"isIncludeShareObjects"`
	IsIncludeHistoryObjects            bool   `json:"isIncludeHistoryObjects"`
	IsIncludeCustomMetadataTypeObjects bool   `json:"isIncludeCustomMetadataTypeObjects"`
	IsIncludeTagObjects                bool   `json:"isIncludeTagObjects"`
	TemplateID                         *int64 `json:"templateId,omitempty"`
}
