# Warns, on every plan and apply, when a production org had no completed
# backup in the last 24 hours.
data "flosum_connections" "production" {
  salesforce_org_type = "PRODUCTION"
}

locals {
  production = { for c in data.flosum_connections.production.connections : tostring(c.id) => c.name }
}

data "flosum_backups" "last_day" {
  for_each      = local.production
  connection_id = each.key
  statuses      = ["Completed"]
  start_date    = timeadd(plantimestamp(), "-24h")
}

locals {
  without_recent_backup = sort([for id, b in data.flosum_backups.last_day : local.production[id] if b.total == 0])
}

check "production_backups" {
  assert {
    condition     = length(local.without_recent_backup) == 0
    error_message = "No completed backup in the last 24 hours for: ${join(", ", local.without_recent_backup)}."
  }
}

output "production_orgs_checked" {
  value = length(data.flosum_backups.last_day)
}

output "without_recent_backup" {
  value = local.without_recent_backup
}
