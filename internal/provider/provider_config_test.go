package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// configure runs the provider's Configure on model, with a fake
// environment, as Terraform 1.11.4 would.
func configure(t *testing.T, model providerModel, env map[string]string) provider.ConfigureResponse {
	t.Helper()
	p := &flosumProvider{version: "9.9.9", getenv: fakeEnv(env)}
	var resp provider.ConfigureResponse
	p.Configure(context.Background(), provider.ConfigureRequest{TerraformVersion: "1.11.4", Config: providerConfig(t, p, model)}, &resp)
	return resp
}

// providerConfig is model as the configuration of p's provider block.
func providerConfig(t *testing.T, p *flosumProvider, model providerModel) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	s := schemaResp.Schema
	state := tfsdk.State{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	requireNoDiags(t, state.Set(ctx, &model))
	return tfsdk.Config{Schema: s, Raw: state.Raw}
}

func TestProviderConfigure_makesClient(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	config := nullConfig()
	config.BaseURL = types.StringValue(srv.URL + "/")
	resp := configure(t, config, map[string]string{
		envAccessToken:         srv.Token(),
		"TF_APPEND_USER_AGENT": "ci-run/42",
	})
	requireNoDiags(t, resp.Diagnostics)
	client, ok := resp.DataSourceData.(*flosumapi.Client)
	if !ok {
		t.Fatalf("DataSourceData is %T, want *flosumapi.Client", resp.DataSourceData)
	}
	conn, err := client.GetConnection(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if conn.Name != "Service Sandbox 2" {
		t.Errorf("connection 2 = %+v", conn)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %+v", reqs)
	}
	if want := "terraform-provider-flosum/9.9.9 terraform/1.11.4 ci-run/42"; reqs[0].UserAgent != want {
		t.Errorf("User-Agent = %q, want %q", reqs[0].UserAgent, want)
	}
	if reqs[0].Authorization != "Bearer "+srv.Token() {
		t.Errorf("Authorization = %q", reqs[0].Authorization)
	}
}

func TestProviderConfigure_errorsStopBeforeClient(t *testing.T) {
	t.Parallel()
	resp := configure(t, nullConfig(), nil)
	if resp.DataSourceData != nil {
		t.Errorf("DataSourceData = %v, want none after errors", resp.DataSourceData)
	}
	if got := resp.Diagnostics.ErrorsCount(); got != 2 {
		t.Errorf("want 2 errors (token, region), got %v", resp.Diagnostics)
	}
}

func TestProviderConfigure_badCACertificate(t *testing.T) {
	t.Parallel()
	config := nullConfig()
	config.CACertPEM = types.StringValue("not a certificate")
	resp := configure(t, config, map[string]string{envAccessToken: "t", envRegion: "us"})
	if len(resp.Diagnostics) != 1 {
		t.Fatalf("want one diagnostic, got %v", resp.Diagnostics)
	}
	requireDiag(t, resp.Diagnostics[0], "Invalid CA Certificate", "ca_cert_pem", envCACertPEM, "holds no certificate", "BEGIN CERTIFICATE")
	if d, ok := resp.Diagnostics[0].(diag.DiagnosticWithPath); !ok || !d.Path().Equal(path.Root("ca_cert_pem")) {
		t.Errorf("the diagnostic is not on ca_cert_pem: %v", resp.Diagnostics[0])
	}
}

func TestProviderConfigure_unknownValues(t *testing.T) {
	t.Parallel()
	config := nullConfig()
	config.AccessToken = types.StringUnknown()
	config.MaxRetries = types.Int64Unknown()
	resp := configure(t, config, map[string]string{envAccessToken: "t", envRegion: "us"})
	if got := resp.Diagnostics.ErrorsCount(); got != 2 {
		t.Fatalf("want 2 errors, got %v", resp.Diagnostics)
	}
	for _, d := range resp.Diagnostics {
		requireDiag(t, d, "Unknown Flosum Provider Argument", "unknown value", "-target")
		withPath, ok := d.(diag.DiagnosticWithPath)
		if !ok {
			t.Fatalf("diagnostic %q has no path", d.Summary())
		}
		p := withPath.Path().String()
		if !strings.Contains(d.Detail(), p) || (p != "access_token" && p != "max_retries") {
			t.Errorf("diagnostic on %s: %q", p, d.Detail())
		}
	}
	if resp.DataSourceData != nil {
		t.Error("no client should be made")
	}
}

// Configured only by environment variables: an empty provider block.
func TestProvider_configFromEnvironment(t *testing.T) {
	srv := startServer(t, 5)
	t.Setenv(envBaseURL, srv.URL)
	t.Setenv(envAccessToken, srv.Token())
	t.Setenv("TF_APPEND_USER_AGENT", "env-test/1")
	terraformTest(t, resource.TestStep{
		Config: `
provider "flosum" {}

data "flosum_connection" "test" {
  id = 4
}
`,
		Check: checkNow(func() error {
			reqs := srv.Requests()
			if len(reqs) != 1 {
				return fmt.Errorf("requests = %+v", reqs)
			}
			if !strings.HasSuffix(reqs[0].UserAgent, " env-test/1") || !strings.HasPrefix(reqs[0].UserAgent, "terraform-provider-flosum/test terraform/") {
				return fmt.Errorf("User-Agent = %q", reqs[0].UserAgent)
			}
			return nil
		}),
		ConfigStateChecks: expectConnection("data.flosum_connection.test", seeded(5, 4), testserver.OrgID(4)),
	})
}

// With no provider block at all, the environment still configures it.
func TestProvider_configFromEnvironmentNoProviderBlock(t *testing.T) {
	srv := startServer(t, 5)
	t.Setenv(envBaseURL, srv.URL)
	t.Setenv(envAccessToken, srv.Token())
	t.Setenv(envMaxRetries, "0")
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/5", Status: 503, RetryAfter: "0", Body: `{"message":"busy","statusCode":503}`})
	terraformTest(t, failing(`data "flosum_connection" "test" { id = 5 }`, "Flosum API Unavailable", "HTTP 503"))
	// FLOSUM_MAX_RETRIES=0 was applied: no retry.
	if got := countPath(srv, "/api/v1/connections/5"); got != 1 {
		t.Errorf("requests = %d, want 1 (no retries)", got)
	}
}

// Arguments in the provider block beat the environment.
func TestProvider_configBeatsEnvironment(t *testing.T) {
	srv := startServer(t, 5)
	t.Setenv(envBaseURL, "http://127.0.0.1:1")
	t.Setenv(envAccessToken, "wrong-token-from-env")
	t.Setenv(envMaxRetries, "10")
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2", Status: 503, RetryAfter: "0", Body: `{"message":"busy","statusCode":503}`})
	terraformTest(t,
		resource.TestStep{
			Config:            providerBlock(srv, "") + `data "flosum_connection" "test" { id = 1 }`,
			ConfigStateChecks: expectConnection("data.flosum_connection.test", seeded(5, 1), testserver.OrgID(1)),
		},
		failing(providerBlock(srv, "max_retries = 1")+`data "flosum_connection" "test" { id = 2 }`, "Flosum API Unavailable", "HTTP 503", "after 2 attempts"),
	)
	for _, r := range srv.Requests() {
		if r.Authorization != "Bearer "+srv.Token() {
			t.Errorf("request sent Authorization %q, want the configured token", r.Authorization)
		}
	}
	if got := countPath(srv, "/api/v1/connections/2"); got != 2 {
		t.Errorf("requests for id 2 = %d, want 2 (max_retries = 1 from configuration, not 10 from the environment)", got)
	}
}

func TestProvider_missingToken(t *testing.T) {
	srv := startServer(t, 3)
	t.Setenv(envAccessToken, "")
	t.Setenv(envBaseURL, srv.URL)
	terraformTest(t, failing(`
provider "flosum" {}

data "flosum_connection" "test" {
  id = 1
}
`, "Missing Flosum Access Token", "access_token", "FLOSUM_ACCESS_TOKEN"))
	expectRequests(t, srv, 0, "the token is checked first")
}

// Provider blocks refused before any request.
func TestProvider_refusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	provider := func(args string) string {
		return "provider \"flosum\" {\n" + args + "\n}\n\ndata \"flosum_connection\" \"test\" {\n  id = 1\n}\n"
	}
	errorCases(t, map[string]errorCase{
		"http base_url": {
			config: provider(`
  base_url     = "http://backup.example.com"
  access_token = "t"`),
			want: []string{"Invalid Flosum Base URL", `"http://backup.example.com" uses http:// on a host that is not loopback`, "unencrypted"},
		},
		"unknown region": {
			config: provider(`
  region       = "eu"
  access_token = "t"`),
			want: []string{"Invalid Attribute Value Match", `Attribute region value must be one of: ["us" "de" "jp" "au"], got: "eu"`},
		},
		"neither region nor base_url": {
			config: provider(`
  access_token = "t"`),
			want: []string{"Missing Flosum Region", `Set region (or FLOSUM_REGION) to one of "us", "de", "jp", "au", or base_url (or FLOSUM_BASE_URL)`},
		},
		"invalid request_timeout": {
			config: provider(`
  region          = "us"
  access_token    = "t"
  request_timeout = "soon"`),
			want: []string{"Invalid Request Timeout", `The request timeout "soon" is not a duration; write it like "30s"`},
		},
		"negative max_retries": {
			config: provider(`
  region       = "us"
  access_token = "t"
  max_retries  = -1`),
			want: []string{"Invalid Attribute Value", "Attribute max_retries value must be between 0 and 10, got: -1"},
		},
		"max_concurrent_requests 0": {
			config: provider(`
  region                  = "us"
  access_token            = "t"
  max_concurrent_requests = 0`),
			want: []string{"Attribute max_concurrent_requests value must be between 1 and 64, got: 0"},
		},
	})
}

// Arguments from variables work like literals.
func TestProvider_configFromVariables(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 3)
	terraformTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
variable "token" {
  type      = string
  sensitive = true
  default   = %q
}

provider "flosum" {
  base_url                = %q
  access_token            = var.token
  request_timeout         = "10s"
  max_retries             = 2
  max_concurrent_requests = 1
}

data "flosum_connections" "all" {}
`, srv.Token(), srv.URL),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connections.all", "ids", int64List(1, 2, 3)),
		},
	})
}
