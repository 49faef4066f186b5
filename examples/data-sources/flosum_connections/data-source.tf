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

# Read each production connection in full, for its Salesforce org id and
# user. Keyed by id (as a string), since names need not be unique: instances
# are data.flosum_connection.production["1"] and so on.
data "flosum_connection" "production" {
  for_each = { for c in data.flosum_connections.production.connections : tostring(c.id) => c }

  id = each.value.id
}

output "connection_count" {
  value = data.flosum_connections.all.total
}

output "production_orgs" {
  value = {
    for id, c in data.flosum_connection.production : id => {
      name              = c.name
      salesforce_org_id = c.salesforce_org_id
      user_full_name    = c.user_full_name
    }
  }
}

output "sales_connection_ids" {
  value = data.flosum_connections.sales.ids
}

output "sandbox_names" {
  value = [for c in data.flosum_connections.all.connections : c.name if c.salesforce_org_type == "SANDBOX"]
}
