package provider

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// startTLSServer serves seeded connections over HTTPS with a certificate of
// httptest's own CA; it returns the server and that CA's certificate as PEM.
func startTLSServer(t *testing.T, n int) (*testserver.Server, string, string) {
	t.Helper()
	api := testserver.New(testserver.Options{Connections: testserver.Seed(n)})
	ts := httptest.NewTLSServer(api)
	t.Cleanup(ts.Close)
	caPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
	return api, ts.URL, caPEM
}

// A dedicated tenant behind a private CA: ca_cert_pem makes it trusted;
// without it, the certificate is refused.
func TestProvider_caCertPEM(t *testing.T) {
	t.Parallel()
	api, url, caPEM := startTLSServer(t, 4)
	provider := func(extra string) string {
		return fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = %q
  max_retries  = 0
  %s
}
`, url, api.Token(), extra)
	}
	// The last step must succeed: the post-test destroy configures the
	// provider with it.
	terraformTest(t,
		failing(provider(`ca_cert_pem = "not a certificate"`)+`data "flosum_connection" "x" { id = 2 }`, "Invalid CA Certificate", "the CA certificate PEM holds no certificate that could be parsed"),
		failing(provider("")+`data "flosum_connection" "x" { id = 2 }`, "Untrusted Flosum API Certificate", "certificate signed by unknown authority", "ca_cert_pem", "FLOSUM_CA_CERT_PEM"),
		resource.TestStep{
			Config: provider(fmt.Sprintf("ca_cert_pem = %q", caPEM)) + `data "flosum_connection" "x" { id = 2 }`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.flosum_connection.x", "name", "Service Sandbox 2"),
				resource.TestCheckResourceAttr("data.flosum_connection.x", "salesforce_org_id", testserver.OrgID(2)),
			),
		},
	)
}

// FLOSUM_CA_CERT_PEM works like ca_cert_pem.
func TestProvider_caCertPEMFromEnvironment(t *testing.T) {
	api, url, caPEM := startTLSServer(t, 4)
	t.Setenv(envCACertPEM, caPEM)
	terraformTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = %q
}

data "flosum_connection" "x" {
  id = 3
}
`, url, api.Token()),
		Check: resource.TestCheckResourceAttr("data.flosum_connection.x", "name", "Marketing Sandbox 3"),
	})
}

func TestDataSources_configureRejectsOtherProviderData(t *testing.T) {
	t.Parallel()
	for _, f := range newProvider("test").DataSources(context.Background()) {
		ds, ok := f().(datasource.DataSourceWithConfigure)
		if !ok {
			t.Fatalf("%T cannot be configured", f())
		}
		var resp datasource.ConfigureResponse
		ds.Configure(context.Background(), datasource.ConfigureRequest{ProviderData: "not a client"}, &resp)
		if len(resp.Diagnostics) != 1 {
			t.Fatalf("%T: want one diagnostic, got %v", ds, resp.Diagnostics)
		}
		requireDiag(t, resp.Diagnostics[0], "Unexpected Provider Data", "*flosumapi.Client", "string", "bug in the provider")

		// Before the provider is configured there is no data: no error.
		resp = datasource.ConfigureResponse{}
		ds.Configure(context.Background(), datasource.ConfigureRequest{}, &resp)
		requireNoDiags(t, resp.Diagnostics)
	}
}
