package provider

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func dataSourceSchema(t *testing.T, ds datasource.DataSource) dsschema.Schema {
	t.Helper()
	var resp datasource.SchemaResponse
	ds.Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	requireNoDiags(t, resp.Diagnostics)
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("schema does not validate: %v", diags)
	}
	return resp.Schema
}

func providerSchema(t *testing.T) provider.SchemaResponse {
	t.Helper()
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	requireNoDiags(t, resp.Diagnostics)
	return resp
}

// roundTrip sets model into a state of schema s, reads it back into out, and
// fails on any diagnostic: a model field whose tfsdk tag or type disagrees
// with the schema fails here rather than in a user's plan.
func roundTrip(t *testing.T, schemaValue tfsdk.State, model, out any) {
	t.Helper()
	ctx := context.Background()
	requireNoDiags(t, schemaValue.Set(ctx, model))
	requireNoDiags(t, schemaValue.Get(ctx, out))
	requireModelsEqual(t, model, out)
}

// requireModelsEqual compares two pointers to the same model struct field by
// field with attr.Value.Equal.
func requireModelsEqual(t *testing.T, want, got any) {
	t.Helper()
	wv, gv := reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem()
	for i := range wv.NumField() {
		w, _ := wv.Field(i).Interface().(attr.Value)
		g, _ := gv.Field(i).Interface().(attr.Value)
		if w == nil || g == nil || !w.Equal(g) {
			t.Errorf("field %s: got %v, want %v", wv.Type().Field(i).Name, g, w)
		}
	}
}

func emptyState(s dsschema.Schema) tfsdk.State {
	return tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(context.Background()), nil)}
}

func TestConnectionDataSource_modelMatchesSchema(t *testing.T) {
	t.Parallel()
	s := dataSourceSchema(t, newConnectionDataSource())
	model := connectionModel{
		ID:                types.Int64Value(7),
		SalesforceOrgID:   types.StringValue("00DB00000003brXMAQ"),
		ExternalID:        types.Int64Value(900049),
		Name:              types.StringValue("Partner Sandbox 7"),
		UserFullName:      types.StringValue("Admin 7"),
		UserName:          types.StringValue("admin7@partner.example.com"),
		SalesforceOrgType: types.StringValue("SANDBOX"),
	}
	roundTrip(t, emptyState(s), &model, &connectionModel{})
	requireAllFieldsMapped(t, reflect.TypeOf(model), s.Attributes)
}

func TestConnectionsDataSource_modelMatchesSchema(t *testing.T) {
	t.Parallel()
	s := dataSourceSchema(t, newConnectionsDataSource())
	objType := types.ObjectType{AttrTypes: connectionItemTypes}
	items := []attr.Value{
		types.ObjectValueMust(connectionItemTypes, map[string]attr.Value{
			"id": types.Int64Value(1), "external_id": types.Int64Value(900007), "name": types.StringValue("Sales Production 1"),
			"user_name": types.StringValue("admin1@sales.example.com"), "salesforce_org_type": types.StringValue("PRODUCTION"),
		}),
		types.ObjectValueMust(connectionItemTypes, map[string]attr.Value{
			"id": types.Int64Value(2), "external_id": types.Int64Value(900014), "name": types.StringValue("Service Sandbox 2"),
			"user_name": types.StringValue("admin2@service.example.com"), "salesforce_org_type": types.StringValue("SANDBOX"),
		}),
	}
	model := connectionsModel{
		Search:            types.StringValue("example"),
		SalesforceOrgType: types.StringValue("SANDBOX"),
		Total:             types.Int64Value(2),
		IDs:               types.ListValueMust(types.Int64Type, []attr.Value{types.Int64Value(1), types.Int64Value(2)}),
		Connections:       types.ListValueMust(objType, items),
	}
	roundTrip(t, emptyState(s), &model, &connectionsModel{})
	requireAllFieldsMapped(t, reflect.TypeOf(model), s.Attributes)

	// Empty lists are valid too (no match).
	empty := connectionsModel{
		Search: types.StringNull(), SalesforceOrgType: types.StringNull(), Total: types.Int64Value(0),
		IDs: types.ListValueMust(types.Int64Type, nil), Connections: types.ListValueMust(objType, nil),
	}
	roundTrip(t, emptyState(s), &empty, &connectionsModel{})

	// connectionItemTypes is exactly the nested object's type in the schema.
	nested, ok := s.Attributes["connections"].(dsschema.ListNestedAttribute)
	if !ok {
		t.Fatalf("connections is a %T, want a ListNestedAttribute", s.Attributes["connections"])
	}
	nestedType, ok := nested.NestedObject.Type().(types.ObjectType)
	if !ok {
		t.Fatalf("nested object type is %T", nested.NestedObject.Type())
	}
	schemaTypes := nestedType.AttrTypes
	if !reflect.DeepEqual(schemaTypes, connectionItemTypes) {
		t.Errorf("connectionItemTypes = %v, schema's nested object = %v", connectionItemTypes, schemaTypes)
	}
	if !s.Attributes["connections"].GetType().Equal(types.ListType{ElemType: objType}) {
		t.Errorf("connections type = %s, want list of %s", s.Attributes["connections"].GetType(), objType)
	}
	if !s.Attributes["ids"].GetType().Equal(types.ListType{ElemType: types.Int64Type}) {
		t.Errorf("ids type = %s, want list of number", s.Attributes["ids"].GetType())
	}
}

func TestConnectionIDDataSource_modelMatchesSchema(t *testing.T) {
	t.Parallel()
	s := dataSourceSchema(t, newConnectionIDDataSource())
	model := connectionIDModel{
		SalesforceOrgID: types.StringValue("00DB00000003brX"),
		ConnectionID:    types.Int64Value(42),
	}
	roundTrip(t, emptyState(s), &model, &connectionIDModel{})
	requireAllFieldsMapped(t, reflect.TypeOf(model), s.Attributes)
}

func TestProvider_modelMatchesSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := providerSchema(t).Schema
	if diags := s.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("provider schema does not validate: %v", diags)
	}
	model := providerModel{
		AccessToken:           types.StringValue("token"),
		Region:                types.StringValue("us"),
		BaseURL:               types.StringValue("https://backup.example.com"),
		RequestTimeout:        types.StringValue("30s"),
		MaxRetries:            types.Int64Value(4),
		MaxConcurrentRequests: types.Int64Value(4),
		CACertPEM:             types.StringValue("pem"),
	}
	// A state of the provider schema builds the raw value; Configure reads
	// it through tfsdk.Config.
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	requireNoDiags(t, state.Set(ctx, &model))
	config := tfsdk.Config{Schema: s, Raw: state.Raw}
	var got providerModel
	requireNoDiags(t, config.Get(ctx, &got))
	requireModelsEqual(t, &model, &got)
	pt := reflect.TypeOf(model)
	names := map[string]bool{}
	for i := range pt.NumField() {
		names[pt.Field(i).Tag.Get("tfsdk")] = true
	}
	for name := range s.Attributes {
		if !names[name] {
			t.Errorf("provider attribute %s has no field in providerModel", name)
		}
	}
	if len(names) != len(s.Attributes) {
		t.Errorf("providerModel has %d fields, schema %d attributes", len(names), len(s.Attributes))
	}
}

// requireAllFieldsMapped checks that the model's tfsdk tags and the schema's
// attributes are the same set.
func requireAllFieldsMapped(t *testing.T, model reflect.Type, attributes map[string]dsschema.Attribute) {
	t.Helper()
	tags := map[string]bool{}
	for i := range model.NumField() {
		tags[model.Field(i).Tag.Get("tfsdk")] = true
	}
	for name := range attributes {
		if !tags[name] {
			t.Errorf("attribute %s has no field in %s", name, model.Name())
		}
	}
	for tag := range tags {
		if _, ok := attributes[tag]; !ok {
			t.Errorf("field tagged %s in %s has no attribute", tag, model.Name())
		}
	}
}

func TestDataSourceSchemas_describeEveryAttribute(t *testing.T) {
	t.Parallel()
	for name, ds := range map[string]datasource.DataSource{
		"flosum_connection":          newConnectionDataSource(),
		"flosum_connections":         newConnectionsDataSource(),
		"flosum_connection_id":       newConnectionIDDataSource(),
		"flosum_connection_settings": newConnectionSettingsDataSource(),
		"flosum_backups":             newBackupsDataSource(),
		"flosum_backup_templates":    newBackupTemplatesDataSource(),
		"flosum_backup_template":     newBackupTemplateDataSource(),
		"flosum_backup_schedulers":   newBackupSchedulersDataSource(),
		"flosum_backup_scheduler":    newBackupSchedulerDataSource(),
	} {
		s := dataSourceSchema(t, ds)
		if strings.TrimSpace(s.MarkdownDescription) == "" {
			t.Errorf("%s has no MarkdownDescription", name)
		}
		for attrName, a := range s.Attributes {
			if strings.TrimSpace(a.GetMarkdownDescription()) == "" {
				t.Errorf("%s.%s has no MarkdownDescription", name, attrName)
			}
			requireNestedDescribed(t, name+"."+attrName, a)
		}
	}
}

// requireNestedDescribed checks the attributes nested in a, at any depth.
func requireNestedDescribed(t *testing.T, name string, a dsschema.Attribute) {
	t.Helper()
	var nested map[string]dsschema.Attribute
	switch a := a.(type) {
	case dsschema.ListNestedAttribute:
		nested = a.NestedObject.Attributes
	case dsschema.SingleNestedAttribute:
		nested = a.Attributes
	}
	for nestedName, na := range nested {
		if strings.TrimSpace(na.GetMarkdownDescription()) == "" {
			t.Errorf("%s.%s has no MarkdownDescription", name, nestedName)
		}
		requireNestedDescribed(t, name+"."+nestedName, na)
	}
}

func TestDataSources_typeNames(t *testing.T) {
	t.Parallel()
	p := New("test")()
	var names []string
	for _, f := range p.DataSources(context.Background()) {
		var resp datasource.MetadataResponse
		f().Metadata(context.Background(), datasource.MetadataRequest{ProviderTypeName: "flosum"}, &resp)
		names = append(names, resp.TypeName)
	}
	want := []string{
		"flosum_connection", "flosum_connections", "flosum_connection_id", "flosum_connection_settings",
		"flosum_backups", "flosum_backup_templates", "flosum_backup_template", "flosum_backup_schedulers", "flosum_backup_scheduler",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("data sources = %v, want %v", names, want)
	}
	if rs := p.Resources(context.Background()); len(rs) != 0 {
		t.Errorf("want no resources, got %d", len(rs))
	}
	if withEphemeral, ok := p.(provider.ProviderWithEphemeralResources); !ok || len(withEphemeral.EphemeralResources(context.Background())) != 1 {
		t.Error("want one ephemeral resource (flosum_access_token)")
	}
	var meta provider.MetadataResponse
	p.Metadata(context.Background(), provider.MetadataRequest{}, &meta)
	if meta.TypeName != "flosum" || meta.Version != "test" {
		t.Errorf("metadata = %+v", meta)
	}
}

// Each provider attribute's description names its environment variable and
// its default ("Default(s) to ..." or "No default"), so docs generated from
// the schema are complete.
func TestProviderSchema_descriptionsNameEnvVarAndDefault(t *testing.T) {
	t.Parallel()
	s := providerSchema(t).Schema
	if strings.TrimSpace(s.MarkdownDescription) == "" {
		t.Error("provider schema has no MarkdownDescription")
	}
	envVars := map[string]string{
		"access_token":            "FLOSUM_ACCESS_TOKEN",
		"region":                  "FLOSUM_REGION",
		"base_url":                "FLOSUM_BASE_URL",
		"request_timeout":         "FLOSUM_REQUEST_TIMEOUT",
		"max_retries":             "FLOSUM_MAX_RETRIES",
		"max_concurrent_requests": "FLOSUM_MAX_CONCURRENT_REQUESTS",
		"ca_cert_pem":             "FLOSUM_CA_CERT_PEM",
		"client_id":               "FLOSUM_CLIENT_ID",
		"client_secret":           "FLOSUM_CLIENT_SECRET",
		"redirect_uri":            "FLOSUM_REDIRECT_URI",
		"refresh_token":           "FLOSUM_REFRESH_TOKEN",
		"refresh_token_file":      "FLOSUM_REFRESH_TOKEN_FILE",
		"global_settings_url":     "FLOSUM_GLOBAL_SETTINGS_URL",
		"max_list_size":           "FLOSUM_MAX_LIST_SIZE",
	}
	if len(s.Attributes) != len(envVars) {
		t.Errorf("provider has %d attributes, want %d", len(s.Attributes), len(envVars))
	}
	for name, a := range s.Attributes {
		t.Run(name, func(t *testing.T) {
			desc := a.GetMarkdownDescription()
			env, ok := envVars[name]
			if !ok {
				t.Fatalf("unexpected provider attribute %s", name)
			}
			if !strings.Contains(desc, env) {
				t.Errorf("description of %s does not name %s: %q", name, env, desc)
			}
			requireStatesDefault(t, name, desc)
		})
	}
	for _, name := range []string{"access_token", "client_secret", "refresh_token"} {
		if !s.Attributes[name].IsSensitive() {
			t.Errorf("%s must be sensitive", name)
		}
	}
	for name, a := range s.Attributes {
		if !a.IsOptional() || a.IsRequired() {
			t.Errorf("%s must be optional (each falls back to an environment variable)", name)
		}
	}
}

func requireStatesDefault(t *testing.T, name, desc string) {
	t.Helper()
	if !strings.Contains(desc, "Default") && !strings.Contains(desc, "default") {
		t.Errorf("description of %s states no default (want \"Defaults to ...\" or \"No default\"): %q", name, desc)
	}
}

func TestProviderSchema_defaultsInDescriptionsMatchCode(t *testing.T) {
	t.Parallel()
	s := providerSchema(t).Schema
	for name, want := range map[string]string{
		"request_timeout":         `Defaults to ` + "`" + `"30s"` + "`",
		"max_retries":             "Defaults to `4`",
		"max_concurrent_requests": "Defaults to `4`",
		"max_list_size":           "Defaults to `1000000`",
	} {
		if desc := s.Attributes[name].GetMarkdownDescription(); !strings.Contains(desc, want) {
			t.Errorf("description of %s = %q, want it to contain %q", name, desc, want)
		}
	}
}

func TestFunctions_definitions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, ok := New("test")().(provider.ProviderWithFunctions)
	if !ok {
		t.Fatal("the provider has no functions")
	}
	var names []string
	for _, f := range p.Functions(ctx) {
		fn := f()
		var meta function.MetadataResponse
		fn.Metadata(ctx, function.MetadataRequest{}, &meta)
		names = append(names, meta.Name)
		var def function.DefinitionResponse
		fn.Definition(ctx, function.DefinitionRequest{}, &def)
		if def.Diagnostics.HasError() {
			t.Errorf("%s: definition diagnostics %v", meta.Name, def.Diagnostics)
		}
		d := def.Definition
		if d.Summary == "" || d.MarkdownDescription == "" {
			t.Errorf("%s: summary %q, description %q: both must be set", meta.Name, d.Summary, d.MarkdownDescription)
		}
		if len(d.Parameters) != 1 || d.Parameters[0].GetName() != "id" || d.Parameters[0].GetMarkdownDescription() == "" {
			t.Errorf("%s: want one described parameter named id, got %+v", meta.Name, d.Parameters)
		}
		if _, ok := d.Return.(function.StringReturn); !ok {
			t.Errorf("%s: return is %T, want a string", meta.Name, d.Return)
		}
	}
	if want := []string{"salesforce_id_18", "salesforce_id_15"}; !reflect.DeepEqual(names, want) {
		t.Errorf("functions = %v, want %v", names, want)
	}
}
