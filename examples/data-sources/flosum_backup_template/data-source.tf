# One backup template, with the objects it backs up: groups of objects, each
# a tree flattened into a list.
data "flosum_backup_template" "accounts" {
  connection_id = 1
  id            = 1001
}

output "description" {
  value = data.flosum_backup_template.accounts.description
}

output "objects" {
  value = [for group in data.flosum_backup_template.accounts.roots : [for root in group : root.object_api_name]]
}
