# The demo that `make demo` runs against the test server. It works as well
# against a real Flosum tenant: set FLOSUM_ACCESS_TOKEN and FLOSUM_REGION (or
# FLOSUM_BASE_URL), and pick an org id and a connection id of yours.
terraform {
  required_version = ">= 1.8.0"
  required_providers {
    flosum = {
      source = "flosum/flosum"
    }
  }
}

provider "flosum" {}

variable "salesforce_org_id" {
  description = "Salesforce org id (15 or 18 characters) of a connected org."
  type        = string
  default     = "00DEMOAKtqtrlI0"
}

variable "connection_id" {
  description = "Flosum id of a connection."
  type        = number
  default     = 1
}

data "flosum_connections" "all" {}

data "flosum_connection_id" "demo" {
  salesforce_org_id = var.salesforce_org_id
}

data "flosum_connection" "by_org_id" {
  id = data.flosum_connection_id.demo.connection_id
}

data "flosum_connection" "by_id" {
  id = var.connection_id
}

locals {
  connections = { for c in data.flosum_connections.all.connections : tostring(c.id) => c }
}

# What each connection has: its backups (newest first) and its schedulers.
data "flosum_backups" "each" {
  for_each      = local.connections
  connection_id = each.key
}

data "flosum_backup_schedulers" "each" {
  for_each      = local.connections
  connection_id = each.key
}

output "connections" {
  description = "Every connection: id, org type and name."
  value       = [for c in data.flosum_connections.all.connections : format("%3d  %-10s  %s", c.id, c.salesforce_org_type, c.name)]
}

output "connection_for_org_id" {
  description = "The connection backing up var.salesforce_org_id."
  value = {
    salesforce_org_id    = var.salesforce_org_id
    salesforce_org_id_18 = provider::flosum::salesforce_id_18(var.salesforce_org_id)
    id                   = data.flosum_connection.by_org_id.id
    name                 = data.flosum_connection.by_org_id.name
    user_name            = data.flosum_connection.by_org_id.user_name
  }
}

output "connection_by_id" {
  description = "The connection with id var.connection_id."
  value = {
    id                  = data.flosum_connection.by_id.id
    name                = data.flosum_connection.by_id.name
    salesforce_org_id   = data.flosum_connection.by_id.salesforce_org_id
    salesforce_org_type = data.flosum_connection.by_id.salesforce_org_type
    user_full_name      = data.flosum_connection.by_id.user_full_name
  }
}

locals {
  latest_backup = {
    for id, b in data.flosum_backups.each : id => try(format("%s (%s)", b.backups[0].name, b.backups[0].job_status), "no backup")
  }
  last_completed = {
    for id, b in data.flosum_backups.each : id => try([for backup in b.backups : backup.name if backup.job_status == "Completed"][0], "none")
  }
  frequencies = {
    for id, s in data.flosum_backup_schedulers.each : id => [for scheduler in s.schedulers : scheduler.configuration.frequency]
  }
}

output "latest_backups" {
  description = "Each connection's latest backup, and its latest completed one."
  value = [
    for c in data.flosum_connections.all.connections :
    format("%3d  %-24s  %s; last completed: %s", c.id, c.name, local.latest_backup[c.id], local.last_completed[c.id])
  ]
}

output "schedules" {
  description = "Each connection's schedulers: how many, and how often each runs."
  value = [
    for c in data.flosum_connections.all.connections :
    format("%3d  %-24s  %d: %s", c.id, c.name, length(local.frequencies[c.id]), join(", ", local.frequencies[c.id]))
  ]
}
