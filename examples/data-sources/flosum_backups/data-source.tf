# The completed backups of one connection in the last week, newest first.
data "flosum_backups" "sales" {
  connection_id = 1
  statuses      = ["Completed"]
  start_date    = timeadd(plantimestamp(), "-168h")
}

output "completed_last_week" {
  value = data.flosum_backups.sales.total
}

output "latest_completed" {
  value = try(data.flosum_backups.sales.backups[0].name, null)
}
