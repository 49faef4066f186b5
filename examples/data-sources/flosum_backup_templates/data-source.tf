# Every backup and archive template of one connection, sorted by id.
data "flosum_backup_templates" "sales" {
  connection_id = 1
}

output "templates" {
  value = { for t in data.flosum_backup_templates.sales.templates : t.name => t.type }
}

output "archive_templates" {
  value = data.flosum_backup_templates.sales.archive_templates_count
}
