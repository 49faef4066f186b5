package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/sfid"
)

// stringCheck adapts a check of a known string value to a plan-time
// validator; null and unknown values are left for later.
type stringCheck struct {
	description string
	summary     string
	check       func(string) (detail string, ok bool)
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if detail, ok := v.check(req.ConfigValue.ValueString()); !ok {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, detail)
	}
}

// baseURLValidator checks base_url as Configure will (https, or http on
// loopback).
func baseURLValidator() validator.String {
	return stringCheck{
		description: "must be an absolute https:// URL (http:// only for loopback hosts)",
		summary:     "Invalid Flosum Base URL",
		check: func(value string) (string, bool) {
			if _, err := flosumapi.CheckBaseURL(value); err != nil {
				return baseURLDetail(err), false
			}
			return "", true
		},
	}
}

// accessTokenValidator refuses, at plan time, an access_token with
// whitespace inside; its errors never quote the token.
func accessTokenValidator() validator.String {
	return stringCheck{
		description: "must be a single word; whitespace around it is ignored",
		summary:     malformedTokenSummary,
		check: func(value string) (string, bool) {
			if value == "" { // the environment variable is used instead
				return "", true
			}
			if _, err := flosumapi.CheckAccessToken(value); err != nil {
				return malformedTokenDetail(err, "the access_token argument"), false
			}
			return "", true
		},
	}
}

// durationValidator checks request_timeout.
func durationValidator() validator.String {
	return stringCheck{
		description: "must be a positive duration such as \"30s\"",
		summary:     "Invalid Request Timeout",
		check: func(value string) (string, bool) {
			if _, err := parseTimeout(value); err != nil {
				return "The " + err.Error() + ".", false
			}
			return "", true
		},
	}
}

// salesforceOrgIDValidator checks that a value is a Salesforce org id: 15
// or 18 letters and digits, and for 18 a suffix that fits the first 15.
func salesforceOrgIDValidator() validator.String {
	return stringCheck{
		description: "must be a Salesforce org id of 15 or 18 letters and digits",
		summary:     "Invalid Salesforce Org ID",
		check: func(value string) (string, bool) {
			if _, err := sfid.To18(value); err != nil {
				return invalidOrgIDDetail(err), false
			}
			return "", true
		},
	}
}

// invalidOrgIDDetail explains an org id that sfid rejected.
func invalidOrgIDDetail(err error) string {
	return "The Salesforce org id is not valid: " + err.Error() + ". Copy the org id again from Salesforce Setup > Company Information " +
		"(15 characters) or from any Salesforce API (18 characters); an 18-character id's last three characters encode the letter case of the first fifteen."
}
