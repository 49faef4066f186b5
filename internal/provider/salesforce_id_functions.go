package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/flosum/terraform-provider-flosum/internal/sfid"
)

var (
	_ function.Function = (*salesforceIDFunction)(nil)
)

// openTofuNote explains the one difference between Terraform and OpenTofu
// for the functions.
const openTofuNote = "The function is pure and calls no API. Terraform calls it without configuring the provider; " +
	"OpenTofu configures the provider first, so there the provider needs its usual arguments."

// salesforceIDFunction is a pure function from one Salesforce id form to
// another; salesforce_id_18 and salesforce_id_15 differ only in convert.
type salesforceIDFunction struct {
	name        string
	summary     string
	description string
	convert     func(string) (string, error)
}

func newSalesforceID18Function() function.Function {
	return &salesforceIDFunction{
		name:    "salesforce_id_18",
		summary: "Returns the 18-character case-safe form of a Salesforce id.",
		description: "Given a 15-character Salesforce id, appends its 3-character case-safe suffix. Given an 18-character id, checks the suffix and " +
			"restores the letter case of the first 15 characters from it, so an id that was upper- or lower-cased comes back as Salesforce issued it. " +
			"Anything else is an error. " + openTofuNote,
		convert: sfid.To18,
	}
}

func newSalesforceID15Function() function.Function {
	return &salesforceIDFunction{
		name:    "salesforce_id_15",
		summary: "Returns the 15-character case-sensitive form of a Salesforce id.",
		description: "Given an 18-character Salesforce id, checks its suffix, restores the letter case of the first 15 characters from it and drops the suffix. " +
			"Given a 15-character id, returns it unchanged. Anything else is an error. " + openTofuNote,
		convert: sfid.To15,
	}
}

func (f *salesforceIDFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = f.name
}

func (f *salesforceIDFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:             f.summary,
		MarkdownDescription: f.description,
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "id",
				MarkdownDescription: "A Salesforce id of 15 or 18 letters and digits, such as an org id from Setup > Company Information.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *salesforceIDFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var id string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &id))
	if resp.Error != nil {
		return
	}
	converted, err := f.convert(id)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, "Invalid Salesforce id: "+err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, converted))
}
