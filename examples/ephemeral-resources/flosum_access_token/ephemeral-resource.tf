# The provider's access token (Terraform 1.10 or later), for another tool:
# it never reaches state or plan. With OAuth it is one the provider
# obtained itself, not about to expire.
ephemeral "flosum_access_token" "current" {}

# Here a second configuration of this provider stands in for that tool: it
# reads with the token it is handed (the API's address comes from the
# environment, as for the first).
provider "flosum" {
  alias        = "handed"
  access_token = ephemeral.flosum_access_token.current.access_token
}

data "flosum_connections" "handed" {
  provider = flosum.handed
}

output "connection_count" {
  value = data.flosum_connections.handed.total
}
