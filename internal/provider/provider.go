// Package provider implements the flosum Terraform provider: its
// configuration, data sources and functions. It knows nothing of HTTP; the
// flosumapi package does the talking.
package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var (
	_ provider.Provider              = (*flosumProvider)(nil)
	_ provider.ProviderWithFunctions = (*flosumProvider)(nil)

	_ provider.ProviderWithEphemeralResources = (*flosumProvider)(nil)
)

// flosumProvider is the flosum provider.
type flosumProvider struct {
	version string
	getenv  func(string) string
}

// providerModel maps the provider block.
type providerModel struct {
	AccessToken           types.String `tfsdk:"access_token"`
	Region                types.String `tfsdk:"region"`
	BaseURL               types.String `tfsdk:"base_url"`
	RequestTimeout        types.String `tfsdk:"request_timeout"`
	MaxRetries            types.Int64  `tfsdk:"max_retries"`
	MaxConcurrentRequests types.Int64  `tfsdk:"max_concurrent_requests"`
	CACertPEM             types.String `tfsdk:"ca_cert_pem"`
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecret          types.String `tfsdk:"client_secret"`
	RedirectURI           types.String `tfsdk:"redirect_uri"`
	RefreshToken          types.String `tfsdk:"refresh_token"`
	RefreshTokenFile      types.String `tfsdk:"refresh_token_file"`
	GlobalSettingsURL     types.String `tfsdk:"global_settings_url"`
	MaxListSize           types.Int64  `tfsdk:"max_list_size"`
}

// New returns a function that makes the provider, as providerserver wants.
// The provider binary serves NewProtocol6Server, which wraps it.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return newProvider(version) }
}

func newProvider(version string) *flosumProvider {
	return &flosumProvider{version: version, getenv: os.Getenv}
}

func (p *flosumProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "flosum"
	resp.Version = p.version
}

func (p *flosumProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads Flosum Backup & Archive connections (the Salesforce orgs that Flosum backs up) through the Flosum Backup API.",
		Attributes: map[string]schema.Attribute{
			"access_token": schema.StringAttribute{
				MarkdownDescription: "Static bearer access token for the Flosum Backup API, the alternative to OAuth (`client_id`, `client_secret`, `redirect_uri`, `refresh_token`): exactly one of the two is required. Falls back to the `" + envAccessToken + "` environment variable. No default. Whitespace around it (such as `file()`'s trailing newline) is ignored; whitespace inside it is an error. Sent only to the API's origin; never logged.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{accessTokenValidator()},
			},
			"region": schema.StringAttribute{
				MarkdownDescription: "Flosum region of the tenant: `us`, `de`, `jp` or `au`, meaning `https://backup-<region>.flosum.app`. Falls back to `" + envRegion + "`. No default: set `region` or `base_url`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(regionNames...)},
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "Root URL of the Backup API for a dedicated tenant, overriding `region`, such as `https://backup.example.com`. Must be `https://` (`http://` only for loopback hosts). Falls back to `" + envBaseURL + "`. No default.",
				Optional:            true,
				Validators:          []validator.String{baseURLValidator()},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "Time limit for each HTTP attempt, as a duration such as `\"30s\"` or `\"1m\"`. Falls back to `" + envRequestTimeout + "`. Defaults to `\"" + defaultRequestTimeout + "\"`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator()},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a 429, 502, 503 or 504 answer or a connection error, with exponential backoff and `Retry-After` honoured (at most 60 s); from `0` (no retries) to `%d`. Falls back to `%s`. Defaults to `%d`.", maxMaxRetries, envMaxRetries, defaultMaxRetries),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, maxMaxRetries)},
			},
			"max_concurrent_requests": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Most API requests in flight at once, across every data source of this provider; from `1` (pages read one after another) to `%d`. Falls back to `%s`. Defaults to `%d`.", maxMaxConcurrentRequests, envMaxConcurrentRequests, defaultMaxConcurrentRequests),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, maxMaxConcurrentRequests)},
			},
			"max_list_size": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Most items a list may hold, such as the connections `flosum_connections` reads; at least `1`. A list whose first page claims more fails with *Flosum List Too Large* before any other page is read, so that a broken or hostile API cannot keep the provider reading without end. Falls back to `%s`. Defaults to `%d`.", envMaxListSize, defaultMaxListSize),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"ca_cert_pem": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded CA certificates trusted in addition to the system's, for a dedicated tenant behind a private CA. Falls back to `" + envCACertPEM + "`. Defaults to none (system roots only).",
				Optional:            true,
			},
		},
	}
	maps.Copy(resp.Schema.Attributes, oauthSchemaAttributes())
}

func (p *flosumProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, arg := range []struct {
		name  string
		value interface{ IsUnknown() bool }
	}{
		{"access_token", config.AccessToken}, {"region", config.Region}, {"base_url", config.BaseURL},
		{"request_timeout", config.RequestTimeout}, {"max_retries", config.MaxRetries},
		{"max_concurrent_requests", config.MaxConcurrentRequests}, {"ca_cert_pem", config.CACertPEM},
		{"max_list_size", config.MaxListSize},
	} {
		unknownArgument(&resp.Diagnostics, arg.name, arg.value)
	}
	for name, value := range oauthUnknownArguments(config) {
		unknownArgument(&resp.Diagnostics, name, value)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	s, diags := resolveSettings(config, p.getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	logger := newTokenMaskingLogger(append(s.oauth.secrets(), s.accessToken)...)
	client, err := flosumapi.New(flosumapi.Config{
		BaseURL:               s.baseURL,
		AccessToken:           s.accessToken,
		OAuth:                 s.oauth.clientConfig(),
		UserAgent:             userAgent(p.version, req.TerraformVersion, p.getenv("TF_APPEND_USER_AGENT")),
		RequestTimeout:        s.requestTimeout,
		MaxRetries:            s.maxRetries,
		MaxConcurrentRequests: s.maxConcurrentRequests,
		CACertPEM:             s.caCertPEM,
		MaxListItems:          s.maxListSize,
		Logger:                logger,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable To Create Flosum API Client",
			"The provider could not set up its API client: "+err.Error()+". Check the provider arguments.")
		return
	}
	fields := map[string]any{
		"base_url": s.baseURL, "request_timeout": s.requestTimeout.String(), "max_retries": s.maxRetries,
		"max_concurrent_requests": s.maxConcurrentRequests, "max_list_size": s.maxListSize, "authentication": "access_token",
	}
	if s.oauth != nil {
		fields["authentication"], fields["global_settings_url"] = "oauth", s.oauth.globalSettingsURL
	}
	tflog.Info(logger.mask(ctx), "Configured the Flosum API client", fields)
	resp.DataSourceData = client
	resp.EphemeralResourceData = client
}

// unknownArgument reports an argument whose value is not known yet.
func unknownArgument(diags *diag.Diagnostics, name string, value interface{ IsUnknown() bool }) {
	if value.IsUnknown() {
		diags.AddAttributeError(path.Root(name), "Unknown Flosum Provider Argument",
			fmt.Sprintf("The provider cannot create the Flosum API client because %s is an unknown value. "+
				"Set it to a value known at plan time (a literal, a variable or an environment variable), "+
				"or target the resources it depends on first with -target.", name))
	}
}

func (p *flosumProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newConnectionDataSource,
		newConnectionsDataSource,
		newConnectionIDDataSource,
		newConnectionSettingsDataSource,
		newBackupsDataSource,
		newBackupTemplatesDataSource,
		newBackupTemplateDataSource,
		newBackupSchedulersDataSource,
		newBackupSchedulerDataSource,
	}
}

func (p *flosumProvider) Resources(context.Context) []func() resource.Resource { return nil }

func (p *flosumProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{newAccessTokenEphemeralResource}
}

func (p *flosumProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		newSalesforceID18Function,
		newSalesforceID15Function,
	}
}

// userAgent names the provider and Terraform versions, plus whatever
// TF_APPEND_USER_AGENT holds.
func userAgent(providerVersion, terraformVersion, appended string) string {
	ua := fmt.Sprintf("terraform-provider-flosum/%s terraform/%s", providerVersion, terraformVersion)
	if appended = strings.TrimSpace(appended); appended != "" {
		ua += " " + appended
	}
	return ua
}
