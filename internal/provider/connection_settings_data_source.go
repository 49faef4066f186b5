package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
)

var _ datasource.DataSourceWithConfigure = (*connectionSettingsDataSource)(nil)

// connectionSettingsDataSource is flosum_connection_settings.
type connectionSettingsDataSource struct {
	apiClient
}

type (
	connectionSettingsModel struct {
		ConnectionID              int64                    `tfsdk:"connection_id"`
		APIQuota                  apiQuotaModel            `tfsdk:"api_quota"`
		Scheduler                 schedulerCapabilityModel `tfsdk:"scheduler"`
		InitialBinaryRecordsLimit int64                    `tfsdk:"initial_binary_records_limit"`
	}
	apiQuotaModel struct {
		Rest int64 `tfsdk:"rest"`
		Bulk int64 `tfsdk:"bulk"`
	}
	schedulerCapabilityModel struct {
		IsBackupsDisabled  bool `tfsdk:"is_backups_disabled"`
		IsArchivesDisabled bool `tfsdk:"is_archives_disabled"`
	}
)

func newConnectionSettingsDataSource() datasource.DataSource { return &connectionSettingsDataSource{} }

func (d *connectionSettingsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_settings"
}

func (d *connectionSettingsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the settings of one Flosum Backup & Archive connection: the share of the org's API limits Flosum may use, whether scheduled backups and archives are switched off, and the initial binary records limit.",
		Attributes: map[string]schema.Attribute{
			"connection_id": connectionIDAttribute("settings"),
			"api_quota": schema.SingleNestedAttribute{
				MarkdownDescription: "Share of the org's Salesforce API limits that Flosum may use.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"rest": schema.Int64Attribute{MarkdownDescription: "REST API quota, in percent (1 to 100).", Computed: true},
					"bulk": schema.Int64Attribute{MarkdownDescription: "Bulk API quota, in percent (1 to 100).", Computed: true},
				},
			},
			"scheduler": schema.SingleNestedAttribute{
				MarkdownDescription: "Whether the connection's scheduled jobs are switched off.",
				Computed:            true,
				Attributes: map[string]schema.Attribute{
					"is_backups_disabled":  schema.BoolAttribute{MarkdownDescription: "Whether scheduled backups are switched off.", Computed: true},
					"is_archives_disabled": schema.BoolAttribute{MarkdownDescription: "Whether scheduled archives are switched off.", Computed: true},
				},
			},
			"initial_binary_records_limit": schema.Int64Attribute{MarkdownDescription: "Initial binary records limit of the connection.", Computed: true},
		},
	}
}

func (d *connectionSettingsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var id int64
	resp.Diagnostics.Append(getArgument(ctx, req.Config, "connection_id", &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, err := d.client.GetConnectionSettings(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(err, request{what: "the settings of " + connectionWhat(id), notFound: connectionNotFound(id)}))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &connectionSettingsModel{
		ConnectionID: id,
		APIQuota:     apiQuotaModel{Rest: settings.APIQuota.Rest, Bulk: settings.APIQuota.Bulk},
		Scheduler: schedulerCapabilityModel{
			IsBackupsDisabled: settings.Scheduler.IsBackupsDisabled, IsArchivesDisabled: settings.Scheduler.IsArchivesDisabled,
		},
		InitialBinaryRecordsLimit: settings.InitialBinaryRecordsLimit,
	})...)
}
