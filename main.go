// Command terraform-provider-flosum is the Terraform provider for Flosum
// Backup & Archive connections.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/flosum/flosum",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
