package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var _ ephemeral.EphemeralResourceWithConfigure = (*accessTokenEphemeralResource)(nil)

// accessTokenEphemeralResource hands the provider's access token to another
// tool without it reaching state or plan.
type accessTokenEphemeralResource struct {
	client *flosumapi.Client
}

type accessTokenModel struct {
	AccessToken types.String `tfsdk:"access_token"`
	ExpiresAt   types.String `tfsdk:"expires_at"`
}

func newAccessTokenEphemeralResource() ephemeral.EphemeralResource {
	return &accessTokenEphemeralResource{}
}

func (r *accessTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (r *accessTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The access token the provider sends to the Flosum Backup API, for handing to another tool (such as a `local-exec` provisioner's environment or another provider) without it reaching state or plan. " +
			"With OAuth it is one the provider obtained, not about to expire; with `access_token`, that token. Needs Terraform 1.10 or later.",
		Attributes: map[string]schema.Attribute{
			"access_token": schema.StringAttribute{
				MarkdownDescription: "Bearer access token for the Flosum Backup API.",
				Computed:            true,
				Sensitive:           true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the access token expires, in RFC 3339 (UTC), from the token endpoint's `expires_in`; null with a static `access_token`, whose expiry the provider does not know.",
				Computed:            true,
			},
		},
	}
}

func (r *accessTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *accessTokenEphemeralResource) Open(ctx context.Context, _ ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	token, expires, err := r.client.AccessToken(ctx)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostic(err, request{what: "an access token for flosum_access_token"}))
		return
	}
	result := accessTokenModel{AccessToken: types.StringValue(token), ExpiresAt: types.StringNull()}
	if !expires.IsZero() {
		result.ExpiresAt = types.StringValue(expires.UTC().Format(time.RFC3339))
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, &result)...)
}
