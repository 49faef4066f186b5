package provider

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// directReadArguments gives, for each data source that is a directReader,
// the configurations (arguments set; every other attribute null) for which
// its direct answer must be the framework's. A data source that opts in
// without them fails TestDirectReaders_answerAsTheFrameworkDoes.
var directReadArguments = map[string][]map[string]any{
	"flosum_connections": {
		{}, {"search": "Sales"}, {"salesforce_org_type": "PRODUCTION"},
		{"search": "Finance", "salesforce_org_type": "SANDBOX"}, {"search": "no such connection"},
	},
	"flosum_backups": {
		{"connection_id": 5}, {"connection_id": 7, "statuses": stringValues("Completed", "Aborted")}, {"connection_id": 7, "search": "no such backup"},
		{"connection_id": 2, "types": stringValues("full", "archive"), "include_metadata": true, "start_date": "2020-01-01T00:00:00Z", "end_date": "2100-01-01T00:00:00Z"},
	},
	"flosum_backup_templates": {
		{"connection_id": 3}, {"connection_id": 3, "types": stringValues("archive")}, {"connection_id": 4, "search": "no such template"},
	},
}

// stringValues is a set or list of strings, as a tftypes value takes it.
func stringValues(values ...string) []tftypes.Value {
	out := make([]tftypes.Value, len(values))
	for i, v := range values {
		out[i] = tftypes.NewValue(tftypes.String, v)
	}
	return out
}

// TestDirectReaders_answerAsTheFrameworkDoes checks, for every data source
// of the provider that is a directReader, that the protocol server's direct
// answer is byte for byte the framework's, for several configurations and
// for a failing read; and that other data sources still go through the
// framework.
func TestDirectReaders_answerAsTheFrameworkDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startServer(t, 2345)
	direct := configuredServer(t, NewProtocol6Server("test")(), srv)
	framework := configuredServer(t, providerserver.NewProtocol6(New("test")())(), srv)
	badSrv := startServer(t, 3)
	badDirect := configuredServerWithToken(t, NewProtocol6Server("test")(), badSrv, "wrong-token")
	badFramework := configuredServerWithToken(t, providerserver.NewProtocol6(New("test")())(), badSrv, "wrong-token")

	p := newProvider("test")
	readers := 0
	for _, factory := range p.DataSources(ctx) {
		if _, ok := factory().(directReader); !ok {
			continue
		}
		readers++
		var md datasource.MetadataResponse
		factory().Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "flosum"}, &md)
		typeName := md.TypeName
		configs := directReadArguments[typeName]
		if len(configs) < 3 {
			t.Errorf("%s is a directReader but directReadArguments gives it %d configurations: give it at least 3", typeName, len(configs))
			continue
		}
		for _, args := range configs {
			t.Run(fmt.Sprintf("%s %v", typeName, args), func(t *testing.T) {
				req := &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: dataSourceConfig(t, direct, typeName, args)}
				got := readState(t, direct, req)
				if want := readState(t, framework, req); !bytes.Equal(got, want) {
					t.Fatalf("the direct read's state (%d bytes) differs from the framework's (%d bytes)", len(got), len(want))
				}
				if len(got) < 10 {
					t.Fatalf("state of %d bytes is implausibly small", len(got))
				}
			})
		}

		// A failing read: the same diagnostics, and no state; the same
		// requests (one: 401 is not retried).
		t.Run(typeName+" failing", func(t *testing.T) {
			req := &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: dataSourceConfig(t, direct, typeName, configs[0])}
			before := badSrv.RequestCount()
			got, err := badDirect.ReadDataSource(ctx, req)
			if err != nil || got.State != nil || len(got.Diagnostics) != 1 || got.Diagnostics[0].Summary != "Invalid Flosum Access Token" {
				t.Fatalf("read with a wrong token = %+v, %v; want one Invalid Flosum Access Token diagnostic and no state", got, err)
			}
			directRequests := badSrv.RequestCount() - before
			want, err := badFramework.ReadDataSource(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if frameworkRequests := badSrv.RequestCount() - before - directRequests; directRequests != 1 || frameworkRequests != 1 {
				t.Errorf("the failing reads made %d (direct) and %d (framework) requests, want 1 each", directRequests, frameworkRequests)
			}
			if g, w := fmt.Sprint(diagnosticTexts(got.Diagnostics)), fmt.Sprint(diagnosticTexts(want.Diagnostics)); g != w {
				t.Errorf("diagnostics differ:\n direct    %s\n framework %s", g, w)
			}
		})
	}
	if readers == 0 {
		t.Fatal("no data source is a directReader: the protocol server has nothing to read directly")
	}

	// Other data sources still go through the framework: flosum_connection
	// is served, with the same state as the framework's own server gives.
	t.Run("flosum_connection", func(t *testing.T) {
		req := &tfprotov6.ReadDataSourceRequest{TypeName: "flosum_connection", Config: dataSourceConfig(t, direct, "flosum_connection", map[string]any{"id": 3})}
		got := readState(t, direct, req)
		if want := readState(t, framework, req); !bytes.Equal(got, want) {
			t.Fatalf("flosum_connection's state (%d bytes) differs from the framework's (%d bytes)", len(got), len(want))
		}
		if name := stateString(t, direct, "flosum_connection", got, "name"); name != testserver.Seed(3)[2].Name {
			t.Errorf("flosum_connection with id 3 has name %q, want %q", name, testserver.Seed(3)[2].Name)
		}
	})
}

// frameworkReads counts the reads the protocol server leaves to the
// framework, and passes them on to ProviderServer when there is one.
type frameworkReads struct {
	tfprotov6.ProviderServer
	reads int
}

func (f *frameworkReads) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	f.reads++
	if f.ProviderServer == nil {
		return &tfprotov6.ReadDataSourceResponse{}, nil
	}
	return f.ProviderServer.ReadDataSource(ctx, req)
}

// TestProtocolServer_leavesTheUnusualToTheFramework checks which reads the
// protocol server answers itself: a directReader's, configured, with known
// values; everything else goes to the framework.
func TestProtocolServer_leavesTheUnusualToTheFramework(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := startServer(t, 5)
	counted := func(server tfprotov6.ProviderServer) (tfprotov6.ProviderServer, *frameworkReads) {
		s := server.(*protocolServer) //nolint:forcetypeassert // NewProtocol6Server makes one
		counter := &frameworkReads{ProviderServer: s.ProviderServer}
		s.ProviderServer = counter
		return s, counter
	}
	configured, reads := counted(configuredServer(t, NewProtocol6Server("test")(), srv))
	read := func(server tfprotov6.ProviderServer, typeName string, args map[string]any) *tfprotov6.ReadDataSourceResponse {
		resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: dataSourceConfig(t, configured, typeName, args)})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	if resp := read(configured, "flosum_connections", map[string]any{"search": "Sales"}); resp.State == nil || len(resp.Diagnostics) > 0 || reads.reads != 0 {
		t.Fatalf("a known configuration: %+v, %d reads left to the framework; want a state read directly", resp, reads.reads)
	}
	read(configured, "flosum_connections", map[string]any{"search": tftypes.UnknownValue})
	if reads.reads != 1 {
		t.Errorf("an unknown search: %d reads left to the framework, want 1", reads.reads)
	}
	read(configured, "flosum_connection", map[string]any{"id": 2})
	if reads.reads != 2 {
		t.Errorf("flosum_connection: %d reads left to the framework, want 2", reads.reads)
	}

	// Not configured: the framework's (here a stand-in, as the framework
	// would read with no client).
	unconfigured := NewProtocol6Server("test")().(*protocolServer) //nolint:forcetypeassert // as above
	standIn := &frameworkReads{}
	unconfigured.ProviderServer = standIn
	read(unconfigured, "flosum_connections", map[string]any{})
	if standIn.reads != 1 {
		t.Errorf("not configured: %d reads left to the framework, want 1", standIn.reads)
	}
}

// TestProtocolDiagnostics_asTheFrameworkDoes checks the conversion of
// diagnostics with attribute paths.
func TestProtocolDiagnostics_asTheFrameworkDoes(t *testing.T) {
	t.Parallel()
	var diags diag.Diagnostics
	diags.AddAttributeError(path.Root("salesforce_org_id"), "Invalid Salesforce Org ID", "detail")
	diags.AddAttributeWarning(path.Root("connections").AtListIndex(2).AtName("name"), "Odd Name", "detail 2")
	diags.AddAttributeWarning(path.Root("tags").AtMapKey("team"), "Odd Tag", "detail 3")
	diags.AddWarning("Plain Warning", "detail 4")
	got := diagnosticTexts(protocolDiagnostics(context.Background(), diags))
	want := []string{
		`ERROR|Invalid Salesforce Org ID|detail|AttributeName("salesforce_org_id")`,
		`WARNING|Odd Name|detail 2|AttributeName("connections").ElementKeyInt(2).AttributeName("name")`,
		`WARNING|Odd Tag|detail 3|AttributeName("tags").ElementKeyString("team")`,
		`WARNING|Plain Warning|detail 4|`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("diagnostics = %q, want %q", got, want)
	}
}

// diagnosticTexts renders protocol diagnostics for comparison.
func diagnosticTexts(diags []*tfprotov6.Diagnostic) []string {
	out := make([]string, len(diags))
	for i, d := range diags {
		attr := ""
		if d.Attribute != nil {
			attr = d.Attribute.String()
		}
		out[i] = fmt.Sprintf("%s|%s|%s|%s", d.Severity, d.Summary, d.Detail, attr)
	}
	return out
}

// dataSourceConfig is a data source's configuration with args set and
// every other attribute null.
func dataSourceConfig(t *testing.T, server tfprotov6.ProviderServer, typeName string, args map[string]any) *tfprotov6.DynamicValue {
	t.Helper()
	objectType := dataSourceType(t, server, typeName)
	values := map[string]tftypes.Value{}
	for name, typ := range objectType.AttributeTypes {
		values[name] = tftypes.NewValue(typ, nil)
	}
	for name, v := range args {
		typ, ok := objectType.AttributeTypes[name]
		if !ok {
			t.Fatalf("%s has no attribute %s", typeName, name)
		}
		values[name] = tftypes.NewValue(typ, v)
	}
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
