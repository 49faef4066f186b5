package provider

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

// TestMain fails loudly, rather than letting the Terraform-driven tests
// skip, when no terraform binary can be found, and, under TF_ACC, when a
// variable naming the live tenant is missing (acceptance_test.go).
func TestMain(m *testing.M) {
	tenant, err := liveTenantFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: "+err.Error())
		os.Exit(1)
	}
	if tenant != nil {
		live = tenant
		// The token reaches Terraform as a sensitive variable, never in a
		// configuration file; the provider's own variables are cleared
		// below, so that only the live tests reach the tenant.
		_ = os.Setenv("TF_VAR_"+liveTokenVariable, tenant.accessToken)
	}
	tfrun.Main(m, hermeticEnv...)
}

// terraformTest runs steps through the real terraform, the provider
// in-process. Every Terraform-driven test goes through it. UnitTest, so
// that make test runs them without TF_ACC; TF_ACC only points the live
// tests at a real tenant.
func terraformTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	terraformTestSince(t, nil, steps...)
}

// terraformTestSince is terraformTest for a feature of newer Terraform
// versions, such as ephemeral resources (tfversion.SkipBelow(tfversion.Version1_10_0)).
func terraformTestSince(t *testing.T, versions []tfversion.TerraformVersionCheck, steps ...resource.TestStep) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, TerraformVersionChecks: versions, Steps: steps})
}

// terraformTestRecording is terraformTestSince, recording what each
// provider process answered to the reads and opens Terraform asked of it:
// Terraform starts one per command, and warnings a test cannot see in the
// step's outcome are there.
func terraformTestRecording(t *testing.T, versions []tfversion.TerraformVersionCheck, steps ...resource.TestStep) *providerRuns {
	t.Helper()
	runs := &providerRuns{}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"flosum": func() (tfprotov6.ProviderServer, error) {
			server, err := protoV6ProviderFactories["flosum"]()
			return runs.start(server), err
		},
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories, TerraformVersionChecks: versions, Steps: steps})
	return runs
}

// providerRuns holds, in the order Terraform started them, the provider
// processes (servers) of a test.
type providerRuns struct {
	mu   sync.Mutex
	runs []*providerRun
}

// providerRun is one provider process: the diagnostics it answered to
// ReadDataSource and OpenEphemeralResource, and how many of those it got.
type providerRun struct {
	tfprotov6.ProviderServer
	mu          sync.Mutex
	calls       int
	diagnostics []*tfprotov6.Diagnostic
}

func (r *providerRuns) start(server tfprotov6.ProviderServer) *providerRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	run := &providerRun{ProviderServer: server}
	r.runs = append(r.runs, run)
	return run
}

// readers returns the processes that read or opened anything.
func (r *providerRuns) readers() []*providerRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*providerRun
	for _, run := range r.runs {
		run.mu.Lock()
		if run.calls > 0 {
			out = append(out, run)
		}
		run.mu.Unlock()
	}
	return out
}

// with returns the diagnostics of severity the process sent.
func (run *providerRun) with(severity tfprotov6.DiagnosticSeverity) []*tfprotov6.Diagnostic {
	run.mu.Lock()
	defer run.mu.Unlock()
	var out []*tfprotov6.Diagnostic
	for _, d := range run.diagnostics {
		if d.Severity == severity {
			out = append(out, d)
		}
	}
	return out
}

func (run *providerRun) record(diagnostics []*tfprotov6.Diagnostic) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.calls++
	run.diagnostics = append(run.diagnostics, diagnostics...)
}

func (run *providerRun) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := run.ProviderServer.ReadDataSource(ctx, req)
	if resp != nil {
		run.record(resp.Diagnostics)
	}
	return resp, err
}

func (run *providerRun) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	resp, err := run.ProviderServer.OpenEphemeralResource(ctx, req)
	if resp != nil {
		run.record(resp.Diagnostics)
	}
	return resp, err
}

// failing is a step whose configuration must fail with an error holding
// these phrases, in this order (errRe).
func failing(config string, want ...string) resource.TestStep {
	return resource.TestStep{Config: config, ExpectError: errRe(want...)}
}

// expectRequests checks, after a test, how many requests srv received.
func expectRequests(t *testing.T, srv *testserver.Server, want int, why string) {
	t.Helper()
	if got := srv.RequestCount(); got != want {
		t.Errorf("requests = %d, want %d (%s): %+v", got, want, why, srv.Requests())
	}
}

// errorCase is a Terraform run that must fail: against a test server of
// seed connections (3 if 0), prepared by setup, config must fail with an
// error holding the phrases of want, in order, the server having received
// requests requests (0: the error was found before any was sent).
type errorCase struct {
	seed  int
	setup func(*testserver.Server)
	// config follows a provider block for the test server, with
	// providerArgs inside, unless it has its own.
	providerArgs string
	config       string
	want         []string
	requests     int
}

// errorCases runs each case as a parallel subtest with its own test server.
func errorCases(t *testing.T, cases map[string]errorCase) {
	t.Helper()
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, cmp.Or(c.seed, 3))
			if c.setup != nil {
				c.setup(srv)
			}
			config := c.config
			if !strings.Contains(config, `provider "flosum"`) {
				config = providerBlock(srv, c.providerArgs) + config
			}
			terraformTest(t, failing(config, c.want...))
			expectRequests(t, srv, c.requests, "requests the failing run sent")
		})
	}
}
