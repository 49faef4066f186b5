package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var _ directReader = (*backupTemplatesDataSource)(nil)

// backupTemplatesDataSource is flosum_backup_templates: the backup and
// archive templates of a connection.
type backupTemplatesDataSource struct {
	apiClient
}

type (
	backupTemplatesModel struct {
		ConnectionID          types.Int64            `tfsdk:"connection_id"`
		Types                 types.Set              `tfsdk:"types"`
		Search                types.String           `tfsdk:"search"`
		Total                 types.Int64            `tfsdk:"total"`
		BackupTemplatesCount  types.Int64            `tfsdk:"backup_templates_count"`
		ArchiveTemplatesCount types.Int64            `tfsdk:"archive_templates_count"`
		Templates             []templateSummaryModel `tfsdk:"templates"`
	}
	templateSummaryModel struct {
		ID        int64  `tfsdk:"id"`
		Name      string `tfsdk:"name"`
		Type      string `tfsdk:"type"`
		UpdatedAt string `tfsdk:"updated_at"`
	}
)

func newBackupTemplatesDataSource() datasource.DataSource { return &backupTemplatesDataSource{} }

func (d *backupTemplatesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_templates"
}

func (d *backupTemplatesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the backup and archive templates of one Flosum Backup & Archive connection, sorted by id, optionally filtered by type and name. " +
			"Every page of the API is read. No match gives an empty list, not an error.",
		Attributes: map[string]schema.Attribute{
			"connection_id": connectionIDAttribute("templates"),
			"types":         enumSetAttribute("Types of template to list.", flosumapi.TemplateTypes),
			"search":        searchAttribute("template"),
			"total":         schema.Int64Attribute{MarkdownDescription: "Number of templates returned.", Computed: true},
			"backup_templates_count": schema.Int64Attribute{
				MarkdownDescription: "Number of backup templates, as the API counts them beside the list (`backupTemplatesCount`).", Computed: true,
			},
			"archive_templates_count": schema.Int64Attribute{
				MarkdownDescription: "Number of archive templates, as the API counts them beside the list (`archiveTemplatesCount`).", Computed: true,
			},
			"templates": schema.ListNestedAttribute{
				MarkdownDescription: "The templates, sorted by id ascending.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":         schema.Int64Attribute{MarkdownDescription: "Id of the template.", Computed: true},
					"name":       schema.StringAttribute{MarkdownDescription: "Name of the template.", Computed: true},
					"type":       schema.StringAttribute{MarkdownDescription: "Type of the template: `backup` or `archive`.", Computed: true},
					"updated_at": schema.StringAttribute{MarkdownDescription: "When the template was last changed, an RFC 3339 date and time as the API wrote it.", Computed: true},
				}},
			},
		},
	}
}

func (d *backupTemplatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDirectly(ctx, d, req, resp)
}

// readState makes flosum_backup_templates a directReader.
func (d *backupTemplatesDataSource) readState(ctx context.Context, config tfsdk.Config) (tftypes.Value, diag.Diagnostics) {
	var model backupTemplatesModel
	diags := config.Get(ctx, &model)
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	id := model.ConnectionID.ValueInt64()
	kinds, set, setDiags := enumSet(ctx, model.Types, flosumapi.TemplateTypes)
	if diags.Append(setDiags...); diags.HasError() {
		return tftypes.Value{}, diags
	}
	model.Types = set
	answer, err := d.client.ListTemplates(ctx, id, kinds, model.Search.ValueString())
	if err != nil {
		diags.Append(apiErrorDiagnostic(err, request{what: "the templates of " + connectionWhat(id), notFound: connectionNotFound(id)}))
		return tftypes.Value{}, diags
	}
	model.Total = types.Int64Value(int64(len(answer.Templates)))
	model.BackupTemplatesCount = types.Int64Value(answer.BackupTemplatesCount)
	model.ArchiveTemplatesCount = types.Int64Value(answer.ArchiveTemplatesCount)
	model.Templates = make([]templateSummaryModel, len(answer.Templates))
	for i, t := range answer.Templates {
		model.Templates[i] = templateSummaryModel{ID: t.ID, Name: t.Name, Type: t.Type, UpdatedAt: t.UpdatedAt}
	}
	return stateValue(ctx, config, &model, diags)
}
