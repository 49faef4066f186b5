package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// apiClient is embedded in every data source: its Configure takes the client
// the provider made, so no data source repeats that code.
type apiClient struct {
	client *flosumapi.Client
}

func (a *apiClient) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	// ProviderData is nil during validation, before the provider is configured.
	if req.ProviderData == nil {
		return
	}
	client, ok := req.ProviderData.(*flosumapi.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected a *flosumapi.Client but got %T. This is a bug in the provider; please report it.", req.ProviderData))
		return
	}
	a.client = client
}
