// Command provider-framework-only is the provider served by the plugin
// framework alone: every data source, flosum_connections included, is read
// through the framework's ReadDataSource, without the protocol server's
// direct reads (see directReader in internal/provider). It is the baseline
// benchreport measures the real provider against; it is never released.
package main

import (
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
)

func main() {
	err := tf6server.Serve(provider.Address, providerserver.NewProtocol6(provider.New("framework-only")()))
	if err != nil {
		log.Fatal(err)
	}
}
