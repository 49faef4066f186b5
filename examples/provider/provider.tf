terraform {
  required_providers {
    flosum = {
      source = "flosum/flosum"
    }
  }
}

# Credentials and the API's address come from the environment. Recommended,
# OAuth: the provider obtains and renews its own access tokens.
#
#   export FLOSUM_REGION="us"          # or FLOSUM_BASE_URL for a dedicated tenant
#   export FLOSUM_CLIENT_ID="fci_..."  # the connected app's
#   export FLOSUM_CLIENT_SECRET="..."
#   export FLOSUM_REDIRECT_URI="https://localhost/oauth/callback"
#   export FLOSUM_REFRESH_TOKEN_FILE="$HOME/.flosum/refresh-token"
#
# Or a static access token: export FLOSUM_ACCESS_TOKEN="..."
provider "flosum" {
  # region = "us" # us, de, jp or au
  # base_url = "https://backup.example.com" # a dedicated tenant, instead of region
  # access_token = var.flosum_access_token # prefer the environment variable
  # request_timeout = "30s"
  # max_retries = 4
}

# Every connection (Salesforce org) that Flosum Backup & Archive backs up.
data "flosum_connections" "all" {}

output "connection_count" {
  value = data.flosum_connections.all.total
}
