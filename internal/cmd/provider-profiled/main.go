// Command provider-profiled is the provider, served as main.go serves it,
// that writes a CPU profile to $FLOSUM_CPUPROFILE.<pid> and an allocation
// profile (sampled allocations since start) to $FLOSUM_MEMPROFILE.<pid>, for
// finding the hot spots of the real provider process under Terraform. Each
// process Terraform starts writes its own; the largest is the one that read
// the data sources. benchreport -profile DIR runs it:
//
//	go run ./internal/cmd/benchreport -profile /tmp/flosum-profiles
//	go tool pprof -top /tmp/flosum-profiles/cpu.pprof.<pid>
package main

import (
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
)

func main() {
	name := func(base string) string { return fmt.Sprintf("%s.%d", base, os.Getpid()) }
	if path := os.Getenv("FLOSUM_CPUPROFILE"); path != "" {
		f, err := os.Create(name(path))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	if path := os.Getenv("FLOSUM_MEMPROFILE"); path != "" {
		runtime.MemProfileRate = 64 * 1024
		defer func() {
			f, err := os.Create(name(path))
			if err != nil {
				log.Print(err)
				return
			}
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			_ = f.Close()
		}()
	}
	// Serve returns when Terraform stops the provider, so the deferred
	// calls above write the profiles.
	err := tf6server.Serve(provider.Address, provider.NewProtocol6Server("profiled"))
	if err != nil {
		log.Print(err)
	}
}
