package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// What the data sources that read below a connection share.

// connectionIDAttribute is the connection_id argument of every data source
// that reads below a connection.
func connectionIDAttribute(of string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: "Flosum id of the connection whose " + of + " to read (at least 1), such as `data.flosum_connection_id.x.connection_id`.",
		Required:            true,
		Validators:          []validator.Int64{int64validator.AtLeast(1)},
	}
}

// idAttribute is the id argument of a read by id; where says where to
// find one.
func idAttribute(of, where string) schema.Int64Attribute {
	return schema.Int64Attribute{
		MarkdownDescription: "Id of the " + of + " (at least 1), such as one of `" + where + "`.",
		Required:            true,
		Validators:          []validator.Int64{int64validator.AtLeast(1)},
	}
}

// enumSetAttribute is an optional set of the API's enum values that
// defaults to all of them.
func enumSetAttribute(description string, values []string) schema.SetAttribute {
	return schema.SetAttribute{
		MarkdownDescription: description + " One or more of " + quotedList(values) + "; defaults to all of them (the API requires the filter).",
		ElementType:         types.StringType,
		Optional:            true,
		Computed:            true,
		Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(values...))},
	}
}

// searchAttribute is the optional search argument of a list.
func searchAttribute(of string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: fmt.Sprintf("Search term, 1 to %d characters, sent to the API as is; the API decides what matches. Omit to list every %s.", maxSearchLength, of),
		Optional:            true,
		Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, maxSearchLength)},
	}
}

// enumSet returns the strings of set, or every value when it is null, with
// the set to keep in state.
func enumSet(ctx context.Context, set types.Set, all []string) ([]string, types.Set, diag.Diagnostics) {
	if set.IsNull() {
		values := make([]attr.Value, len(all))
		for i, v := range all {
			values[i] = types.StringValue(v)
		}
		full, diags := types.SetValue(types.StringType, values)
		return all, full, diags
	}
	var out []string
	diags := set.ElementsAs(ctx, &out, false)
	return out, set, diags
}

// rfc3339Validator checks a date argument at plan time.
func rfc3339Validator() validator.String {
	return stringCheck{
		description: "must be an RFC 3339 date and time such as \"2026-05-20T09:00:00Z\"",
		summary:     "Invalid Date",
		check: func(value string) (string, bool) {
			if _, err := time.Parse(time.RFC3339, value); err != nil {
				return fmt.Sprintf("%q is not an RFC 3339 date and time, such as \"2026-05-20T09:00:00Z\" or timeadd(plantimestamp(), \"-24h\").", value), false
			}
			return "", true
		},
	}
}

// connectionWhat names connection id in a diagnostic.
func connectionWhat(id int64) string { return fmt.Sprintf("the connection with id %d", id) }

// connectionNotFound is the detail of a 404 for a read below connection id.
func connectionNotFound(id int64) string {
	return fmt.Sprintf("No Flosum connection has id %d. Check the id in Flosum Backup & Archive, or find it with the flosum_connections or flosum_connection_id data source.", id)
}

// getArgument reads one argument of a configuration.
func getArgument(ctx context.Context, config tfsdk.Config, name string, target any) diag.Diagnostics {
	return config.GetAttribute(ctx, path.Root(name), target)
}

// byIDArguments reads the arguments of a read by id.
func byIDArguments(ctx context.Context, config tfsdk.Config) (connectionID, id int64, diags diag.Diagnostics) {
	diags.Append(getArgument(ctx, config, "connection_id", &connectionID)...)
	diags.Append(getArgument(ctx, config, "id", &id)...)
	return connectionID, id, diags
}

// quotedList writes values as Markdown code, comma-separated.
func quotedList(values []string) string {
	return "`" + strings.Join(values, "`, `") + "`"
}
