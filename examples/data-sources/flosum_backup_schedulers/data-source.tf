# When each scheduler of one connection runs.
data "flosum_backup_schedulers" "sales" {
  connection_id = 1
}

output "schedules" {
  value = {
    for s in data.flosum_backup_schedulers.sales.schedulers :
    s.name => "${s.configuration.frequency} at ${s.configuration.run_at} ${s.timezone}"
  }
}

output "default_scheduler" {
  value = one([for s in data.flosum_backup_schedulers.sales.schedulers : s.name if s.is_default])
}
