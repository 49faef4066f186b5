terraform {
  required_version = ">= 1.8.0" # provider-defined functions
  required_providers {
    flosum = {
      source = "flosum/flosum"
    }
  }
}

# A 15-character id, as the Salesforce UI shows it, gets its case-safe suffix.
output "case_safe_id" {
  value = provider::flosum::salesforce_id_18("00DB00000003brX")
}

# An 18-character id whose letter case was lost (say, by a spreadsheet or a
# case-insensitive system) comes back as Salesforce issued it.
output "restored_id" {
  value = provider::flosum::salesforce_id_18("00db00000003brxmaq")
}

# Compare org ids in one form, whatever form each came in.
output "same_org" {
  value = provider::flosum::salesforce_id_18("00DB00000003brX") == provider::flosum::salesforce_id_18("00DB00000003BRXMAQ")
}
