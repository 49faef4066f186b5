package provider

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// sinceEphemeralResources skips below Terraform 1.10, or OpenTofu 1.11 (the
// suite runs tofu with the registry.opentofu.org address), which have
// ephemeral resources.
func sinceEphemeralResources() []tfversion.TerraformVersionCheck {
	if os.Getenv("TF_ACC_PROVIDER_HOST") == "registry.opentofu.org" {
		return []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}
	}
	return []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}
}

// handedToken hands flosum_access_token to a second provider configuration,
// which reads connection 7 with it alone; condition checks expires_at.
func handedToken(srv *testserver.Server, condition string) string {
	return fmt.Sprintf(`
ephemeral "flosum_access_token" "test" {}

provider "flosum" {
  alias        = "handed"
  base_url     = %q
  access_token = ephemeral.flosum_access_token.test.access_token
}

data "flosum_connection" "handed" {
  provider = flosum.handed
  id       = 7

  lifecycle {
    precondition {
      condition     = %s
      error_message = "unexpected expires_at: ${coalesce(ephemeral.flosum_access_token.test.expires_at, "null")}"
    }
  }
}
`, srv.URL, condition)
}

// With OAuth, the ephemeral resource gives a token the provider obtained,
// which works on the Backup API, with its expiry; nothing of it in state.
func TestAccessTokenEphemeralResource_oauth(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, 30, testserver.Options{})
	terraformTestSince(t, sinceEphemeralResources(), resource.TestStep{
		Config: oauthProviderBlock(srv) + handedToken(srv,
			`timecmp(ephemeral.flosum_access_token.test.expires_at, timeadd(plantimestamp(), "50m")) > 0 && timecmp(ephemeral.flosum_access_token.test.expires_at, timeadd(plantimestamp(), "61m")) < 0`),
		Check: resource.TestCheckResourceAttr("data.flosum_connection.handed", "name", seeded(30, 7).Name),
		ConfigStateChecks: stateHoldsNoneOf(func() []string {
			var tokens []string
			for _, e := range srv.TokenExchanges() {
				tokens = append(tokens, e.AccessToken)
			}
			return tokens
		}),
	})
	for _, r := range srv.Requests() {
		if r.Path == "/api/v1/connections/7" && r.Authorization == "Bearer "+srv.Token() {
			t.Error("the handed provider sent the static token")
		}
	}
	if len(srv.TokenExchanges()) == 0 {
		t.Error("no exchange: the token did not come from OAuth")
	}
}

// With a static access_token, the ephemeral resource gives that token and
// a null expires_at.
func TestAccessTokenEphemeralResource_staticToken(t *testing.T) {
	t.Parallel()
	srv := startServer(t, 30)
	terraformTestSince(t, sinceEphemeralResources(), resource.TestStep{
		Config:            providerBlock(srv, "") + handedToken(srv, `ephemeral.flosum_access_token.test.expires_at == null`),
		Check:             resource.TestCheckResourceAttr("data.flosum_connection.handed", "name", seeded(30, 7).Name),
		ConfigStateChecks: stateHoldsNoneOf(func() []string { return []string{srv.Token()} }),
	})
}

// stateHoldsNoneOf checks that the JSON state, which must hold the data
// read, holds none of the secrets.
func stateHoldsNoneOf(secrets func() []string) []statecheck.StateCheck {
	return []statecheck.StateCheck{stateCheckFunc(func(stateJSON []byte) error {
		if !strings.Contains(string(stateJSON), "flosum_connection") {
			return errors.New("the JSON state holds no data source: the check is not looking at it")
		}
		for _, s := range secrets() {
			if s != "" && strings.Contains(string(stateJSON), s) {
				return fmt.Errorf("the state holds a token (%.4s…)", s)
			}
		}
		return nil
	})}
}
