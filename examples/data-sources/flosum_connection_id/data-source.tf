# The Flosum id of the connection that backs up a Salesforce org.
data "flosum_connection_id" "finance" {
  salesforce_org_id = "00DhRBR7Mk0NNA0ULO"
}

# Feed it to flosum_connection to read the whole connection.
data "flosum_connection" "finance" {
  id = data.flosum_connection_id.finance.connection_id
}

output "connection_id" {
  value = data.flosum_connection_id.finance.connection_id
}

output "connection_name" {
  value = data.flosum_connection.finance.name
}
