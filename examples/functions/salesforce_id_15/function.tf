terraform {
  required_version = ">= 1.8.0" # provider-defined functions
  required_providers {
    flosum = {
      source = "flosum/flosum"
    }
  }
}

# The 15-character form of an 18-character id.
output "short_id" {
  value = provider::flosum::salesforce_id_15("00DB00000003brXMAQ")
}

# Connections report 18-character org ids; match them against a list of
# 15-character ids kept elsewhere.
data "flosum_connection" "sales" {
  id = 1
}

output "sales_org_is_listed" {
  value = contains(
    ["00DUVOzcwTOBaD0", "00DNSyv8iNVgB50"],
    provider::flosum::salesforce_id_15(data.flosum_connection.sales.salesforce_org_id),
  )
}
