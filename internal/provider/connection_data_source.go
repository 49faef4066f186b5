package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flosum/terraform-provider-flosum/internal/sfid"
)

var (
	_ datasource.DataSourceWithConfigure        = (*connectionDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*connectionDataSource)(nil)
)

// connectionDataSource is flosum_connection: one connection, by its id or by
// its Salesforce org id.
type connectionDataSource struct {
	apiClient
}

type connectionModel struct {
	ID                types.Int64  `tfsdk:"id"`
	SalesforceOrgID   types.String `tfsdk:"salesforce_org_id"`
	SalesforceOrgID18 types.String `tfsdk:"salesforce_org_id_18"`
	ExternalID        types.Int64  `tfsdk:"external_id"`
	Name              types.String `tfsdk:"name"`
	UserFullName      types.String `tfsdk:"user_full_name"`
	UserName          types.String `tfsdk:"user_name"`
	SalesforceOrgType types.String `tfsdk:"salesforce_org_type"`
}

func newConnectionDataSource() datasource.DataSource { return &connectionDataSource{} }

func (d *connectionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection"
}

func (d *connectionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one Flosum Backup & Archive connection (a Salesforce org that Flosum backs up), by its Flosum id or by its Salesforce org id. Set exactly one of `id` and `salesforce_org_id`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.Int64Attribute{
				MarkdownDescription: "Flosum id of the connection (at least 1). Set this or `salesforce_org_id`; computed when looked up by org id.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"salesforce_org_id": schema.StringAttribute{
				MarkdownDescription: "Salesforce org id of the connection, 15 or 18 characters (a 15-character id is turned into its 18-character case-safe form for the lookup; the attribute keeps what you wrote). Set this or `id`; computed (18 characters) when looked up by id.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{salesforceOrgIDValidator()},
			},
			"salesforce_org_id_18": schema.StringAttribute{
				MarkdownDescription: "Salesforce org id of the connection as the Flosum API gives it, in its 18-character case-safe form, whichever way the connection was looked up. " +
					"When looked up by `salesforce_org_id`, the provider checks that it is the org asked for (comparing the 18-character forms, so a 15-character id matches); " +
					"another org's connection fails with *Unexpected Flosum API Response* and is never stored.",
				Computed: true,
			},
			"external_id":         schema.Int64Attribute{MarkdownDescription: "External id of the connection in Flosum.", Computed: true},
			"name":                schema.StringAttribute{MarkdownDescription: "Name of the connection.", Computed: true},
			"user_full_name":      schema.StringAttribute{MarkdownDescription: "Full name of the Salesforce user the connection authenticates as.", Computed: true},
			"user_name":           schema.StringAttribute{MarkdownDescription: "Username of the Salesforce user the connection authenticates as.", Computed: true},
			"salesforce_org_type": schema.StringAttribute{MarkdownDescription: "Type of the Salesforce org: `PRODUCTION` or `SANDBOX` (any other value the API sends is passed through).", Computed: true},
		},
	}
}

func (d *connectionDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("salesforce_org_id")),
	}
}

func (d *connectionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config connectionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	id := config.ID.ValueInt64()
	var lookup orgLookup
	if config.ID.IsNull() {
		var diags diag.Diagnostics
		lookup, diags = lookupConnectionID(ctx, d.client, config.SalesforceOrgID.ValueString())
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		id = lookup.connectionID
	}

	what := fmt.Sprintf("the connection with id %d", id)
	conn, err := d.client.GetConnection(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(err, request{
			what:     what,
			notFound: fmt.Sprintf("No Flosum connection has id %d. Check the id in Flosum Backup & Archive, or find it with the flosum_connections data source.", id),
		}))
		return
	}
	orgID18, err := sfid.To18(conn.SalesforceOrgID)
	if err != nil {
		resp.Diagnostics.Append(unexpectedAnswerDiagnostic(what, "salesforceOrgId", "a Salesforce org id", fmt.Sprintf("%q (%v)", conn.SalesforceOrgID, err)))
		return
	}
	// A lookup by org id must have led to that org's connection; the
	// 18-character forms compare case-safely.
	if lookup.orgID18 != "" && !strings.EqualFold(orgID18, lookup.orgID18) {
		resp.Diagnostics.Append(unexpectedAnswerDiagnostic(
			fmt.Sprintf("the connection for %s (connection %d, as the API's lookup answered)", lookup.asked, id),
			"salesforceOrgId", lookup.orgID18, orgID18))
		return
	}

	state := connectionModel{
		ID:                types.Int64Value(conn.ID),
		SalesforceOrgID:   types.StringValue(orgID18),
		SalesforceOrgID18: types.StringValue(orgID18),
		ExternalID:        types.Int64Value(conn.ExternalID),
		Name:              types.StringValue(conn.Name),
		UserFullName:      types.StringValue(conn.UserFullName),
		UserName:          types.StringValue(conn.UserName),
		SalesforceOrgType: types.StringValue(conn.SalesforceOrgType),
	}
	if !config.SalesforceOrgID.IsNull() {
		state.SalesforceOrgID = config.SalesforceOrgID // keep what the user wrote
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
