package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func TestConnectionDataSource_byID(t *testing.T) {
	srv := startServer(t, 10)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerBlock(srv, "") + `
data "flosum_connection" "test" {
  id = 3
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flosum_connection.test", tfjsonpath.New("id"), knownvalue.Int64Exact(3)),
				statecheck.ExpectKnownValue("data.flosum_connection.test", tfjsonpath.New("external_id"), knownvalue.Int64Exact(900021)),
				statecheck.ExpectKnownValue("data.flosum_connection.test", tfjsonpath.New("name"), knownvalue.StringExact("Marketing Sandbox 3")),
				statecheck.ExpectKnownValue("data.flosum_connection.test", tfjsonpath.New("user_full_name"), knownvalue.StringExact("Admin 3")),
				statecheck.ExpectKnownValue("data.flosum_connection.test", tfjsonpath.New("user_name"), knownvalue.StringExact("admin3@marketing.example.com")),
				statecheck.ExpectKnownValue("data.flosum_connection.test", tfjsonpath.New("salesforce_org_id"), knownvalue.StringExact(testserver.OrgID(3))),
				statecheck.ExpectKnownValue("data.flosum_connection.test", tfjsonpath.New("salesforce_org_type"), knownvalue.StringExact("SANDBOX")),
			},
		}},
	})
}
