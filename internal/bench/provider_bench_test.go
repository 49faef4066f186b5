package bench

import (
	"context"
	"strconv"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// BenchmarkProviderReadConnections profiles the provider's side of reading
// flosum_connections in-process: one op is a ConfigureProvider (a new client,
// so nothing is remembered) and a ReadDataSource of every connection. Run
// with -cpuprofile / -memprofile to find hot spots.
func BenchmarkProviderReadConnections(b *testing.B) {
	for _, n := range []int{20000, 100000} {
		b.Run(itoaSize(n), func(b *testing.B) {
			srv := testserver.Start(b, testserver.Options{Connections: testserver.Seed(n)})
			ctx := context.Background()
			p, err := NewInProcessProvider(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var stateBytes int
			for b.Loop() {
				if err := p.Configure(ctx, srv.URL, srv.Token(), 0); err != nil {
					b.Fatal(err)
				}
				if stateBytes, err = p.ReadConnections(ctx, ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(stateBytes)/(1<<20), "state-MiB")
		})
	}
}

func itoaSize(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}
