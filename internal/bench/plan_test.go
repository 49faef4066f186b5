package bench

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

// TestPlanRunner runs, once each, the plans make bench measures: the
// provider, its framework-only baseline and hashicorp/http doing the same job
// against the same server. Each must list every connection with one call a
// page and report what its processes used, so that the table compares like
// with like.
func TestPlanRunner(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Fatal("the plan runner measures processes through a Unix shell script and rusage; make bench runs on Unix only")
	}
	const n = flosumapi.PageLimit + 1
	srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(n)})
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		build  func(dir string) (string, error)
		addr   string
		config string
	}{{
		name: "flosum",
		build: func(dir string) (string, error) {
			return BuildProvider(ctx, tfrun.ProviderPackage, provider.Address, dir)
		},
		addr:   provider.Address,
		config: FlosumConfig(srv),
	}, {
		name: "framework only",
		build: func(dir string) (string, error) {
			return BuildProvider(ctx, FrameworkOnlyPackage, provider.Address, dir)
		},
		addr:   provider.Address,
		config: FlosumConfig(srv),
	}, {
		name:   "hashicorp/http",
		build:  func(dir string) (string, error) { return BuildHTTPProvider(ctx, dir) },
		addr:   HTTPProviderAddress,
		config: HTTPConfig(srv),
	}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			binary, err := tt.build(filepath.Join(dir, "bin"))
			if err != nil {
				t.Fatal(err)
			}
			runner, err := NewPlanRunner(ctx, binary, tt.addr, dir)
			if err != nil {
				t.Fatal(err)
			}
			before := srv.RequestCount()
			u, err := runner.Plan(ctx, tt.config, n) // fails unless the plan shows total = n
			if err != nil {
				t.Fatal(err)
			}
			if calls := srv.RequestCount() - before; calls != PagesFor(n) {
				t.Errorf("the plan made %d API calls, want %d (one a page)", calls, PagesFor(n))
			}
			if u.Invocations < 1 || u.CPU <= 0 || u.PeakRSS < 1<<20 || u.Wall <= 0 {
				t.Errorf("usage not measured: %+v", u)
			}
			if u.PlanCPU <= u.CPU {
				t.Errorf("terraform and its providers used %s of CPU, no more than the providers alone (%s): the providers' time is not counted in the plan's", u.PlanCPU, u.CPU)
			}
		})
	}
}
