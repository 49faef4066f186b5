package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// apiClient is embedded in every data source: its Configure takes the client
// the provider made, so no data source repeats that code.
type apiClient struct {
	client *flosumapi.Client
}

func (a *apiClient) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	a.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// clientFrom returns the client the provider made, from a data source's or
// ephemeral resource's ProviderData: nil during validation, before the
// provider is configured.
func clientFrom(providerData any, diags *diag.Diagnostics) *flosumapi.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(*flosumapi.Client)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected a *flosumapi.Client but got %T. This is a bug in the provider; please report it.", providerData))
	}
	return client
}
