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
