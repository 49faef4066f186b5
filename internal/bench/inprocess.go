package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
)

// InProcessProvider drives the provider through the same protocol-6 calls
// Terraform makes (ConfigureProvider, ReadDataSource), in this process, so a
// Go benchmark can profile the whole Read path: decoding, building values,
// the framework's conversion and the msgpack encoding of the answer.
type InProcessProvider struct {
	server  tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

// NewInProcessProvider makes a provider server and reads its schemas.
func NewInProcessProvider(ctx context.Context) (*InProcessProvider, error) {
	server := provider.NewProtocol6Server("bench")()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(schemas.Diagnostics); err != nil {
		return nil, err
	}
	return &InProcessProvider{server: server, schemas: schemas}, nil
}

// Configure configures the provider for a server; each call makes a new API
// client, as each Terraform command does.
func (p *InProcessProvider) Configure(ctx context.Context, baseURL, token string, maxConcurrent int64) error {
	attrs := map[string]any{"base_url": baseURL, "access_token": token}
	if maxConcurrent > 0 {
		attrs["max_concurrent_requests"] = maxConcurrent
	}
	config, err := dynamicValue(p.schemas.Provider, attrs)
	if err != nil {
		return err
	}
	resp, err := p.server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: config})
	if err != nil {
		return err
	}
	return diagnosticsError(resp.Diagnostics)
}

// ReadConnections reads flosum_connections with the given search (none when
// empty) and returns the size of the msgpack state sent back to Terraform.
func (p *InProcessProvider) ReadConnections(ctx context.Context, search string) (int, error) {
	attrs := map[string]any{}
	if search != "" {
		attrs["search"] = search
	}
	return p.read(ctx, "flosum_connections", attrs)
}

func (p *InProcessProvider) read(ctx context.Context, typeName string, attrs map[string]any) (int, error) {
	state, err := p.readState(ctx, typeName, attrs)
	if err != nil {
		return 0, err
	}
	return len(state.MsgPack), nil
}

func (p *InProcessProvider) readState(ctx context.Context, typeName string, attrs map[string]any) (*tfprotov6.DynamicValue, error) {
	schema, ok := p.schemas.DataSourceSchemas[typeName]
	if !ok {
		return nil, fmt.Errorf("the provider has no data source %s", typeName)
	}
	config, err := dynamicValue(schema, attrs)
	if err != nil {
		return nil, err
	}
	resp, err := p.server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: config})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(resp.Diagnostics); err != nil {
		return nil, err
	}
	if resp.State == nil {
		return nil, fmt.Errorf("%s returned no state", typeName)
	}
	return resp.State, nil
}

// dynamicValue encodes a configuration object: attrs maps attribute names to
// Go strings or int64s; every other attribute is null.
func dynamicValue(schema *tfprotov6.Schema, attrs map[string]any) (*tfprotov6.DynamicValue, error) {
	objectType, ok := schema.ValueType().(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("schema type %s is not an object", schema.ValueType())
	}
	values := make(map[string]tftypes.Value, len(objectType.AttributeTypes))
	for name, typ := range objectType.AttributeTypes {
		v, set := attrs[name]
		if !set {
			values[name] = tftypes.NewValue(typ, nil)
			continue
		}
		values[name] = tftypes.NewValue(typ, v)
	}
	for name := range attrs {
		if _, known := objectType.AttributeTypes[name]; !known {
			return nil, fmt.Errorf("the schema has no attribute %s", name)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
	if err != nil {
		return nil, err
	}
	return &dv, nil
}

func diagnosticsError(diags []*tfprotov6.Diagnostic) error {
	var errs []string
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d.Summary+": "+d.Detail)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(errs, "; "))
}
