package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var _ datasource.DataSourceWithConfigure = (*backupSchedulersDataSource)(nil)

// backupSchedulersDataSource is flosum_backup_schedulers: the schedulers of
// a connection, or of one of its templates.
type backupSchedulersDataSource struct {
	apiClient
}

type (
	backupSchedulersModel struct {
		ConnectionID int64            `tfsdk:"connection_id"`
		TemplateID   *int64           `tfsdk:"template_id"`
		Schedulers   []schedulerModel `tfsdk:"schedulers"`
	}
	// schedulerModel is a scheduler as the list gives it; a read by id
	// adds to it.
	schedulerModel struct {
		ID            int64              `tfsdk:"id"`
		Name          string             `tfsdk:"name"`
		Type          string             `tfsdk:"type"`
		Timezone      string             `tfsdk:"timezone"`
		IsDefault     bool               `tfsdk:"is_default"`
		TemplateID    *int64             `tfsdk:"template_id"`
		TemplateName  *string            `tfsdk:"template_name"`
		Configuration configurationModel `tfsdk:"configuration"`
	}
	configurationModel struct {
		Frequency   string         `tfsdk:"frequency"`
		RepeatEvery int64          `tfsdk:"repeat_every"`
		RunAt       string         `tfsdk:"run_at"`
		RepeatOn    *repeatOnModel `tfsdk:"repeat_on"`
	}
	repeatOnModel struct {
		Type           string               `tfsdk:"type"`
		DaysOfWeek     []int64              `tfsdk:"days_of_week"`
		DayOfMonth     *int64               `tfsdk:"day_of_month"`
		WeekDayOfMonth *weekDayOfMonthModel `tfsdk:"week_day_of_month"`
	}
	weekDayOfMonthModel struct {
		FirstOrLast string `tfsdk:"first_or_last"`
		WeekDay     int64  `tfsdk:"week_day"`
	}
)

func newBackupSchedulersDataSource() datasource.DataSource { return &backupSchedulersDataSource{} }

func (d *backupSchedulersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_backup_schedulers"
}

func (d *backupSchedulersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	item := schedulerAttributes()
	item["id"] = schema.Int64Attribute{MarkdownDescription: "Id of the scheduler.", Computed: true}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the schedulers of one Flosum Backup & Archive connection, or those of one of its templates, sorted by id. No match gives an empty list, not an error.",
		Attributes: map[string]schema.Attribute{
			"connection_id": connectionIDAttribute("schedulers"),
			"template_id": schema.Int64Attribute{
				MarkdownDescription: "Only the schedulers of the template with this id (at least 1). Omit to list every scheduler of the connection.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"schedulers": schema.ListNestedAttribute{
				MarkdownDescription: "The schedulers, sorted by id ascending.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: item},
			},
		},
	}
}

// schedulerAttributes are the attributes of a scheduler that the list and
// a read by id share, all computed, but for its id.
func schedulerAttributes() map[string]schema.Attribute {
	computedString := func(description string) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	computedInt := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: description, Computed: true}
	}
	return map[string]schema.Attribute{
		"name":          computedString("Name of the scheduler."),
		"type":          computedString("Kind of job the scheduler runs, such as `full backup`, `templated backup` or `archive`, passed through as the API sends it."),
		"timezone":      computedString("Time zone of `run_at`, such as `UTC` or `Europe/Berlin`."),
		"is_default":    schema.BoolAttribute{MarkdownDescription: "Whether this is the connection's default scheduler.", Computed: true},
		"template_id":   computedInt("Id of the template the scheduler runs; null when it runs none."),
		"template_name": computedString("Name of the template the scheduler runs; null when it runs none."),
		"configuration": schema.SingleNestedAttribute{
			MarkdownDescription: "When the scheduler runs.",
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"frequency":    computedString("`hourly`, `daily`, `weekly` or `monthly` (any other value the API sends is passed through)."),
				"repeat_every": computedInt("Runs every this many hours, days, weeks or months."),
				"run_at":       computedString("Time of day it runs at, such as `02:00`."),
				"repeat_on": schema.SingleNestedAttribute{
					MarkdownDescription: "The days a weekly or monthly scheduler runs on; null when the API gives none.",
					Computed:            true,
					Attributes: map[string]schema.Attribute{
						"type": computedString("`weekly` or `monthly`."),
						"days_of_week": schema.ListAttribute{
							MarkdownDescription: "Days of the week it runs on, 0 (Sunday) to 6, as the API lists them; null when the API gives none.",
							ElementType:         types.Int64Type,
							Computed:            true,
						},
						"day_of_month": computedInt("Day of the month it runs on; null when the API gives none."),
						"week_day_of_month": schema.SingleNestedAttribute{
							MarkdownDescription: "The first or last given week day of the month it runs on; null when the API gives none.",
							Computed:            true,
							Attributes: map[string]schema.Attribute{
								"first_or_last": computedString("`first` or `last`."),
								"week_day":      computedInt("Day of the week, 0 (Sunday) to 6."),
							},
						},
					},
				},
			},
		},
	}
}

func (d *backupSchedulersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var connectionID int64
	var templateID types.Int64
	resp.Diagnostics.Append(getArgument(ctx, req.Config, "connection_id", &connectionID)...)
	resp.Diagnostics.Append(getArgument(ctx, req.Config, "template_id", &templateID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	schedulers, err := d.client.ListSchedulers(ctx, connectionID, templateID.ValueInt64Pointer())
	if err != nil {
		what := "the schedulers of " + connectionWhat(connectionID)
		if !templateID.IsNull() {
			what = fmt.Sprintf("the schedulers of the template with id %d of %s", templateID.ValueInt64(), connectionWhat(connectionID))
		}
		resp.Diagnostics.Append(apiErrorDiagnostic(err, request{what: what, notFound: connectionNotFound(connectionID)}))
		return
	}
	model := backupSchedulersModel{ConnectionID: connectionID, TemplateID: templateID.ValueInt64Pointer(), Schedulers: make([]schedulerModel, len(schedulers))}
	for i, s := range schedulers {
		model.Schedulers[i] = schedulerOf(s)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

func schedulerOf(s flosumapi.SchedulerSummary) schedulerModel {
	c := s.Configuration
	out := schedulerModel{
		ID: s.ID, Name: s.Name, Type: s.Type, Timezone: s.Timezone, IsDefault: s.IsDefault, TemplateID: s.TemplateID, TemplateName: s.TemplateName,
		Configuration: configurationModel{Frequency: c.Frequency, RepeatEvery: c.RepeatEvery, RunAt: c.RunAt},
	}
	if on := c.RepeatOn; on != nil {
		out.Configuration.RepeatOn = &repeatOnModel{Type: on.Type, DayOfMonth: on.DayOfMonth}
		if on.DaysOfWeek != nil {
			out.Configuration.RepeatOn.DaysOfWeek = append([]int64{}, *on.DaysOfWeek...)
		}
		if w := on.WeekDayOfMonth; w != nil {
			out.Configuration.RepeatOn.WeekDayOfMonth = &weekDayOfMonthModel{FirstOrLast: w.FirstOrLast, WeekDay: w.WeekDay}
		}
	}
	return out
}
