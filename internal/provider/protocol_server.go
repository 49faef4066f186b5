package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewProtocol6Server returns the provider's protocol server: the framework's,
// except that flosum_connections is read directly. For a large list the
// framework's own passes over the state (a copy, two equality walks and a
// semantic-equality conversion) cost several times what reading it does:
// at 20,000 connections they doubled the provider's CPU time and memory.
// Everything else, validation included, is the framework's.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := newProvider(version)
		return &protocolServer{ProviderServer: providerserver.NewProtocol6(p)(), provider: p}
	}
}

type protocolServer struct {
	tfprotov6.ProviderServer
	provider *flosumProvider
}

func (s *protocolServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	client := s.provider.client.Load()
	if req.TypeName != "flosum_connections" || client == nil || req.Config == nil {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	stateType := connectionsStateType(ctx)
	search, orgType, ok := connectionsArguments(req.Config, stateType)
	if !ok {
		// Leave anything unusual (such as an unknown value) to the framework.
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	state, diags := readConnections(ctx, client, stateType, search, orgType)
	if diags.HasError() {
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: protocolDiagnostics(diags)}, nil
	}
	encoded, err := tfprotov6.NewDynamicValue(stateType, state)
	if err != nil {
		diags.AddError("Unable To Encode The Connections State", "This is a bug in the provider; please report it: "+err.Error())
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: protocolDiagnostics(diags)}, nil //nolint:nilerr // reported as a diagnostic, as Terraform expects
	}
	return &tfprotov6.ReadDataSourceResponse{State: &encoded, Diagnostics: protocolDiagnostics(diags)}, nil
}

// connectionsStateType is flosum_connections' schema type.
func connectionsStateType(ctx context.Context) tftypes.Type {
	var resp datasource.SchemaResponse
	(&connectionsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &resp)
	return resp.Schema.Type().TerraformType(ctx)
}

// connectionsArguments reads search and salesforce_org_type from the
// configuration; ok is false when either is not a known string or null.
func connectionsArguments(config *tfprotov6.DynamicValue, stateType tftypes.Type) (search, orgType types.String, ok bool) {
	value, err := config.Unmarshal(stateType)
	if err != nil || !value.IsFullyKnown() {
		return search, orgType, false
	}
	var attrs map[string]tftypes.Value
	if value.As(&attrs) != nil {
		return search, orgType, false
	}
	read := func(name string) (types.String, bool) {
		var s *string
		if attrs[name].As(&s) != nil {
			return types.String{}, false
		}
		return types.StringPointerValue(s), true
	}
	search, searchOK := read("search")
	orgType, orgTypeOK := read("salesforce_org_type")
	return search, orgType, searchOK && orgTypeOK
}

// protocolDiagnostics converts readConnections' diagnostics, which name no
// attribute (the read has no argument an API error could be blamed on).
func protocolDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		severity := tfprotov6.DiagnosticSeverityWarning
		if d.Severity() == diag.SeverityError {
			severity = tfprotov6.DiagnosticSeverityError
		}
		out = append(out, &tfprotov6.Diagnostic{Severity: severity, Summary: d.Summary(), Detail: d.Detail()})
	}
	return out
}
