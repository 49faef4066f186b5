package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var _ datasource.DataSourceWithConfigure = (*backupSchedulerDataSource)(nil)

// backupSchedulerDataSource is flosum_backup_scheduler: one scheduler by
// id, with its description and job settings.
type backupSchedulerDataSource struct {
	apiClient
}

type (
	backupSchedulerModel struct {
		ConnectionID int64 `tfsdk:"connection_id"`
		schedulerModel
		Description string            `tfsdk:"description"`
		JobSettings *jobSettingsModel `tfsdk:"job_settings"`
	}
	jobSettingsModel struct {
		IsIncludeMetadata                  bool   `tfsdk:"is_include_metadata"`
		IsIncludeBinaryObjects             bool   `tfsdk:"is_include_binary_objects"`
		IsIncludeBigObjects                bool   `tfsdk:"is_include_big_objects"`
		IsIncludeFeedObjects               bool   `tfsdk:"is_include_feed_objects"`
		IsIncludeShareObjects              bool   `tfsdk:"is_include_share_objects"`
		IsIncludeHistoryObjects            bool   `tfsdk:"is_include_history_objects"`
		IsIncludeCustomMetadataTypeObjects bool   `tfsdk:"is_include_custom_metadata_type_objects"`
		IsIncludeTagObjects                bool   `tfsdk:"is_include_tag_objects"`
		TemplateID                         *int64 `tfsdk:"template_id"`
	}
)

func newBackupSchedulerDataSource() datasource.DataSource { return &backupSchedulerDataSource{} }

func (d *backupSchedulerDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_scheduler"
}

func (d *backupSchedulerDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := schedulerAttributes()
	attributes["connection_id"] = connectionIDAttribute("scheduler")
	attributes["id"] = idAttribute("scheduler", "data.flosum_backup_schedulers.x.schedulers[*].id")
	attributes["description"] = schema.StringAttribute{MarkdownDescription: "Description of the scheduler.", Computed: true}
	include := func(what string) schema.BoolAttribute {
		return schema.BoolAttribute{MarkdownDescription: "Whether the jobs include " + what + ".", Computed: true}
	}
	attributes["job_settings"] = schema.SingleNestedAttribute{
		MarkdownDescription: "What the scheduler's jobs include; null when the API gives none.",
		Computed:            true,
		Attributes: map[string]schema.Attribute{
			"is_include_metadata":                     include("metadata"),
			"is_include_binary_objects":               include("binary objects"),
			"is_include_big_objects":                  include("big objects"),
			"is_include_feed_objects":                 include("feed objects"),
			"is_include_share_objects":                include("share objects"),
			"is_include_history_objects":              include("history objects"),
			"is_include_custom_metadata_type_objects": include("custom metadata type objects"),
			"is_include_tag_objects":                  include("tag objects"),
			"template_id":                             schema.Int64Attribute{MarkdownDescription: "Id of the template the jobs use; null when the API gives none.", Computed: true},
		},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one scheduler of a Flosum Backup & Archive connection by its id: what `flosum_backup_schedulers` lists of it, plus its description and job settings. " +
			"Some schedulers are listed but cannot be read by id (the API answers 409).",
		Attributes: attributes,
	}
}

func (d *backupSchedulerDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	connectionID, id, diags := byIDArguments(ctx, req.Config)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	s, err := d.client.GetBackupScheduler(ctx, connectionID, id)
	if err != nil {
		ids := fmt.Sprintf("the scheduler with id %d of %s", id, connectionWhat(connectionID))
		resp.Diagnostics.Append(apiErrorDiagnostic(err, request{
			what:            ids,
			notFoundSummary: "Backup Scheduler Not Found",
			notFound: fmt.Sprintf("The Flosum API found no scheduler with id %d for the connection with id %d%s. "+
				"Check both ids: the flosum_backup_schedulers data source lists a connection's schedulers.", id, connectionID, apiMessages(err)),
			conflictSummary: "Backup Scheduler Not Accessible",
			conflict: fmt.Sprintf("The Flosum API does not let %s be read by id (HTTP 409)%s. "+
				"The flosum_backup_schedulers data source still lists it, with its configuration; read it from there.", ids, apiMessages(err)),
		}))
		return
	}
	model := backupSchedulerModel{ConnectionID: connectionID, schedulerModel: schedulerOf(s.SchedulerSummary), Description: s.Description}
	if j := s.JobSettings; j != nil {
		model.JobSettings = &jobSettingsModel{
			IsIncludeMetadata: j.IsIncludeMetadata, IsIncludeBinaryObjects: j.IsIncludeBinaryObjects, IsIncludeBigObjects: j.IsIncludeBigObjects,
			IsIncludeFeedObjects: j.IsIncludeFeedObjects, IsIncludeShareObjects: j.IsIncludeShareObjects, IsIncludeHistoryObjects: j.IsIncludeHistoryObjects,
			IsIncludeCustomMetadataTypeObjects: j.IsIncludeCustomMetadataTypeObjects, IsIncludeTagObjects: j.IsIncludeTagObjects, TemplateID: j.TemplateID,
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}
