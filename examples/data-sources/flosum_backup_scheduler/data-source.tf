# One scheduler, with its description and what its jobs include.
data "flosum_backup_scheduler" "daily" {
  connection_id = 1
  id            = 1012
}

output "description" {
  value = data.flosum_backup_scheduler.daily.description
}

output "template_name" {
  value = data.flosum_backup_scheduler.daily.template_name
}

output "includes_metadata" {
  value = data.flosum_backup_scheduler.daily.job_settings.is_include_metadata
}
