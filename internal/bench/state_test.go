package bench

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// referenceModel mirrors flosum_connections' schema, for building the state
// the plain framework way: attr.Values set through State.Set.
type referenceModel struct {
	Search            types.String `tfsdk:"search"`
	SalesforceOrgType types.String `tfsdk:"salesforce_org_type"`
	Total             types.Int64  `tfsdk:"total"`
	IDs               types.List   `tfsdk:"ids"`
	Connections       types.List   `tfsdk:"connections"`
}

var referenceItemTypes = map[string]attr.Type{
	"id": types.Int64Type, "external_id": types.Int64Type, "name": types.StringType,
	"user_name": types.StringType, "salesforce_org_type": types.StringType,
}

// referenceState is the msgpack state the framework makes from the model of
// the connections srv would list for search and orgType.
func referenceState(t *testing.T, conns []testserver.Connection, search, orgType string) []byte {
	t.Helper()
	ctx := context.Background()
	var kept []testserver.Connection
	for _, c := range conns {
		if (search == "" || testserver.Matches(c, search)) && (orgType == "" || c.SalesforceOrgType == orgType) {
			kept = append(kept, c)
		}
	}
	slices.SortFunc(kept, func(a, b testserver.Connection) int { return cmp.Compare(a.ID, b.ID) })
	ids := make([]attr.Value, 0, len(kept))
	items := make([]attr.Value, 0, len(kept))
	for _, c := range kept {
		ids = append(ids, types.Int64Value(c.ID))
		items = append(items, types.ObjectValueMust(referenceItemTypes, map[string]attr.Value{
			"id": types.Int64Value(c.ID), "external_id": types.Int64Value(c.ExternalID), "name": types.StringValue(c.Name),
			"user_name": types.StringValue(c.UserName), "salesforce_org_type": types.StringValue(c.SalesforceOrgType),
		}))
	}
	model := referenceModel{
		Search: types.StringNull(), SalesforceOrgType: types.StringNull(), Total: types.Int64Value(int64(len(kept))),
		IDs:         types.ListValueMust(types.Int64Type, ids),
		Connections: types.ListValueMust(types.ObjectType{AttrTypes: referenceItemTypes}, items),
	}
	if search != "" {
		model.Search = types.StringValue(search)
	}
	if orgType != "" {
		model.SalesforceOrgType = types.StringValue(orgType)
	}

	schema := connectionsSchema(t)
	stateType := schema.Type().TerraformType(ctx)
	state := tfsdk.State{Schema: schema, Raw: tftypes.NewValue(stateType, nil)}
	if diags := state.Set(ctx, &model); diags.HasError() {
		t.Fatalf("State.Set: %v", diags)
	}
	dv, err := tfprotov6.NewDynamicValue(stateType, state.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return dv.MsgPack
}

func connectionsSchema(t *testing.T) dsschema.Schema {
	t.Helper()
	ctx := context.Background()
	p := provider.New("test")()
	for _, newDataSource := range p.DataSources(ctx) {
		ds := newDataSource()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "flosum"}, &meta)
		if meta.TypeName != "flosum_connections" {
			continue
		}
		var resp datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
		return resp.Schema
	}
	t.Fatal("the provider has no flosum_connections data source")
	return dsschema.Schema{}
}

// TestConnectionsStateMatchesFramework checks that the state
// flosum_connections builds directly as a tftypes.Value is byte for byte the
// state the framework makes from attr.Values, for every filter.
func TestConnectionsStateMatchesFramework(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	conns := testserver.Seed(2500) // two pages
	conns = append(conns, testserver.Connection{
		ID: 1 << 60, ExternalID: -(1 << 62), Name: `Zürich "quoted" \ name`, UserFullName: "Ünïcode",
		UserName: "odd\u2028user@example.com", SalesforceOrgID: "00D000000000001AAA", SalesforceOrgType: "SCRATCH",
	})
	srv := testserver.Start(t, testserver.Options{Connections: conns})
	p, err := NewInProcessProvider(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Configure(ctx, srv.URL, srv.Token(), 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ search, orgType string }{
		{}, {orgType: "SANDBOX"}, {orgType: "PRODUCTION"}, {search: "finance"}, {search: "finance", orgType: "PRODUCTION"},
		{search: "no such connection"}, {search: "zürich"},
	} {
		got, err := p.readConnectionsState(ctx, tc.search, tc.orgType)
		if err != nil {
			t.Fatalf("search %q, org type %q: %v", tc.search, tc.orgType, err)
		}
		want := referenceState(t, conns, tc.search, tc.orgType)
		if !bytes.Equal(got, want) {
			t.Errorf("search %q, org type %q: the state (%d bytes) differs from the framework's (%d bytes)%s",
				tc.search, tc.orgType, len(got), len(want), firstDifference(got, want))
		}
	}
}

func firstDifference(a, b []byte) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			lo := max(0, i-40)
			return "; first at byte " + strconv.Itoa(i) + ": " + strings.ToValidUTF8(string(a[lo:min(len(a), i+40)]), "?") + " vs " + strings.ToValidUTF8(string(b[lo:min(len(b), i+40)]), "?")
		}
	}
	return ""
}
