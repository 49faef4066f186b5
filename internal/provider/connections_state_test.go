package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// TestConnectionsState_matchesTheFrameworkWay checks that the state
// connectionsState builds directly as a tftypes.Value is, byte for byte on
// the wire, the state the framework makes from a connectionsModel of
// attr.Values through State.Set, for every argument combination.
func TestConnectionsState_matchesTheFrameworkWay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var schemaResp datasource.SchemaResponse
	(&connectionsDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
	stateType := schemaResp.Schema.Type().TerraformType(ctx)

	var all []flosumapi.ConnectionSummary
	for _, c := range testserver.Seed(2500) {
		all = append(all, flosumapi.ConnectionSummary{ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, UserName: c.UserName, SalesforceOrgType: c.SalesforceOrgType})
	}
	all = append(all, flosumapi.ConnectionSummary{ID: 1 << 60, ExternalID: -(1 << 62), Name: `Zürich "quoted" \ name`, UserName: "odd\u2028user@example.com", SalesforceOrgType: "SCRATCH"})

	for _, tc := range []struct{ search, orgType types.String }{
		{types.StringNull(), types.StringNull()},
		{types.StringNull(), types.StringValue("SANDBOX")},
		{types.StringValue("finance"), types.StringValue("PRODUCTION")},
		{types.StringValue("zürich"), types.StringNull()},
	} {
		got, err := connectionsState(ctx, stateType, tc.search, tc.orgType, all)
		if err != nil {
			t.Fatalf("search %s, org type %s: %v", tc.search, tc.orgType, err)
		}

		ids, items := []attr.Value{}, []attr.Value{}
		for _, c := range all {
			if !tc.orgType.IsNull() && c.SalesforceOrgType != tc.orgType.ValueString() {
				continue
			}
			ids = append(ids, types.Int64Value(c.ID))
			items = append(items, types.ObjectValueMust(connectionItemTypes, map[string]attr.Value{
				"id": types.Int64Value(c.ID), "external_id": types.Int64Value(c.ExternalID), "name": types.StringValue(c.Name),
				"user_name": types.StringValue(c.UserName), "salesforce_org_type": types.StringValue(c.SalesforceOrgType),
			}))
		}
		if len(ids) == 0 {
			t.Fatalf("org type %s keeps no connection: the case would check nothing", tc.orgType)
		}
		want := tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(stateType, nil)}
		if diags := want.Set(ctx, &connectionsModel{
			Search: tc.search, SalesforceOrgType: tc.orgType, Total: types.Int64Value(int64(len(ids))),
			IDs:         types.ListValueMust(types.Int64Type, ids),
			Connections: types.ListValueMust(types.ObjectType{AttrTypes: connectionItemTypes}, items),
		}); diags.HasError() {
			t.Fatalf("State.Set: %v", diags)
		}

		if !got.Equal(want.Raw) {
			t.Fatalf("search %s, org type %s: the state differs from the framework's", tc.search, tc.orgType)
		}
		gotWire, err := tfprotov6.NewDynamicValue(stateType, got)
		if err != nil {
			t.Fatal(err)
		}
		wantWire, err := tfprotov6.NewDynamicValue(stateType, want.Raw)
		if err != nil {
			t.Fatal(err)
		}
		if string(gotWire.MsgPack) != string(wantWire.MsgPack) {
			t.Fatalf("search %s, org type %s: the encoded state (%d bytes) differs from the framework's (%d bytes)",
				tc.search, tc.orgType, len(gotWire.MsgPack), len(wantWire.MsgPack))
		}
	}
}
