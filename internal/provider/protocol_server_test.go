package provider

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// TestProtocolServer_readsConnectionsAsTheFrameworkDoes checks that the
// direct read of flosum_connections answers byte for byte what the
// framework's path answers, for every combination of arguments, and that
// other data sources still go through the framework.
func TestProtocolServer_readsConnectionsAsTheFrameworkDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startServer(t, 2345)
	direct := configuredServer(t, NewProtocol6Server("test")(), srv)
	framework := configuredServer(t, providerserver.NewProtocol6(New("test")())(), srv)
	stateType := connectionsStateType(ctx)

	for _, args := range [][2]string{{"", ""}, {"Sales", ""}, {"", "PRODUCTION"}, {"Finance", "SANDBOX"}, {"no such connection", ""}} {
		t.Run(fmt.Sprintf("search=%q,type=%q", args[0], args[1]), func(t *testing.T) {
			req := &tfprotov6.ReadDataSourceRequest{TypeName: "flosum_connections", Config: connectionsConfig(t, stateType, args[0], args[1])}
			got := readState(t, direct, req)
			want := readState(t, framework, req)
			if !bytes.Equal(got, want) {
				t.Fatalf("the direct read's state (%d bytes) differs from the framework's (%d bytes)", len(got), len(want))
			}
			if len(got) < 10 {
				t.Fatalf("state of %d bytes is implausibly small", len(got))
			}
		})
	}

	// Other data sources still go through the framework: flosum_connection
	// is served, with the same state as the framework's own server gives.
	t.Run("flosum_connection", func(t *testing.T) {
		req := &tfprotov6.ReadDataSourceRequest{TypeName: "flosum_connection", Config: connectionConfig(t, direct, 3)}
		got := readState(t, direct, req)
		if want := readState(t, framework, req); !bytes.Equal(got, want) {
			t.Fatalf("flosum_connection's state (%d bytes) differs from the framework's (%d bytes)", len(got), len(want))
		}
		if name := stateString(t, direct, "flosum_connection", got, "name"); name != testserver.Seed(3)[2].Name {
			t.Errorf("flosum_connection with id 3 has name %q, want %q", name, testserver.Seed(3)[2].Name)
		}
	})

	// A failing read is answered with the diagnostic, and no state.
	bad := configuredServerWithToken(t, NewProtocol6Server("test")(), srv, "wrong-token")
	before := srv.CountRequests("/api/v1/connections")
	resp, err := bad.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "flosum_connections", Config: connectionsConfig(t, stateType, "", "")})
	if err != nil || len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Invalid Flosum Access Token" || resp.State != nil {
		t.Fatalf("read with a wrong token = %+v, %v; want one Invalid Flosum Access Token diagnostic", resp, err)
	}
	if got := srv.CountRequests("/api/v1/connections") - before; got != 1 {
		t.Errorf("the failing read made %d requests, want 1 (401 is not retried)", got)
	}
}

// connectionsConfig is flosum_connections' configuration; "" means null.
func connectionsConfig(t *testing.T, stateType tftypes.Type, search, orgType string) *tfprotov6.DynamicValue {
	t.Helper()
	str := func(s string) tftypes.Value {
		if s == "" {
			return tftypes.NewValue(tftypes.String, nil)
		}
		return tftypes.NewValue(tftypes.String, s)
	}
	attrTypes := stateType.(tftypes.Object).AttributeTypes //nolint:forcetypeassert // a schema's type is an object
	config, err := tfprotov6.NewDynamicValue(stateType, tftypes.NewValue(stateType, map[string]tftypes.Value{
		"search": str(search), "salesforce_org_type": str(orgType),
		"total":       tftypes.NewValue(tftypes.Number, nil),
		"ids":         tftypes.NewValue(attrTypes["ids"], nil),
		"connections": tftypes.NewValue(attrTypes["connections"], nil),
	}))
	if err != nil {
		t.Fatal(err)
	}
	return &config
}

// connectionConfig is flosum_connection's configuration with id set and
// every other attribute null.
func connectionConfig(t *testing.T, server tfprotov6.ProviderServer, id int64) *tfprotov6.DynamicValue {
	t.Helper()
	objectType := dataSourceType(t, server, "flosum_connection")
	values := map[string]tftypes.Value{}
	for name, typ := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	values["id"] = tftypes.NewValue(tftypes.Number, id)
	config, err := tfprotov6.NewDynamicValue(objectType, tftypes.NewValue(objectType, values))
	if err != nil {
		t.Fatal(err)
	}
	return &config
}

// dataSourceType is a data source's schema type, as server reports it.
func dataSourceType(t *testing.T, server tfprotov6.ProviderServer, typeName string) tftypes.Object {
	t.Helper()
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	schema, ok := schemas.DataSourceSchemas[typeName]
	if !ok {
		t.Fatalf("the provider has no data source %s", typeName)
	}
	return schema.ValueType().(tftypes.Object) //nolint:forcetypeassert // a schema's type is an object
}

// stateString decodes a data source's msgpack state and returns one of its
// string attributes.
func stateString(t *testing.T, server tfprotov6.ProviderServer, typeName string, state []byte, attr string) string {
	t.Helper()
	dv := tfprotov6.DynamicValue{MsgPack: state}
	value, err := dv.Unmarshal(dataSourceType(t, server, typeName))
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := value.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var s string
	if err := attrs[attr].As(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func configuredServer(t *testing.T, server tfprotov6.ProviderServer, srv *testserver.Server) tfprotov6.ProviderServer {
	t.Helper()
	return configuredServerWithToken(t, server, srv, srv.Token())
}

func configuredServerWithToken(t *testing.T, server tfprotov6.ProviderServer, srv *testserver.Server, token string) tfprotov6.ProviderServer {
	t.Helper()
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType := schemas.Provider.ValueType()
	values := map[string]tftypes.Value{}
	for name, typ := range providerType.(tftypes.Object).AttributeTypes { //nolint:forcetypeassert // a schema's type is an object
		values[name] = tftypes.NewValue(typ, nil)
	}
	values["base_url"] = tftypes.NewValue(tftypes.String, srv.URL)
	values["access_token"] = tftypes.NewValue(tftypes.String, token)
	config, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, values))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: &config})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("ConfigureProvider = %+v, %v", resp, err)
	}
	return server
}

func readState(t *testing.T, server tfprotov6.ProviderServer, req *tfprotov6.ReadDataSourceRequest) []byte {
	t.Helper()
	resp, err := server.ReadDataSource(context.Background(), req)
	if err != nil || len(resp.Diagnostics) > 0 || resp.State == nil {
		t.Fatalf("ReadDataSource = %+v, %v", resp, err)
	}
	return resp.State.MsgPack
}
