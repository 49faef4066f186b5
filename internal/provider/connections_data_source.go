package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var _ directReader = (*connectionsDataSource)(nil)

// maxSearchLength is the API's limit on the search term.
const maxSearchLength = 80

// connectionsDataSource is flosum_connections: every connection, optionally
// searched and filtered by org type.
type connectionsDataSource struct {
	apiClient
}

type connectionsModel struct {
	Search            types.String `tfsdk:"search"`
	SalesforceOrgType types.String `tfsdk:"salesforce_org_type"`
	Total             types.Int64  `tfsdk:"total"`
	IDs               types.List   `tfsdk:"ids"`
	Connections       types.List   `tfsdk:"connections"`
}

// connectionItemTypes is the object type of each element of connections.
var connectionItemTypes = map[string]attr.Type{
	"id":                  types.Int64Type,
	"external_id":         types.Int64Type,
	"name":                types.StringType,
	"user_name":           types.StringType,
	"salesforce_org_type": types.StringType,
}

func newConnectionsDataSource() datasource.DataSource { return &connectionsDataSource{} }

func (d *connectionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connections"
}

func (d *connectionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Flosum Backup & Archive connections: every one, or those matching `search`, optionally only of one `salesforce_org_type`. " +
			"Every page of the API is read (up to 2,000 connections a page, several pages at once), and the result is sorted by id so plans stay stable. " +
			"No match gives empty lists, not an error. A list whose pages do not add up (a page repeats an id, holds too few or too many " +
			"connections, or gives another `total` than page 1) is read again, up to 3 times in all, and otherwise fails. " +
			"A list larger than the provider's `max_list_size` fails after its first page. " +
			"See *Consistency of a changing list* below for what a list that changes while it is read can return.",
		Attributes: map[string]schema.Attribute{
			"search": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Search term, 1 to %d characters, sent to the API as is; the API decides what matches. Omit to list every connection.", maxSearchLength),
				Optional:            true,
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, maxSearchLength)},
			},
			"salesforce_org_type": schema.StringAttribute{
				MarkdownDescription: "Keep only connections of this Salesforce org type: `PRODUCTION` or `SANDBOX`. Applied by the provider after every page is read; `total` counts what is left.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf("PRODUCTION", "SANDBOX")},
			},
			"total": schema.Int64Attribute{
				MarkdownDescription: "Number of connections returned (after the `salesforce_org_type` filter).",
				Computed:            true,
			},
			"ids": schema.ListAttribute{
				MarkdownDescription: "Ids of the connections returned, ascending.",
				ElementType:         types.Int64Type,
				Computed:            true,
			},
			"connections": schema.ListNestedAttribute{
				MarkdownDescription: "The connections returned, sorted by id ascending.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":                  schema.Int64Attribute{MarkdownDescription: "Flosum id of the connection.", Computed: true},
						"external_id":         schema.Int64Attribute{MarkdownDescription: "External id of the connection in Flosum.", Computed: true},
						"name":                schema.StringAttribute{MarkdownDescription: "Name of the connection.", Computed: true},
						"user_name":           schema.StringAttribute{MarkdownDescription: "Username of the Salesforce user the connection authenticates as.", Computed: true},
						"salesforce_org_type": schema.StringAttribute{MarkdownDescription: "Type of the Salesforce org: `PRODUCTION` or `SANDBOX`.", Computed: true},
					},
				},
			},
		},
	}
}

func (d *connectionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDirectly(ctx, d, req, resp)
}

// readState makes flosum_connections a directReader: its state can hold
// tens of thousands of connections.
func (d *connectionsDataSource) readState(ctx context.Context, config tfsdk.Config) (tftypes.Value, diag.Diagnostics) {
	var args connectionsModel
	diags := config.Get(ctx, &args)
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	search := args.Search.ValueString()
	all, err := d.client.ListConnections(ctx, search)
	if err != nil {
		what := "the list of connections"
		if search != "" {
			what = fmt.Sprintf("the connections matching search %q", search)
		}
		diags.Append(apiErrorDiagnostic(err, request{
			what:            what,
			notFoundSummary: "Flosum API Endpoint Not Found",
			notFound:        "The Flosum API answered 404 for " + what + ". Check base_url: it should be the API's root URL, such as https://backup-us.flosum.app.",
		}))
		return tftypes.Value{}, diags
	}
	state, err := connectionsState(ctx, config.Schema.Type().TerraformType(ctx), args.Search, args.SalesforceOrgType, all)
	if err != nil {
		diags.AddError("Unable To Build The Connections State", "This is a bug in the provider; please report it: "+err.Error())
	}
	return state, diags
}

// connectionsState builds the whole state as a tftypes.Value, keeping only
// the connections of orgType when it is set. The value is the one State.Set
// would make from a connectionsModel holding the same lists
// (TestConnectionsState_matchesTheFrameworkWay), built without attr.Values: for large
// lists, building those and the framework's reflection and conversion of
// them took most of the provider's CPU time and memory. stateType is the
// schema's type, so the value always matches the schema (State.Set checks).
func connectionsState(ctx context.Context, stateType tftypes.Type, search, orgType types.String, all []flosumapi.ConnectionSummary) (tftypes.Value, error) {
	objectType, ok := stateType.(tftypes.Object)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("the state type is %s, not an object", stateType)
	}
	idsType, ok := objectType.AttributeTypes["ids"].(tftypes.List)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("ids has type %v, not a list", objectType.AttributeTypes["ids"])
	}
	connectionsType, ok := objectType.AttributeTypes["connections"].(tftypes.List)
	if !ok {
		return tftypes.Value{}, fmt.Errorf("connections has type %v, not a list", objectType.AttributeTypes["connections"])
	}
	searchValue, err := search.ToTerraformValue(ctx)
	if err != nil {
		return tftypes.Value{}, err
	}
	orgTypeValue, err := orgType.ToTerraformValue(ctx)
	if err != nil {
		return tftypes.Value{}, err
	}

	keep := orgType.ValueString()
	ids := make([]tftypes.Value, 0, len(all))
	connections := make([]tftypes.Value, 0, len(all))
	// tftypes values are immutable (Value.Copy shares them too), so equal
	// values can be shared: the id between ids and connections, and one
	// value per org type.
	orgTypes := map[string]tftypes.Value{}
	for _, c := range all {
		if keep != "" && c.SalesforceOrgType != keep {
			continue
		}
		id := tftypes.NewValue(tftypes.Number, c.ID)
		ids = append(ids, id)
		itemOrgType, seen := orgTypes[c.SalesforceOrgType]
		if !seen {
			itemOrgType = tftypes.NewValue(tftypes.String, c.SalesforceOrgType)
			orgTypes[c.SalesforceOrgType] = itemOrgType
		}
		connections = append(connections, tftypes.NewValue(connectionsType.ElementType, map[string]tftypes.Value{
			"id":                  id,
			"external_id":         tftypes.NewValue(tftypes.Number, c.ExternalID),
			"name":                tftypes.NewValue(tftypes.String, c.Name),
			"user_name":           tftypes.NewValue(tftypes.String, c.UserName),
			"salesforce_org_type": itemOrgType,
		}))
	}
	return tftypes.NewValue(objectType, map[string]tftypes.Value{
		"search":              searchValue,
		"salesforce_org_type": orgTypeValue,
		"total":               tftypes.NewValue(tftypes.Number, int64(len(ids))),
		"ids":                 tftypes.NewValue(idsType, ids),
		"connections":         tftypes.NewValue(connectionsType, connections),
	}), nil
}
