package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// Environment variables of the OAuth arguments.
const (
	envClientID          = "FLOSUM_CLIENT_ID"
	envClientSecret      = "FLOSUM_CLIENT_SECRET"
	envRedirectURI       = "FLOSUM_REDIRECT_URI"
	envRefreshToken      = "FLOSUM_REFRESH_TOKEN"
	envRefreshTokenFile  = "FLOSUM_REFRESH_TOKEN_FILE"
	envGlobalSettingsURL = "FLOSUM_GLOBAL_SETTINGS_URL"
)

var _ provider.ProviderWithValidateConfig = (*flosumProvider)(nil)

// oauthArgument is one argument of the OAuth set.
type oauthArgument struct {
	name, env string
	value     func(providerModel) types.String
}

// oauthArguments are the arguments that make the provider sign in with
// OAuth, in the order the docs give them. global_settings_url is not among
// them: it has a default and is not a credential.
var oauthArguments = []oauthArgument{
	{"client_id", envClientID, func(m providerModel) types.String { return m.ClientID }},
	{"client_secret", envClientSecret, func(m providerModel) types.String { return m.ClientSecret }},
	{"redirect_uri", envRedirectURI, func(m providerModel) types.String { return m.RedirectURI }},
	{"refresh_token", envRefreshToken, func(m providerModel) types.String { return m.RefreshToken }},
	{"refresh_token_file", envRefreshTokenFile, func(m providerModel) types.String { return m.RefreshTokenFile }},
}

// oauthSettings is the OAuth set once configuration and environment are
// merged and checked.
type oauthSettings struct {
	clientID, clientSecret, redirectURI, refreshToken, refreshTokenFile string
	// refreshTokenSource says where the refresh token came from, for errors.
	refreshTokenSource string
	globalSettingsURL  string
}

// globalSettingsURLs maps each Flosum region to its Global Settings API.
func globalSettingsURL(region string) string { return "https://global-" + region + ".flosum.app" }

// oauthSchemaAttributes are the OAuth arguments of the provider block.
func oauthSchemaAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"client_id": schema.StringAttribute{
			MarkdownDescription: "Client id of the Flosum connected app (Global Settings > Security > Connected Apps), for OAuth. Falls back to `" + envClientID + "`. No default.",
			Optional:            true,
		},
		"client_secret": schema.StringAttribute{
			MarkdownDescription: "Client secret of the connected app, for OAuth. Falls back to `" + envClientSecret + "`. No default. Never logged.",
			Optional:            true,
			Sensitive:           true,
		},
		"redirect_uri": schema.StringAttribute{
			MarkdownDescription: "Redirect URI registered on the connected app, exactly as registered: the token endpoint requires it on every grant. Falls back to `" + envRedirectURI + "`. No default.",
			Optional:            true,
		},
		"refresh_token": schema.StringAttribute{
			MarkdownDescription: "OAuth refresh token, which the provider exchanges for access tokens itself, on the first read that needs one. Falls back to `" + envRefreshToken + "`. No default. Never logged.",
			Optional:            true,
			Sensitive:           true,
		},
		"refresh_token_file": schema.StringAttribute{
			MarkdownDescription: "Path of a file holding the OAuth refresh token, instead of `refresh_token`: when Flosum answers an exchange with a new refresh token, the provider writes it back to the file (atomically, under a lock on `<file>.lock`), and keeps the newest access token in `<file>.access.json` so that the provider processes of one run exchange once. On Unix the three files get mode 0600; on Windows the provider sets no permissions (Go can only set the read-only flag there), so they get the folder's: keep the file in a folder only you can read. If the new refresh token cannot be written, the provider uses it for the rest of the run and warns. Use it where refresh tokens rotate. Falls back to `" + envRefreshTokenFile + "`. No default.",
			Optional:            true,
		},
		"global_settings_url": schema.StringAttribute{
			MarkdownDescription: "Root URL of the Flosum Global Settings API, whose token endpoint gives the access tokens, for OAuth. Falls back to `" + envGlobalSettingsURL + "`. Defaults to `https://global-<region>.flosum.app` from `region`; required with `base_url`. Must be `https://` (`http://` only for loopback hosts).",
			Optional:            true,
			Validators:          []validator.String{globalSettingsURLValidator()},
		},
	}
}

// oauthUnknownArguments lists the OAuth arguments for Configure's check of
// unknown values.
func oauthUnknownArguments(config providerModel) map[string]types.String {
	args := map[string]types.String{"global_settings_url": config.GlobalSettingsURL}
	for _, a := range oauthArguments {
		args[a.name] = a.value(config)
	}
	return args
}

// ValidateConfig reports, at terraform validate, a mixed or partial set of
// credentials once every credential argument is known; Configure checks the
// same again with the values it gets.
func (p *flosumProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.AccessToken.IsUnknown() {
		return
	}
	for _, value := range oauthUnknownArguments(config) {
		if value.IsUnknown() {
			return
		}
	}
	_, diags := resolveOAuth(config, p.getenv, "", "", configured(config.AccessToken) != "" || strings.TrimSpace(p.getenv(envAccessToken)) != "")
	resp.Diagnostics.Append(diags...)
}

// oauthRequested reports whether any OAuth credential is set, in
// configuration or environment.
func oauthRequested(config providerModel, getenv func(string) string) bool {
	for _, a := range oauthArguments {
		if stringSetting(a.value(config), getenv(a.env)) != "" {
			return true
		}
	}
	return false
}

// resolveOAuth merges the OAuth arguments with the environment. It returns
// nil settings when none is set. haveAccessToken says whether access_token
// is set too, which is an error: exactly one way to authenticate. region and
// baseURL are what resolveSettings chose, for the Global Settings URL's
// default ("" at validate, where only explicit URLs are checked).
func resolveOAuth(config providerModel, getenv func(string) string, region, baseURL string, haveAccessToken bool) (*oauthSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !oauthRequested(config, getenv) {
		return nil, nil
	}
	values := map[string]string{}
	var set []oauthArgument
	for _, a := range oauthArguments {
		values[a.name] = stringSetting(a.value(config), getenv(a.env))
		if values[a.name] != "" {
			set = append(set, a)
		}
	}
	if haveAccessToken {
		diags.AddAttributeError(path.Root("access_token"), "Conflicting Flosum Credentials",
			fmt.Sprintf("Both an access token (access_token or %s) and OAuth arguments (%s) are set. Use exactly one way to authenticate: "+
				"OAuth (client_id, client_secret, redirect_uri and refresh_token or refresh_token_file), which the provider renews itself, or a static access_token. "+
				"Remove the one you do not use, from the provider block or the environment.", envAccessToken, argumentList(set)))
		return nil, diags
	}
	// Configuration beats environment for the pair as a whole, so that a
	// refresh_token_file in the block overrides FLOSUM_REFRESH_TOKEN.
	s := &oauthSettings{clientID: values["client_id"], clientSecret: values["client_secret"], redirectURI: values["redirect_uri"]}
	tokenSource, fileSource := "the refresh_token argument", "the refresh_token_file argument"
	s.refreshToken, s.refreshTokenFile = configured(config.RefreshToken), configured(config.RefreshTokenFile)
	if s.refreshToken == "" && s.refreshTokenFile == "" {
		s.refreshToken, s.refreshTokenFile = strings.TrimSpace(getenv(envRefreshToken)), strings.TrimSpace(getenv(envRefreshTokenFile))
		tokenSource, fileSource = "the "+envRefreshToken+" environment variable", "the "+envRefreshTokenFile+" environment variable"
	}
	missing := []oauthArgument{}
	for _, a := range oauthArguments[:3] {
		if values[a.name] == "" {
			missing = append(missing, a)
		}
	}
	for _, a := range missing {
		diags.AddAttributeError(path.Root(a.name), "Incomplete Flosum OAuth Settings",
			fmt.Sprintf("OAuth needs client_id, client_secret, redirect_uri and refresh_token (or refresh_token_file); %s %s set but %s is not. "+
				"Set %s in the provider block or the %s environment variable, or remove the OAuth arguments and use access_token.",
				argumentList(set), isOrAre(len(set)), a.name, a.name, a.env))
	}
	switch {
	case s.refreshToken == "" && s.refreshTokenFile == "":
		diags.AddAttributeError(path.Root("refresh_token"), "Incomplete Flosum OAuth Settings",
			fmt.Sprintf("OAuth needs a refresh token; %s %s set but neither refresh_token nor refresh_token_file is. "+
				"Set refresh_token (or %s) to the refresh token, or refresh_token_file (or %s) to a file holding it, where refresh tokens rotate; "+
				"the provider's authentication guide shows how to get the first one.", argumentList(set), isOrAre(len(set)), envRefreshToken, envRefreshTokenFile))
	case s.refreshToken != "" && s.refreshTokenFile != "":
		diags.AddAttributeError(path.Root("refresh_token_file"), "Conflicting Flosum Refresh Token Settings",
			fmt.Sprintf("Both refresh_token and refresh_token_file are set (from %s and %s). Set exactly one: refresh_token_file where Flosum rotates refresh tokens, as the provider keeps the newest there.",
				tokenSource, fileSource))
	case s.refreshTokenFile != "":
		s.refreshTokenSource = fileSource + " (" + s.refreshTokenFile + ")"
	default:
		s.refreshTokenSource = tokenSource
	}
	s.globalSettingsURL = stringSetting(config.GlobalSettingsURL, getenv(envGlobalSettingsURL))
	switch {
	case s.globalSettingsURL != "":
		normalized, err := flosumapi.CheckBaseURL(s.globalSettingsURL)
		if err != nil {
			diags.AddAttributeError(path.Root("global_settings_url"), "Invalid Flosum Global Settings URL", globalSettingsURLDetail(err))
		}
		s.globalSettingsURL = normalized
	case baseURL != "" && region == "":
		diags.AddAttributeError(path.Root("global_settings_url"), "Missing Flosum Global Settings URL",
			"With base_url (a dedicated tenant), OAuth needs the Global Settings API's root URL, where the token endpoint is: "+
				"set global_settings_url (or "+envGlobalSettingsURL+"), such as https://global.example.com.")
	case region != "":
		s.globalSettingsURL = globalSettingsURL(region)
	}
	if diags.HasError() {
		return nil, diags
	}
	return s, diags
}

// oauthConfig is the client's OAuth configuration.
func (s *oauthSettings) clientConfig() *flosumapi.OAuthConfig {
	if s == nil {
		return nil
	}
	return &flosumapi.OAuthConfig{
		GlobalSettingsURL: s.globalSettingsURL, ClientID: s.clientID, ClientSecret: s.clientSecret,
		RedirectURI: s.redirectURI, RefreshToken: s.refreshToken, RefreshTokenFile: s.refreshTokenFile, RefreshTokenSource: s.refreshTokenSource,
	}
}

// secrets lists what the provider's logger must mask.
func (s *oauthSettings) secrets() []string {
	if s == nil {
		return nil
	}
	return []string{s.clientSecret, s.refreshToken}
}

func argumentList(args []oauthArgument) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = a.name
	}
	return strings.Join(names, ", ")
}

func isOrAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// globalSettingsURLValidator checks global_settings_url as Configure will.
func globalSettingsURLValidator() validator.String {
	return stringCheck{
		description: "must be an absolute https:// URL (http:// only for loopback hosts)",
		summary:     "Invalid Flosum Global Settings URL",
		check: func(value string) (string, bool) {
			if _, err := flosumapi.CheckBaseURL(value); err != nil {
				return globalSettingsURLDetail(err), false
			}
			return "", true
		},
	}
}

func globalSettingsURLDetail(err error) string {
	return "The global settings " + strings.TrimPrefix(err.Error(), "base ") + ". Set global_settings_url (or " + envGlobalSettingsURL +
		") to the Global Settings API's root URL, such as https://global-us.flosum.app."
}
