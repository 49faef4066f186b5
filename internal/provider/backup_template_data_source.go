package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var _ datasource.DataSourceWithConfigure = (*backupTemplateDataSource)(nil)

// backupTemplateDataSource is flosum_backup_template: one backup template,
// with the tree of objects it backs up.
type backupTemplateDataSource struct {
	apiClient
}

type (
	backupTemplateModel struct {
		ConnectionID int64         `tfsdk:"connection_id"`
		ID           int64         `tfsdk:"id"`
		Name         string        `tfsdk:"name"`
		Type         string        `tfsdk:"type"`
		Description  *string       `tfsdk:"description"`
		Roots        [][]rootModel `tfsdk:"roots"`
	}
	rootModel struct {
		ID                int64             `tfsdk:"id"`
		Level             int64             `tfsdk:"level"`
		ParentID          *int64            `tfsdk:"parent_id"`
		ObjectAPIName     string            `tfsdk:"object_api_name"`
		Label             string            `tfsdk:"label"`
		RelationshipName  *string           `tfsdk:"relationship_name"`
		FilterMode        *string           `tfsdk:"filter_mode"`
		SOQLFilter        *string           `tfsdk:"soql_filter"`
		CustomLogic       *string           `tfsdk:"custom_logic"`
		SkipRemove        *bool             `tfsdk:"skip_remove"`
		DeclarativeFilter []filterLineModel `tfsdk:"declarative_filter"`
	}
	filterLineModel struct {
		Field  string `tfsdk:"field"`
		Label  string `tfsdk:"label"`
		Option string `tfsdk:"option"`
		Value  string `tfsdk:"value"`
	}
)

// rootType is the object type of one root of a template.
var rootType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id": types.Int64Type, "level": types.Int64Type, "parent_id": types.Int64Type,
	"object_api_name": types.StringType, "label": types.StringType, "relationship_name": types.StringType,
	"filter_mode": types.StringType, "soql_filter": types.StringType, "custom_logic": types.StringType,
	"skip_remove": types.BoolType,
	"declarative_filter": types.ListType{ElemType: types.ObjectType{AttrTypes: map[string]attr.Type{
		"field": types.StringType, "label": types.StringType, "option": types.StringType, "value": types.StringType,
	}}},
}}

func newBackupTemplateDataSource() datasource.DataSource { return &backupTemplateDataSource{} }

func (d *backupTemplateDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_template"
}

func (d *backupTemplateDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one backup template of a Flosum Backup & Archive connection by its id, with the objects it backs up. Archive templates cannot be read by id (the API serves backup templates only).",
		Attributes: map[string]schema.Attribute{
			"connection_id": connectionIDAttribute("template"),
			"id":            idAttribute("backup template", "data.flosum_backup_templates.x.templates[*].id"),
			"name":          schema.StringAttribute{MarkdownDescription: "Name of the template.", Computed: true},
			"type":          schema.StringAttribute{MarkdownDescription: "Type of the template: `backup` (any other value the API sends is passed through).", Computed: true},
			"description":   schema.StringAttribute{MarkdownDescription: "Description of the template; null when the API gives none.", Computed: true},
			"roots": schema.ListAttribute{
				MarkdownDescription: "The objects the template backs up: a list of groups, each a list of objects that form a tree through `parent_id` and `level`. " +
					"Each object has `id`, `level`, `parent_id`, `object_api_name` (such as `Account`), `label`, `relationship_name`, " +
					"`filter_mode` (`soql` or `declarative`), `soql_filter`, `custom_logic`, `skip_remove` and `declarative_filter`, " +
					"a list of conditions with `field`, `label`, `option` (such as `equals`) and `value`. Fields the API leaves out are null.",
				ElementType: types.ListType{ElemType: rootType},
				Computed:    true,
			},
		},
	}
}

func (d *backupTemplateDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	connectionID, id, diags := byIDArguments(ctx, req.Config)
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	template, err := d.client.GetBackupTemplate(ctx, connectionID, id)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(err, request{
			what:            fmt.Sprintf("the backup template with id %d of %s", id, connectionWhat(connectionID)),
			notFoundSummary: "Backup Template Not Found",
			notFound: fmt.Sprintf("The Flosum API found no backup template with id %d for the connection with id %d%s. "+
				"Check both ids: the flosum_backup_templates data source lists a connection's templates (archive templates cannot be read by id).",
				id, connectionID, apiMessages(err)),
		}))
		return
	}
	model := backupTemplateModel{
		ConnectionID: connectionID, ID: template.ID, Name: template.Name, Type: template.Type, Description: template.Description,
		Roots: make([][]rootModel, len(template.Roots)),
	}
	for i, group := range template.Roots {
		model.Roots[i] = make([]rootModel, len(group))
		for j, r := range group {
			model.Roots[i][j] = rootOf(r)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

func rootOf(r flosumapi.TemplateRoot) rootModel {
	root := rootModel{
		ID: r.ID, Level: r.Level, ParentID: r.ParentID, ObjectAPIName: r.ObjectAPIName, Label: r.Label,
		RelationshipName: r.RelationshipName, FilterMode: r.FilterMode, SOQLFilter: r.SOQLFilter,
		CustomLogic: r.CustomLogic, SkipRemove: r.SkipRemove,
	}
	if r.DeclarativeFilter != nil {
		root.DeclarativeFilter = make([]filterLineModel, len(*r.DeclarativeFilter))
		for i, l := range *r.DeclarativeFilter {
			root.DeclarativeFilter[i] = filterLineModel{Field: l.Field, Label: l.Label, Option: l.Option, Value: l.Value}
		}
	}
	return root
}
