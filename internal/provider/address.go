package provider

const (
	// Source is the provider's source address as configurations write it in
	// required_providers.
	Source = "flosum/flosum"
	// Address is Source in the Terraform Registry, the address main.go
	// serves the provider under.
	Address = "registry.terraform.io/" + Source
)
