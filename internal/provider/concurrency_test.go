package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// inFlight wraps a handler and records the most requests it ever served at
// once.
type inFlight struct {
	next    http.Handler
	mu      sync.Mutex
	current int
	peak    int
}

func (h *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.current++
	h.peak = max(h.peak, h.current)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.current--
		h.mu.Unlock()
	}()
	h.next.ServeHTTP(w, r)
}

func (h *inFlight) Peak() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak
}

// max_concurrent_requests bounds the requests in flight across all data
// sources, although Terraform reads up to 10 data sources at once.
func TestProvider_maxConcurrentRequestsBoundsInFlight(t *testing.T) {
	t.Parallel()
	api := testserver.New(testserver.Options{Connections: testserver.Seed(20), Latency: 100 * time.Millisecond})
	counter := &inFlight{next: api}
	ts := httptest.NewServer(counter)
	t.Cleanup(ts.Close)

	terraformTest(t, resource.TestStep{
		Config: fmt.Sprintf(`
provider "flosum" {
  base_url                = %q
  access_token            = %q
  max_concurrent_requests = 2
}

data "flosum_connection" "c" {
  count = 20
  id    = count.index + 1
}
`, ts.URL, api.Token()),
		Check: checkNow(func() error {
			if got := api.RequestCount(); got != 20 {
				return fmt.Errorf("requests = %d, want 20", got)
			}
			if peak := counter.Peak(); peak > 2 {
				return fmt.Errorf("%d requests were in flight at once, want at most 2", peak)
			} else if peak < 2 {
				return fmt.Errorf("at most %d request was in flight: the data sources were not read concurrently", peak)
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_connection.c[0]", "name", knownvalue.StringExact("Sales Production 1")),
			expectAttr("data.flosum_connection.c[19]", "name", knownvalue.StringExact(seeded(20, 20).Name)),
		},
	})
}
