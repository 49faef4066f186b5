# A connection by its Flosum id.
data "flosum_connection" "by_id" {
  id = 3
}

# A connection by the Salesforce org id of the org it backs up, 15 or 18
# characters, as Setup > Company Information shows it.
data "flosum_connection" "by_org_id" {
  salesforce_org_id = "00DUVOzcwTOBaD0"
}

output "by_id" {
  value = {
    name              = data.flosum_connection.by_id.name
    salesforce_org_id = data.flosum_connection.by_id.salesforce_org_id
    org_type          = data.flosum_connection.by_id.salesforce_org_type
    user_name         = data.flosum_connection.by_id.user_name
  }
}

output "by_org_id" {
  value = {
    id                = data.flosum_connection.by_org_id.id
    name              = data.flosum_connection.by_org_id.name
    salesforce_org_id = data.flosum_connection.by_org_id.salesforce_org_id
    org_type          = data.flosum_connection.by_org_id.salesforce_org_type
  }
}
