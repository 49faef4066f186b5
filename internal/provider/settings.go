package provider

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// Environment variables read when an argument is not set in configuration.
const (
	envAccessToken           = "FLOSUM_ACCESS_TOKEN"
	envRegion                = "FLOSUM_REGION"
	envBaseURL               = "FLOSUM_BASE_URL"
	envRequestTimeout        = "FLOSUM_REQUEST_TIMEOUT"
	envMaxRetries            = "FLOSUM_MAX_RETRIES"
	envMaxConcurrentRequests = "FLOSUM_MAX_CONCURRENT_REQUESTS"
	envCACertPEM             = "FLOSUM_CA_CERT_PEM"
	envMaxListSize           = "FLOSUM_MAX_LIST_SIZE"
)

// Defaults for the optional arguments.
const (
	defaultRequestTimeout        = "30s"
	defaultMaxRetries            = 4
	defaultMaxConcurrentRequests = flosumapi.DefaultMaxConcurrentRequests
	maxMaxRetries                = 10
	maxMaxConcurrentRequests     = 64
	defaultMaxListSize           = flosumapi.DefaultMaxListItems
)

// regions maps each Flosum region to its Backup & Archive API.
var regions = map[string]string{
	"us": "https://backup-us.flosum.app",
	"de": "https://backup-de.flosum.app",
	"jp": "https://backup-jp.flosum.app",
	"au": "https://backup-au.flosum.app",
}

// regionNames lists the regions in the order the docs give them.
var regionNames = []string{"us", "de", "jp", "au"}

// settings is the provider configuration once configuration and environment
// are merged and checked.
type settings struct {
	accessToken           string
	baseURL               string
	requestTimeout        time.Duration
	maxRetries            int
	maxConcurrentRequests int
	caCertPEM             string
	maxListSize           int
	// region is the region chosen, "" with base_url.
	region string
	// oauth, when set, replaces accessToken.
	oauth *oauthSettings
}

// resolveSettings merges configuration with the environment (configuration
// wins) and checks the result, reporting problems on each argument's path.
func resolveSettings(config providerModel, getenv func(string) string) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := settings{}

	s.accessToken = stringSetting(config.AccessToken, getenv(envAccessToken))
	if s.accessToken == "" && !oauthRequested(config, getenv) {
		diags.AddAttributeError(path.Root("access_token"), "Missing Flosum Access Token",
			"The provider needs an access token to call the Flosum Backup API. Set the access_token argument in the provider block "+
				"or the "+envAccessToken+" environment variable. Tokens come from Flosum's OAuth flow (Global Settings > Security > Connected Apps).")
	} else if s.accessToken != "" {
		from := "the " + envAccessToken + " environment variable"
		if configured(config.AccessToken) != "" {
			from = "the access_token argument"
		}
		token, err := flosumapi.CheckAccessToken(s.accessToken)
		if err != nil {
			diags.AddAttributeError(path.Root("access_token"), malformedTokenSummary, malformedTokenDetail(err, from))
		}
		s.accessToken = token
	}

	// Configuration beats environment as a whole: a region in the provider
	// block wins over FLOSUM_BASE_URL; base_url beats region at each level.
	baseURL, region := configured(config.BaseURL), configured(config.Region)
	if baseURL == "" && region == "" {
		baseURL, region = strings.TrimSpace(getenv(envBaseURL)), strings.TrimSpace(getenv(envRegion))
	}
	switch {
	case baseURL != "":
		normalized, err := flosumapi.CheckBaseURL(baseURL)
		if err != nil {
			diags.AddAttributeError(path.Root("base_url"), "Invalid Flosum Base URL", baseURLDetail(err))
		}
		s.baseURL = normalized
	case region != "":
		url, ok := regions[region]
		if !ok {
			diags.AddAttributeError(path.Root("region"), "Invalid Flosum Region",
				fmt.Sprintf("The region %q (from the region argument or %s) is not a Flosum region. Use one of %s, or set base_url for a dedicated tenant.", region, envRegion, regionList()))
		}
		s.baseURL, s.region = url, region
	default:
		diags.AddAttributeError(path.Root("region"), "Missing Flosum Region",
			fmt.Sprintf("The provider needs to know which Flosum API to call. Set region (or %s) to one of %s, or base_url (or %s) to the API's root URL for a dedicated tenant.", envRegion, regionList(), envBaseURL))
	}

	timeout := stringSetting(config.RequestTimeout, getenv(envRequestTimeout))
	if timeout == "" {
		timeout = defaultRequestTimeout
	}
	d, err := parseTimeout(timeout)
	if err != nil {
		diags.AddAttributeError(path.Root("request_timeout"), "Invalid Request Timeout", "The "+err.Error()+" (from request_timeout or "+envRequestTimeout+").")
	}
	s.requestTimeout = d

	s.maxRetries = intSetting(&diags, "max_retries", config.MaxRetries, envMaxRetries, getenv, defaultMaxRetries, 0, maxMaxRetries)
	s.maxConcurrentRequests = intSetting(&diags, "max_concurrent_requests", config.MaxConcurrentRequests, envMaxConcurrentRequests, getenv, defaultMaxConcurrentRequests, 1, maxMaxConcurrentRequests)
	s.maxListSize = intSetting(&diags, "max_list_size", config.MaxListSize, envMaxListSize, getenv, defaultMaxListSize, 1, math.MaxInt)
	s.caCertPEM = stringSetting(config.CACertPEM, getenv(envCACertPEM))
	if s.caCertPEM != "" {
		if err := flosumapi.CheckCACertPEM(s.caCertPEM); err != nil {
			diags.AddAttributeError(path.Root("ca_cert_pem"), "Invalid CA Certificate",
				"The CA certificates given in ca_cert_pem (or "+envCACertPEM+") could not be used: "+err.Error()+
					". Give one or more PEM blocks that begin with -----BEGIN CERTIFICATE-----.")
		}
	}
	oauth, oauthDiags := resolveOAuth(config, getenv, s.region, s.baseURL, s.accessToken != "")
	diags.Append(oauthDiags...)
	s.oauth = oauth
	return s, diags
}

// stringSetting returns the configured value when set, else the environment's.
func stringSetting(value types.String, fromEnv string) string {
	if v := configured(value); v != "" {
		return v
	}
	return strings.TrimSpace(fromEnv)
}

// configured returns a string argument's value, or "" when null or unknown.
func configured(value types.String) string {
	if value.IsNull() || value.IsUnknown() {
		return ""
	}
	return value.ValueString()
}

func intSetting(diags *diag.Diagnostics, name string, configured types.Int64, env string, getenv func(string) string, def, lo, hi int) int {
	if !configured.IsNull() && !configured.IsUnknown() {
		return int(configured.ValueInt64()) // the schema validators bound it
	}
	raw := strings.TrimSpace(getenv(env))
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		bounds := fmt.Sprintf("from %d to %d", lo, hi)
		if hi == math.MaxInt {
			bounds = fmt.Sprintf("of at least %d", lo)
		}
		diags.AddAttributeError(path.Root(name), "Invalid "+titleCase(name),
			fmt.Sprintf("The %s environment variable is %q; it must be a whole number %s.", env, raw, bounds))
		return def
	}
	return n
}

// parseTimeout reads a Go duration such as "30s" or "1m30s".
func parseTimeout(raw string) (time.Duration, error) {
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("request timeout %q is not a duration; write it like \"30s\" or \"1m30s\"", raw)
	}
	if d <= 0 {
		return 0, fmt.Errorf("request timeout %q must be greater than zero", raw)
	}
	return d, nil
}

const malformedTokenSummary = "Malformed Flosum Access Token"

// malformedTokenDetail turns a flosumapi.CheckAccessToken error, which never
// quotes the token, into a diagnostic's detail; from says where the token
// came from.
func malformedTokenDetail(err error, from string) string {
	return "The access token from " + from + " cannot be used: " + err.Error() +
		". Whitespace around the token (such as the newline at the end of a file read with file()) is ignored; whitespace inside it is not."
}

// baseURLDetail turns a flosumapi.CheckBaseURL error into a diagnostic's detail.
func baseURLDetail(err error) string {
	return "The " + err.Error() + ". Set base_url (or " + envBaseURL + ") to the API's root URL, such as https://backup-us.flosum.app."
}

func regionList() string {
	return "\"" + strings.Join(regionNames, "\", \"") + "\""
}

func titleCase(snake string) string {
	words := strings.Split(snake, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
