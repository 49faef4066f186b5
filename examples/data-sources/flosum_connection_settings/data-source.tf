# How much of a Salesforce org's API limits Flosum may use, and whether its
# scheduled backups and archives are switched off.
data "flosum_connection_settings" "sales" {
  connection_id = 1
}

output "api_quota" {
  value = data.flosum_connection_settings.sales.api_quota
}

output "scheduled_backups_run" {
  value = !data.flosum_connection_settings.sales.scheduler.is_backups_disabled
}
