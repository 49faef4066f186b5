package provider

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// protoV6ProviderFactories runs the provider in-process for the real
// terraform that terraform-plugin-testing drives.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"flosum": providerserver.NewProtocol6WithError(New("test")()),
}

// TestMain fails loudly, rather than letting the Terraform-driven tests
// skip, when no terraform binary can be found.
func TestMain(m *testing.M) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: the Terraform-driven tests need a terraform binary on PATH (or TF_ACC_TERRAFORM_PATH); none was found.")
			os.Exit(1)
		}
		terraform = path
	}
	if _, err := os.Stat(terraform); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: terraform binary %s: %v\n", terraform, err)
		os.Exit(1)
	}
	// A CLI config file that does not exist only makes terraform warn.
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			_ = os.Setenv("TF_CLI_CONFIG_FILE", os.DevNull)
		}
	}
	os.Exit(m.Run())
}

// startServer runs a test server with n seeded connections for one test.
func startServer(t *testing.T, n int) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{Connections: testserver.Seed(n)})
}

// providerBlock configures the provider for srv; extra is added inside the
// block (e.g. "max_retries = 0").
func providerBlock(srv *testserver.Server, extra string) string {
	return fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = %q
  %s
}
`, srv.URL, srv.Token(), extra)
}
