package examples_test

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// examplesDir is the repository's examples directory, from this package.
const examplesDir = "../../examples"

// seededConnections is how many sample connections the test server holds;
// the org ids written in the examples are those of testserver.Seed.
const seededConnections = 12

// expectedOutputs lists, for every .tf file under examples/ (by its path
// relative to examples/), the exact value of each of its outputs. A file
// missing here fails TestExamples, as does an output not listed.
var expectedOutputs = map[string]map[string]knownvalue.Check{
	"provider/provider.tf": {
		"connection_count": knownvalue.Int64Exact(seededConnections),
	},
	"data-sources/flosum_connection/data-source.tf": {
		"by_id": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name":              knownvalue.StringExact("Marketing Sandbox 3"),
			"salesforce_org_id": knownvalue.StringExact("00DEMOAKtqtrlI02HI"),
			"org_type":          knownvalue.StringExact("SANDBOX"),
			"user_name":         knownvalue.StringExact("admin3@marketing.example.com"),
		}),
		"by_org_id": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":                knownvalue.Int64Exact(1),
			"name":              knownvalue.StringExact("Sales Production 1"),
			"salesforce_org_id": knownvalue.StringExact("00DUVOzcwTOBaD0"), // as written
			"org_type":          knownvalue.StringExact("PRODUCTION"),
		}),
	},
	"data-sources/flosum_connections/data-source.tf": {
		"connection_count": knownvalue.Int64Exact(seededConnections),
		"production_org_ids": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"Sales Production 1":      knownvalue.StringExact("00DUVOzcwTOBaD02RL"),
			"Operations Production 6": knownvalue.StringExact("00DTP6GpV8W3ZF02KN"),
			"Marketing Production 11": knownvalue.StringExact("00Di3p7z4ndvXH0EAM"),
		}),
		"sales_connection_ids": knownvalue.ListExact([]knownvalue.Check{
			knownvalue.Int64Exact(1), knownvalue.Int64Exact(9),
		}),
		"sandbox_names": stringList(
			"Service Sandbox 2", "Marketing Sandbox 3", "Finance Sandbox 4", "Support Sandbox 5",
			"Commerce Sandbox 7", "Partner Sandbox 8", "Sales Sandbox 9", "Service Sandbox 10",
			"Finance Sandbox 12",
		),
	},
	"data-sources/flosum_connection_id/data-source.tf": {
		"connection_id":   knownvalue.Int64Exact(4),
		"connection_name": knownvalue.StringExact("Finance Sandbox 4"),
	},
	"functions/salesforce_id_18/function.tf": {
		"case_safe_id": knownvalue.StringExact("00DB00000003brXMAQ"),
		"restored_id":  knownvalue.StringExact("00DB00000003brXMAQ"),
		"same_org":     knownvalue.Bool(true),
	},
	"functions/salesforce_id_15/function.tf": {
		"short_id":            knownvalue.StringExact("00DB00000003brX"),
		"sales_org_is_listed": knownvalue.Bool(true),
	},
	"demo/main.tf": {
		"connections": stringList(
			"  1  PRODUCTION  Sales Production 1",
			"  2  SANDBOX     Service Sandbox 2",
			"  3  SANDBOX     Marketing Sandbox 3",
			"  4  SANDBOX     Finance Sandbox 4",
			"  5  SANDBOX     Support Sandbox 5",
			"  6  PRODUCTION  Operations Production 6",
			"  7  SANDBOX     Commerce Sandbox 7",
			"  8  SANDBOX     Partner Sandbox 8",
			"  9  SANDBOX     Sales Sandbox 9",
			" 10  SANDBOX     Service Sandbox 10",
			" 11  PRODUCTION  Marketing Production 11",
			" 12  SANDBOX     Finance Sandbox 12",
		),
		"connection_for_org_id": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"salesforce_org_id":    knownvalue.StringExact("00DEMOAKtqtrlI0"),
			"id":                   knownvalue.Int64Exact(3),
			"name":                 knownvalue.StringExact("Marketing Sandbox 3"),
			"salesforce_org_id_18": knownvalue.StringExact("00DEMOAKtqtrlI02HI"),
			"user_name":            knownvalue.StringExact("admin3@marketing.example.com"),
		}),
		"connection_by_id": knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":                  knownvalue.Int64Exact(1),
			"name":                knownvalue.StringExact("Sales Production 1"),
			"salesforce_org_id":   knownvalue.StringExact("00DUVOzcwTOBaD02RL"),
			"salesforce_org_type": knownvalue.StringExact("PRODUCTION"),
			"user_full_name":      knownvalue.StringExact("Admin 1"),
		}),
	},
}

// TestMain fails loudly, rather than letting the tests skip, when no
// terraform binary can be found, and points the provider address that
// terraform-plugin-testing serves at flosum/flosum, the source the examples
// name.
func TestMain(m *testing.M) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: the examples tests need a terraform binary on PATH (or TF_ACC_TERRAFORM_PATH); none was found.")
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
	// The examples declare source = "flosum/flosum"; the in-process provider
	// must be served under that namespace (hashicorp by default).
	if os.Getenv("TF_ACC_PROVIDER_NAMESPACE") == "" {
		_ = os.Setenv("TF_ACC_PROVIDER_NAMESPACE", "flosum")
	}
	os.Exit(m.Run())
}

// TestExamples applies every example with the real terraform against a test
// server with seeded data, through the FLOSUM_* environment variables as a
// user would, and checks every output. Not parallel: it sets the
// environment.
func TestExamples(t *testing.T) {
	files := exampleFiles(t)
	for name := range expectedOutputs {
		if !slices.Contains(files, name) {
			t.Errorf("expectedOutputs lists examples/%s, which does not exist; remove it", name)
		}
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			want, ok := expectedOutputs[name]
			if !ok {
				t.Fatalf("examples/%s has no expected outputs: add its outputs and their values to expectedOutputs in internal/examples/examples_test.go", name)
			}
			if len(want) == 0 {
				t.Fatalf("examples/%s: expectedOutputs lists no outputs; an example should show its result with at least one output", name)
			}
			config, err := os.ReadFile(filepath.Join(examplesDir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}

			srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(seededConnections)})
			setProviderEnv(t, srv)

			checks := []statecheck.StateCheck{outputNamesExactly(slices.Sorted(maps.Keys(want)))}
			for _, output := range slices.Sorted(maps.Keys(want)) {
				checks = append(checks, statecheck.ExpectKnownOutputValue(output, want[output]))
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
					"flosum": providerserver.NewProtocol6WithError(provider.New("test")()),
				},
				Steps: []resource.TestStep{{
					Config:            string(config),
					ConfigStateChecks: checks,
				}},
			})
			if srv.RequestCount() == 0 && usesDataSources(string(config)) {
				t.Errorf("examples/%s reads data sources but the test server received no request", name)
			}
		})
	}
}

// exampleFiles returns every .tf file under examples/, relative to it, with
// forward slashes, sorted.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != examplesDir {
				return filepath.SkipDir // .terraform and the like
			}
			return nil
		}
		if filepath.Ext(path) == ".tf" {
			rel, err := filepath.Rel(examplesDir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", examplesDir, err)
	}
	if len(files) == 0 {
		t.Fatalf("no .tf files under %s", examplesDir)
	}
	slices.Sort(files)
	return files
}

// setProviderEnv configures the provider as the examples expect, through
// the environment only, and clears every other FLOSUM_* setting.
func setProviderEnv(t *testing.T, srv *testserver.Server) {
	t.Helper()
	for _, name := range []string{
		"FLOSUM_REGION", "FLOSUM_REQUEST_TIMEOUT", "FLOSUM_MAX_RETRIES",
		"FLOSUM_MAX_CONCURRENT_REQUESTS", "FLOSUM_CA_CERT_PEM",
	} {
		t.Setenv(name, "")
	}
	t.Setenv("FLOSUM_BASE_URL", srv.URL)
	t.Setenv("FLOSUM_ACCESS_TOKEN", srv.Token())
}

func usesDataSources(config string) bool {
	return strings.Contains(config, `data "flosum_`)
}

func stringList(values ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(values))
	for i, v := range values {
		checks[i] = knownvalue.StringExact(v)
	}
	return knownvalue.ListExact(checks)
}

// outputNamesExactly fails when the state's outputs are not exactly names,
// so that an output added to an example needs an expectation.
func outputNamesExactly(names []string) statecheck.StateCheck {
	return outputNamesCheck{names: names}
}

type outputNamesCheck struct {
	names []string
}

func (c outputNamesCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var got []string
	if req.State != nil && req.State.Values != nil {
		for name := range req.State.Values.Outputs {
			got = append(got, name)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, c.names) {
		resp.Error = fmt.Errorf("the example's outputs are %q, but expectedOutputs lists %q; list every output with its expected value", got, c.names)
	}
}
