package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/sfid"
)

var _ datasource.DataSourceWithConfigure = (*connectionIDDataSource)(nil)

// connectionIDDataSource is flosum_connection_id: the Flosum id of the
// connection for a Salesforce org id.
type connectionIDDataSource struct {
	apiClient
}

type connectionIDModel struct {
	SalesforceOrgID types.String `tfsdk:"salesforce_org_id"`
	ConnectionID    types.Int64  `tfsdk:"connection_id"`
}

func newConnectionIDDataSource() datasource.DataSource { return &connectionIDDataSource{} }

func (d *connectionIDDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection_id"
}

func (d *connectionIDDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds the Flosum id of the Backup & Archive connection for a Salesforce org id.",
		Attributes: map[string]schema.Attribute{
			"salesforce_org_id": schema.StringAttribute{
				MarkdownDescription: "Salesforce org id, 15 or 18 letters and digits (as Setup > Company Information or any Salesforce API shows it). A 15-character id is turned into its 18-character case-safe form for the lookup; the attribute keeps what you wrote.",
				Required:            true,
				Validators:          []validator.String{salesforceOrgIDValidator()},
			},
			"connection_id": schema.Int64Attribute{
				MarkdownDescription: "Flosum id of the connection, as `flosum_connection` takes it.",
				Computed:            true,
			},
		},
	}
}

func (d *connectionIDDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config connectionIDModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	lookup, diags := lookupConnectionID(ctx, d.client, config.SalesforceOrgID.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	config.ConnectionID = types.Int64Value(lookup.connectionID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// orgLookup is what a lookup by Salesforce org id asked and found.
type orgLookup struct {
	// orgID18 is the org id asked for, in its 18-character form.
	orgID18 string
	// asked names it in a sentence, as the user wrote it and as sent.
	asked        string
	connectionID int64
}

// lookupConnectionID resolves a Salesforce org id, 15 or 18 characters, to a
// connection id. The API is asked with the 18-character case-safe form.
func lookupConnectionID(ctx context.Context, client *flosumapi.Client, orgID string) (orgLookup, diag.Diagnostics) {
	var diags diag.Diagnostics
	id18, err := sfid.To18(orgID)
	if err != nil {
		diags.AddAttributeError(path.Root("salesforce_org_id"), "Invalid Salesforce Org ID", invalidOrgIDDetail(err))
		return orgLookup{}, diags
	}
	lookup := orgLookup{orgID18: id18, asked: "Salesforce org id " + orgID}
	if id18 != orgID {
		lookup.asked += fmt.Sprintf(" (sent as %s)", id18)
	}
	lookup.connectionID, err = client.GetConnectionID(ctx, id18)
	if err != nil {
		diags.Append(apiErrorDiagnostic(err, request{
			what:     "the connection for " + lookup.asked,
			notFound: "No Flosum connection backs up the Salesforce org with " + lookup.asked + ". Check the org id, and that the org is connected in Flosum Backup & Archive.",
		}))
	}
	return lookup, diags
}
