package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// directReader is a data source whose state the protocol server may send
// as it is built, skipping the framework's passes over it after Read (a
// copy, two equality walks and a semantic-equality conversion). For a large
// list those cost several times what reading it does: at 20,000 connections
// they doubled the provider's CPU time and memory. A data source opts in by
// implementing readState and making its Read call readDirectly, so both
// paths build the state with the same code (TestDirectReaders_answerAsTheFrameworkDoes).
type directReader interface {
	datasource.DataSourceWithConfigure
	// readState builds the whole state, as a value of the schema's type,
	// from a configuration whose values are all known.
	readState(ctx context.Context, config tfsdk.Config) (tftypes.Value, diag.Diagnostics)
}

// readDirectly is the Read of a directReader.
func readDirectly(ctx context.Context, r directReader, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	state, diags := r.readState(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if !resp.Diagnostics.HasError() {
		resp.State.Raw = state
	}
}

// NewProtocol6Server returns the provider's protocol server: the framework's,
// except that the data sources that are directReaders are read directly.
// Everything else, validation included, is the framework's.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := &recordingProvider{flosumProvider: newProvider(version)}
		return &protocolServer{
			ProviderServer: providerserver.NewProtocol6(p)(),
			provider:       p,
			direct:         directReaders(context.Background(), p),
		}
	}
}

type protocolServer struct {
	tfprotov6.ProviderServer
	provider *recordingProvider
	// direct holds the provider's directReader data sources by type name.
	direct map[string]directDataSource
}

type directDataSource struct {
	factory func() datasource.DataSource
	schema  schema.Schema
	typ     tftypes.Type
}

// directReaders finds, among the provider's data sources, the directReaders.
func directReaders(ctx context.Context, p provider.Provider) map[string]directDataSource {
	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)
	out := map[string]directDataSource{}
	for _, factory := range p.DataSources(ctx) {
		ds := factory()
		if _, ok := ds.(directReader); !ok {
			continue
		}
		var md datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: meta.TypeName}, &md)
		var sr datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &sr)
		out[md.TypeName] = directDataSource{factory: factory, schema: sr.Schema, typ: sr.Schema.Type().TerraformType(ctx)}
	}
	return out
}

// recordingProvider is the provider, remembering the data its Configure
// gives the data sources, so that a direct read configures its data source
// with the very ProviderData the framework would pass it (the ephemeral
// resources get the same client, whose refresh-token warnings the protocol
// server adds). Embedding keeps
// every optional interface the provider implements.
type recordingProvider struct {
	*flosumProvider
	mu             sync.Mutex
	configured     bool
	dataSourceData any
}

func (p *recordingProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.flosumProvider.Configure(ctx, req, resp)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.configured, p.dataSourceData = !resp.Diagnostics.HasError(), resp.DataSourceData
}

func (p *recordingProvider) providerData() (any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dataSourceData, p.configured
}

// ReadDataSource reads through the direct path or the framework's, then adds
// the warnings about the refresh token (refreshTokenWarnings).
func (s *protocolServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := s.readDataSource(ctx, req)
	if resp != nil {
		resp.Diagnostics = s.withRefreshTokenWarnings(ctx, resp.Diagnostics)
	}
	return resp, err
}

// OpenEphemeralResource is the framework's, then adds the warnings about the
// refresh token, as ReadDataSource does.
func (s *protocolServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	resp, err := s.ProviderServer.OpenEphemeralResource(ctx, req)
	if resp != nil {
		resp.Diagnostics = s.withRefreshTokenWarnings(ctx, resp.Diagnostics)
	}
	return resp, err
}

// withRefreshTokenWarnings adds to diagnostics the warnings about the
// refresh token: here, in the one place every read and open of the provider
// goes through, rather than in each data source or ephemeral resource, so
// that each is told once per provider process.
func (s *protocolServer) withRefreshTokenWarnings(ctx context.Context, diagnostics []*tfprotov6.Diagnostic) []*tfprotov6.Diagnostic {
	data, _ := s.provider.providerData()
	client, _ := data.(*flosumapi.Client)
	var diags diag.Diagnostics
	refreshTokenWarnings(client, &diags)
	return append(diagnostics, protocolDiagnostics(ctx, diags)...)
}

func (s *protocolServer) readDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	d, isDirect := s.direct[req.TypeName]
	data, configured := s.provider.providerData()
	if !isDirect || !configured || req.Config == nil {
		return s.ProviderServer.ReadDataSource(ctx, req)
	}
	config, err := req.Config.Unmarshal(d.typ)
	if err != nil || !config.IsFullyKnown() {
		// Leave anything unusual (such as an unknown value) to the framework.
		return s.ProviderServer.ReadDataSource(ctx, req)
	}

	ds := d.factory().(directReader) //nolint:forcetypeassert // directReaders kept only these
	var configureResp datasource.ConfigureResponse
	ds.Configure(ctx, datasource.ConfigureRequest{ProviderData: data}, &configureResp)
	diags := configureResp.Diagnostics
	if diags.HasError() {
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: protocolDiagnostics(ctx, diags)}, nil
	}
	state, readDiags := ds.readState(ctx, tfsdk.Config{Schema: d.schema, Raw: config})
	diags.Append(readDiags...)
	if diags.HasError() {
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: protocolDiagnostics(ctx, diags)}, nil
	}
	encoded, err := tfprotov6.NewDynamicValue(d.typ, state)
	if err != nil {
		diags.AddError("Unable To Encode The Data Source State", "This is a bug in the provider; please report it: "+err.Error())
		return &tfprotov6.ReadDataSourceResponse{Diagnostics: protocolDiagnostics(ctx, diags)}, nil //nolint:nilerr // reported as a diagnostic, as Terraform expects
	}
	return &tfprotov6.ReadDataSourceResponse{State: &encoded, Diagnostics: protocolDiagnostics(ctx, diags)}, nil
}

// protocolDiagnostics converts diagnostics as the framework does.
func protocolDiagnostics(ctx context.Context, diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		severity := tfprotov6.DiagnosticSeverityInvalid
		switch d.Severity() {
		case diag.SeverityError:
			severity = tfprotov6.DiagnosticSeverityError
		case diag.SeverityWarning:
			severity = tfprotov6.DiagnosticSeverityWarning
		}
		converted := &tfprotov6.Diagnostic{Severity: severity, Summary: d.Summary(), Detail: d.Detail()}
		if withPath, ok := d.(diag.DiagnosticWithPath); ok {
			converted.Attribute = attributePath(ctx, withPath.Path())
		}
		out = append(out, converted)
	}
	return out
}

// attributePath converts a framework path to the protocol's.
func attributePath(ctx context.Context, p path.Path) *tftypes.AttributePath {
	out := tftypes.NewAttributePath()
	for _, step := range p.Steps() {
		switch step := step.(type) {
		case path.PathStepAttributeName:
			out = out.WithAttributeName(string(step))
		case path.PathStepElementKeyInt:
			out = out.WithElementKeyInt(int(step))
		case path.PathStepElementKeyString:
			out = out.WithElementKeyString(string(step))
		case path.PathStepElementKeyValue:
			value, err := step.ToTerraformValue(ctx)
			if err != nil {
				return nil
			}
			out = out.WithElementKeyValue(value)
		}
	}
	return out
}
