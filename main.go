// Command terraform-provider-flosum is the Terraform provider for Flosum
// Backup & Archive connections.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
)

// docs/ is generated from templates/, examples/ and the schema; make
// generate runs this too, and make docs-check renders with the same tool and
// flags.
//go:generate go tool -modfile=tools/tfplugindocs/go.mod tfplugindocs generate --provider-name flosum

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve(provider.Address, provider.NewProtocol6Server(version), opts...)
	if err != nil {
		log.Fatal(err)
	}
}
