package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

const (
	reuseLookups  = 200
	reuseDistinct = 20
	// connectionMargin allows for the Go transport racing a dial against a
	// connection about to come back to its idle pool: the request that loses
	// the race still uses the returned one, but the server has counted the
	// dial. It is well below what no reuse costs: a connection a request.
	connectionMargin = 2
)

// TestTerraformConnectionReuse has Terraform read 200 flosum_connection data
// sources (20 distinct ids) and counts the TCP connections the API server
// accepts: each provider client must keep reusing at most
// max_concurrent_requests connections rather than open one per request.
//
// terraform-plugin-testing runs several terraform commands for one step
// (apply, then plans that refresh), and Terraform configures the provider
// anew for each graph walk, so each walk that reads the data sources has a
// new API client with its own connections. The bound is therefore per
// client that made requests: thanks to coalescing each such client makes
// exactly 20 calls, so clients = calls/20, and the connections opened must
// not exceed clients × (max_concurrent_requests + margin). Without reuse a
// client opens one connection per call, 20.
//
// It runs with the default max_concurrent_requests (4) and with 10, as many
// reads as Terraform runs at once: there an idle pool smaller than the
// concurrency (Go's default keeps 2 a host) also shows, as connections
// closed after each wave and dialled again.
func TestTerraformConnectionReuse(t *testing.T) {
	for _, maxConcurrent := range []int{0, 10} {
		name, setting, limit := "default", "", flosumapi.DefaultMaxConcurrentRequests
		if maxConcurrent > 0 {
			name, setting, limit = fmt.Sprint(maxConcurrent), fmt.Sprintf("max_concurrent_requests = %d", maxConcurrent), maxConcurrent
		}
		t.Run("max_concurrent_requests="+name, func(t *testing.T) {
			testConnectionReuse(t, setting, limit)
		})
	}
}

func testConnectionReuse(t *testing.T, setting string, maxConcurrent int) {
	// Latency keeps several requests in flight at once, as against the real
	// API; that is when a client that does not reuse connections opens more.
	srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(50), Latency: 50 * time.Millisecond})

	check := func(when string) error {
		calls := srv.RequestCount()
		conns := srv.ConnectionsOpened()
		if calls == 0 || calls%reuseDistinct != 0 {
			return fmt.Errorf("%s: %d API calls, want a multiple of %d (one call per distinct id per provider client)", when, calls, reuseDistinct)
		}
		clients := calls / reuseDistinct
		limit := clients * (maxConcurrent + connectionMargin)
		t.Logf("%s: %d API calls by %d provider client(s) over %d TCP connections (limit %d)", when, calls, clients, conns, limit)
		if conns > limit {
			return fmt.Errorf("%s: the server accepted %d TCP connections for %d provider client(s) making %d calls; want at most %d (%d + %d each): connections are not reused",
				when, conns, clients, calls, limit, maxConcurrent, connectionMargin)
		}
		return nil
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"flosum": func() (tfprotov6.ProviderServer, error) { return provider.NewProtocol6Server("test")(), nil },
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "flosum" {
  base_url     = %q
  access_token = %q
  %s
}

data "flosum_connection" "each" {
  count = %d
  id    = count.index %% %d + 1
}

output "names" {
  value = length(distinct(data.flosum_connection.each[*].name))
}
`, srv.URL, srv.Token(), setting, reuseLookups, reuseDistinct),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckOutput("names", fmt.Sprint(reuseDistinct)),
				func(*terraform.State) error { return check("after apply") },
			),
		}},
	})
	if err := check("after every command of the step"); err != nil {
		t.Error(err)
	}
}
