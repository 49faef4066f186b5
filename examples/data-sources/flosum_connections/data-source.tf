# Every connection.
data "flosum_connections" "all" {}

# Only the production orgs.
data "flosum_connections" "production" {
  salesforce_org_type = "PRODUCTION"
}

# Connections matching a search term (the API decides how it matches).
data "flosum_connections" "sales" {
  search = "sales"
}

# Read each production connection in full, for its Salesforce org id.
data "flosum_connection" "production" {
  count = length(data.flosum_connections.production.ids)

  id = data.flosum_connections.production.ids[count.index]
}

output "connection_count" {
  value = data.flosum_connections.all.total
}

output "production_org_ids" {
  value = { for c in data.flosum_connection.production : c.name => c.salesforce_org_id }
}

output "sales_connection_ids" {
  value = data.flosum_connections.sales.ids
}

output "sandbox_names" {
  value = [for c in data.flosum_connections.all.connections : c.name if c.salesforce_org_type == "SANDBOX"]
}
