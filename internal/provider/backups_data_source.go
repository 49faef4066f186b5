package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var _ directReader = (*backupsDataSource)(nil)

// backupsDataSource is flosum_backups: the backup and archive jobs of a
// connection, filtered as the API allows.
type backupsDataSource struct {
	apiClient
}

type (
	backupsModel struct {
		ConnectionID    types.Int64   `tfsdk:"connection_id"`
		Types           types.Set     `tfsdk:"types"`
		Statuses        types.Set     `tfsdk:"statuses"`
		Search          types.String  `tfsdk:"search"`
		IncludeMetadata types.Bool    `tfsdk:"include_metadata"`
		StartDate       types.String  `tfsdk:"start_date"`
		EndDate         types.String  `tfsdk:"end_date"`
		Total           types.Int64   `tfsdk:"total"`
		Backups         []backupModel `tfsdk:"backups"`
	}
	backupModel struct {
		ID            int64  `tfsdk:"id"`
		Name          string `tfsdk:"name"`
		JobID         int64  `tfsdk:"job_id"`
		JobStatus     string `tfsdk:"job_status"`
		StartedDate   string `tfsdk:"started_date"`
		Duration      string `tfsdk:"duration"`
		Size          int64  `tfsdk:"size"`
		Records       int64  `tfsdk:"records"`
		OperationType string `tfsdk:"operation_type"`
	}
)

func newBackupsDataSource() datasource.DataSource { return &backupsDataSource{} }

func (d *backupsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backups"
}

func (d *backupsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the backup and archive jobs of one Flosum Backup & Archive connection, newest first, optionally filtered by type, status, name and start date. " +
			"Every page of the API is read (up to 2,000 jobs a page, several pages at once). No match gives an empty list, not an error.",
		Attributes: map[string]schema.Attribute{
			"connection_id": connectionIDAttribute("backups"),
			"types":         enumSetAttribute("Kinds of job to list.", flosumapi.BackupTypes),
			"statuses":      enumSetAttribute("Statuses of the jobs to list.", flosumapi.JobStatuses),
			"search":        searchAttribute("job"),
			"include_metadata": schema.BoolAttribute{
				MarkdownDescription: "Sent to the API as `isIncludeMetadata` when set; the API does not document its effect. Omit to leave it out.",
				Optional:            true,
			},
			"start_date": schema.StringAttribute{
				MarkdownDescription: "Only jobs started at or after this RFC 3339 date and time, such as `timeadd(plantimestamp(), \"-24h\")`; sent as `startedDate`.",
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator()},
			},
			"end_date": schema.StringAttribute{
				MarkdownDescription: "Only jobs started at or before this RFC 3339 date and time; sent as `endDate`.",
				Optional:            true,
				Validators:          []validator.String{rfc3339Validator()},
			},
			"total": schema.Int64Attribute{MarkdownDescription: "Number of jobs returned.", Computed: true},
			"backups": schema.ListNestedAttribute{
				MarkdownDescription: "The jobs, newest first: `started_date` descending, then `id` descending.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             schema.Int64Attribute{MarkdownDescription: "Id of the backup or archive.", Computed: true},
					"name":           computed("Name of the backup or archive."),
					"job_id":         schema.Int64Attribute{MarkdownDescription: "Id of the job that made it.", Computed: true},
					"job_status":     computed("Status of the job: " + quotedList(flosumapi.JobStatuses) + " (any other value the API sends is passed through)."),
					"started_date":   computed("When the job started, an RFC 3339 date and time as the API wrote it."),
					"duration":       computed("How long the job ran, as the API wrote it, such as `01:02:03`."),
					"size":           schema.Int64Attribute{MarkdownDescription: "Size of the backup, as the API gives it.", Computed: true},
					"records":        schema.Int64Attribute{MarkdownDescription: "Number of records backed up or archived.", Computed: true},
					"operation_type": computed("Kind of operation, such as `Templated Backup` or `Composite Backup`, passed through as the API sends it."),
				}},
			},
		},
	}
}

func (d *backupsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDirectly(ctx, d, req, resp)
}

// readState makes flosum_backups a directReader: a connection can have
// tens of thousands of jobs.
func (d *backupsDataSource) readState(ctx context.Context, config tfsdk.Config) (tftypes.Value, diag.Diagnostics) {
	var model backupsModel
	diags := config.Get(ctx, &model)
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	id := model.ConnectionID.ValueInt64()
	filter := flosumapi.BackupFilter{
		Search: model.Search.ValueString(), IncludeMetadata: model.IncludeMetadata.ValueBoolPointer(),
		StartedDate: model.StartDate.ValueString(), EndDate: model.EndDate.ValueString(),
	}
	var typeDiags, statusDiags diag.Diagnostics
	filter.Types, model.Types, typeDiags = enumSet(ctx, model.Types, flosumapi.BackupTypes)
	filter.Statuses, model.Statuses, statusDiags = enumSet(ctx, model.Statuses, flosumapi.JobStatuses)
	diags.Append(typeDiags...)
	if diags.Append(statusDiags...); diags.HasError() {
		return tftypes.Value{}, diags
	}
	backups, err := d.client.ListBackups(ctx, id, filter)
	if err != nil {
		diags.Append(apiErrorDiagnostic(err, request{what: "the backups of " + connectionWhat(id), notFound: connectionNotFound(id)}))
		return tftypes.Value{}, diags
	}
	model.Total = types.Int64Value(int64(len(backups)))
	model.Backups = make([]backupModel, len(backups))
	for i, b := range backups {
		model.Backups[i] = backupModel{
			ID: b.ID, Name: b.Name, JobID: b.JobID, JobStatus: b.JobStatus, StartedDate: b.StartedDate,
			Duration: b.Duration, Size: b.Size, Records: b.Records, OperationType: b.OperationType,
		}
	}
	return stateValue(ctx, config, &model, diags)
}

// stateValue is the state a directReader's model makes, built the
// framework's way.
func stateValue(ctx context.Context, config tfsdk.Config, model any, diags diag.Diagnostics) (tftypes.Value, diag.Diagnostics) {
	state := tfsdk.State{Schema: config.Schema, Raw: tftypes.NewValue(config.Schema.Type().TerraformType(ctx), nil)}
	diags.Append(state.Set(ctx, model)...)
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	return state.Raw, diags
}
