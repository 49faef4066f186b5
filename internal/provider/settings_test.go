package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// fakeEnv is a getenv over a map.
func fakeEnv(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

// nullConfig is a provider block with nothing set.
func nullConfig() providerModel {
	return providerModel{
		AccessToken:           types.StringNull(),
		Region:                types.StringNull(),
		BaseURL:               types.StringNull(),
		RequestTimeout:        types.StringNull(),
		MaxRetries:            types.Int64Null(),
		MaxConcurrentRequests: types.Int64Null(),
		CACertPEM:             types.StringNull(),
		MaxListSize:           types.Int64Null(),
	}
}

// fullEnv sets every environment variable the provider reads.
var fullEnv = map[string]string{
	envAccessToken:           "env-token",
	envRegion:                "jp",
	envBaseURL:               "https://env.example.com/",
	envRequestTimeout:        "45s",
	envMaxRetries:            "7",
	envMaxConcurrentRequests: "9",
	envCACertPEM:             envPEM,
	envMaxListSize:           "5000",
}

// requireNoDiags fails the test on any diagnostic.
func requireNoDiags(t *testing.T, diags diag.Diagnostics) {
	t.Helper()
	for _, d := range diags {
		t.Errorf("unexpected diagnostic: %s: %s: %s", d.Severity(), d.Summary(), d.Detail())
	}
}

// requireOneAttrError checks that diags is exactly one error on attribute
// name, with summary, whose detail holds every one of wants.
func requireOneAttrError(t *testing.T, diags diag.Diagnostics, name, summary string, wants ...string) {
	t.Helper()
	if len(diags) != 1 || diags.ErrorsCount() != 1 {
		t.Fatalf("want exactly one error diagnostic, got %d: %v", len(diags), diags)
	}
	d := diags[0]
	withPath, ok := d.(diag.DiagnosticWithPath)
	if !ok {
		t.Fatalf("diagnostic %q has no attribute path", d.Summary())
	}
	if !withPath.Path().Equal(path.Root(name)) {
		t.Errorf("diagnostic path = %s, want %s", withPath.Path(), name)
	}
	if d.Summary() != summary {
		t.Errorf("summary = %q, want %q", d.Summary(), summary)
	}
	for _, want := range wants {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail %q does not contain %q", d.Detail(), want)
		}
	}
}

func TestResolveSettings_configBeatsEnvironment(t *testing.T) {
	t.Parallel()
	config := providerModel{
		AccessToken:           types.StringValue("config-token"),
		Region:                types.StringValue("de"),
		BaseURL:               types.StringValue("https://config.example.com/"),
		RequestTimeout:        types.StringValue("12s"),
		MaxRetries:            types.Int64Value(2),
		MaxConcurrentRequests: types.Int64Value(3),
		CACertPEM:             types.StringValue(configPEM),
		MaxListSize:           types.Int64Value(10),
	}
	s, diags := resolveSettings(config, fakeEnv(fullEnv))
	requireNoDiags(t, diags)
	want := settings{
		accessToken:           "config-token",
		baseURL:               "https://config.example.com",
		requestTimeout:        12 * time.Second,
		maxRetries:            2,
		maxConcurrentRequests: 3,
		caCertPEM:             configPEM,
		maxListSize:           10,
	}
	if s != want {
		t.Errorf("settings = %+v, want %+v", s, want)
	}
}

// Each argument alone set in configuration beats its environment variable,
// while the others still come from the environment.
func TestResolveSettings_configBeatsEnvironmentPerArgument(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		set   func(*providerModel)
		check func(settings) bool
	}{
		{"access_token", func(m *providerModel) { m.AccessToken = types.StringValue("cfg") }, func(s settings) bool { return s.accessToken == "cfg" && s.maxRetries == 7 }},
		{"base_url", func(m *providerModel) { m.BaseURL = types.StringValue("https://cfg.example.com") }, func(s settings) bool { return s.baseURL == "https://cfg.example.com" && s.accessToken == "env-token" }},
		{"request_timeout", func(m *providerModel) { m.RequestTimeout = types.StringValue("1m") }, func(s settings) bool { return s.requestTimeout == time.Minute && s.accessToken == "env-token" }},
		{"max_retries", func(m *providerModel) { m.MaxRetries = types.Int64Value(0) }, func(s settings) bool { return s.maxRetries == 0 && s.maxConcurrentRequests == 9 }},
		{"max_concurrent_requests", func(m *providerModel) { m.MaxConcurrentRequests = types.Int64Value(1) }, func(s settings) bool { return s.maxConcurrentRequests == 1 && s.maxRetries == 7 }},
		{"ca_cert_pem", func(m *providerModel) { m.CACertPEM = types.StringValue(configPEM) }, func(s settings) bool { return s.caCertPEM == configPEM && s.accessToken == "env-token" }},
		{"max_list_size", func(m *providerModel) { m.MaxListSize = types.Int64Value(1) }, func(s settings) bool { return s.maxListSize == 1 && s.maxRetries == 7 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			config := nullConfig()
			tt.set(&config)
			s, diags := resolveSettings(config, fakeEnv(fullEnv))
			requireNoDiags(t, diags)
			if !tt.check(s) {
				t.Errorf("settings = %+v", s)
			}
		})
	}

	// region: configuration beats FLOSUM_REGION (with no base URL anywhere).
	env := map[string]string{envAccessToken: "t", envRegion: "jp"}
	config := nullConfig()
	config.Region = types.StringValue("au")
	s, diags := resolveSettings(config, fakeEnv(env))
	requireNoDiags(t, diags)
	if s.baseURL != "https://backup-au.flosum.app" {
		t.Errorf("region from config: baseURL = %q, want the au API", s.baseURL)
	}
}

func TestResolveSettings_environmentFallback(t *testing.T) {
	t.Parallel()
	s, diags := resolveSettings(nullConfig(), fakeEnv(fullEnv))
	requireNoDiags(t, diags)
	want := settings{
		accessToken:           "env-token",
		baseURL:               "https://env.example.com", // base URL beats region, slash trimmed
		requestTimeout:        45 * time.Second,
		maxRetries:            7,
		maxConcurrentRequests: 9,
		caCertPEM:             envPEM,
		maxListSize:           5000,
	}
	if s != want {
		t.Errorf("settings = %+v, want %+v", s, want)
	}

	// FLOSUM_REGION alone.
	s, diags = resolveSettings(nullConfig(), fakeEnv(map[string]string{envAccessToken: " spaced-token ", envRegion: " de "}))
	requireNoDiags(t, diags)
	if s.baseURL != "https://backup-de.flosum.app" || s.accessToken != "spaced-token" {
		t.Errorf("FLOSUM_REGION fallback: settings = %+v", s)
	}
}

func TestResolveSettings_defaults(t *testing.T) {
	t.Parallel()
	s, diags := resolveSettings(nullConfig(), fakeEnv(map[string]string{envAccessToken: "t", envRegion: "us"}))
	requireNoDiags(t, diags)
	want := settings{
		accessToken:           "t",
		baseURL:               "https://backup-us.flosum.app",
		requestTimeout:        30 * time.Second,
		maxRetries:            4,
		maxConcurrentRequests: 4,
		maxListSize:           1_000_000,
		region:                "us",
	}
	if s != want {
		t.Errorf("settings = %+v, want %+v", s, want)
	}
}

func TestResolveSettings_missingToken(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		{envRegion: "us"},
		{envRegion: "us", envAccessToken: "   "},
	} {
		_, diags := resolveSettings(nullConfig(), fakeEnv(env))
		requireOneAttrError(t, diags, "access_token", "Missing Flosum Access Token", "access_token", "FLOSUM_ACCESS_TOKEN")
	}
	// An empty access_token in configuration does not fall back either.
	config := nullConfig()
	config.AccessToken = types.StringValue("")
	_, diags := resolveSettings(config, fakeEnv(map[string]string{envRegion: "us"}))
	requireOneAttrError(t, diags, "access_token", "Missing Flosum Access Token", "access_token", "FLOSUM_ACCESS_TOKEN")
}

func TestResolveSettings_missingRegionAndBaseURL(t *testing.T) {
	t.Parallel()
	_, diags := resolveSettings(nullConfig(), fakeEnv(map[string]string{envAccessToken: "t"}))
	requireOneAttrError(t, diags, "region", "Missing Flosum Region",
		`"us", "de", "jp", "au"`, "region", "FLOSUM_REGION", "base_url", "FLOSUM_BASE_URL")
}

func TestResolveSettings_regionURLs(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"us": "https://backup-us.flosum.app",
		"de": "https://backup-de.flosum.app",
		"jp": "https://backup-jp.flosum.app",
		"au": "https://backup-au.flosum.app",
	} {
		config := nullConfig()
		config.AccessToken = types.StringValue("t")
		config.Region = types.StringValue(region)
		s, diags := resolveSettings(config, fakeEnv(nil))
		requireNoDiags(t, diags)
		if s.baseURL != want {
			t.Errorf("region %s: baseURL = %q, want %q", region, s.baseURL, want)
		}
	}
	if len(regions) != 4 || len(regionNames) != 4 {
		t.Errorf("regions = %v, regionNames = %v; want exactly us, de, jp, au", regions, regionNames)
	}
}

func TestResolveSettings_baseURLOverridesRegion(t *testing.T) {
	t.Parallel()
	config := nullConfig()
	config.AccessToken = types.StringValue("t")
	config.Region = types.StringValue("us")
	config.BaseURL = types.StringValue("https://backup.example.com/")
	s, diags := resolveSettings(config, fakeEnv(nil))
	requireNoDiags(t, diags)
	if s.baseURL != "https://backup.example.com" {
		t.Errorf("baseURL = %q, want the base_url", s.baseURL)
	}
	// Even an unknown region is ignored when base_url is set.
	config.Region = types.StringValue("eu")
	if _, diags := resolveSettings(config, fakeEnv(nil)); diags.HasError() {
		t.Errorf("region should be ignored when base_url is set: %v", diags)
	}
}

func TestResolveSettings_invalidValues(t *testing.T) {
	t.Parallel()
	base := map[string]string{envAccessToken: "t", envRegion: "us"}
	tests := []struct {
		env     string
		value   string
		attr    string
		summary string
		wants   []string
	}{
		{envRegion, "eu", "region", "Invalid Flosum Region", []string{`"eu"`, "FLOSUM_REGION", `"us", "de", "jp", "au"`}},
		{envRegion, "US", "region", "Invalid Flosum Region", []string{`"US"`}},
		{envBaseURL, "http://backup.example.com", "base_url", "Invalid Flosum Base URL", []string{"http://backup.example.com", "not loopback", "FLOSUM_BASE_URL"}},
		{envBaseURL, "backup.example.com", "base_url", "Invalid Flosum Base URL", []string{"not an absolute URL"}},
		{envRequestTimeout, "soon", "request_timeout", "Invalid Request Timeout", []string{`"soon"`, "not a duration", "FLOSUM_REQUEST_TIMEOUT"}},
		{envRequestTimeout, "0s", "request_timeout", "Invalid Request Timeout", []string{"greater than zero"}},
		{envRequestTimeout, "-5s", "request_timeout", "Invalid Request Timeout", []string{"greater than zero"}},
		{envMaxRetries, "many", "max_retries", "Invalid Max Retries", []string{"FLOSUM_MAX_RETRIES", `"many"`, "0 to 10"}},
		{envMaxRetries, "-1", "max_retries", "Invalid Max Retries", []string{"FLOSUM_MAX_RETRIES", "0 to 10"}},
		{envMaxRetries, "11", "max_retries", "Invalid Max Retries", []string{"FLOSUM_MAX_RETRIES", "0 to 10"}},
		{envMaxConcurrentRequests, "0", "max_concurrent_requests", "Invalid Max Concurrent Requests", []string{"FLOSUM_MAX_CONCURRENT_REQUESTS", "1 to 64"}},
		{envMaxConcurrentRequests, "65", "max_concurrent_requests", "Invalid Max Concurrent Requests", []string{"FLOSUM_MAX_CONCURRENT_REQUESTS", "1 to 64"}},
		{envMaxConcurrentRequests, "2.5", "max_concurrent_requests", "Invalid Max Concurrent Requests", []string{"FLOSUM_MAX_CONCURRENT_REQUESTS"}},
		{envMaxListSize, "0", "max_list_size", "Invalid Max List Size", []string{"FLOSUM_MAX_LIST_SIZE", `"0"`, "a whole number of at least 1"}},
		{envMaxListSize, "1e6", "max_list_size", "Invalid Max List Size", []string{"FLOSUM_MAX_LIST_SIZE", `"1e6"`, "at least 1"}},
		{envBaseURL, "https://backup.example.com/?", "base_url", "Invalid Flosum Base URL", []string{`"https://backup.example.com/?"`, `not even an empty "?" or "#"`, "FLOSUM_BASE_URL"}},
		{envBaseURL, "https://backup.example.com#", "base_url", "Invalid Flosum Base URL", []string{`"https://backup.example.com#"`, "a fragment"}},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			env[tt.env] = tt.value
			_, diags := resolveSettings(nullConfig(), fakeEnv(env))
			requireOneAttrError(t, diags, tt.attr, tt.summary, tt.wants...)
		})
	}
}

func TestResolveSettings_validEnvironmentBounds(t *testing.T) {
	t.Parallel()
	s, diags := resolveSettings(nullConfig(), fakeEnv(map[string]string{
		envAccessToken: "t", envRegion: "us", envMaxRetries: "0", envMaxConcurrentRequests: "64", envRequestTimeout: "1m30s",
	}))
	requireNoDiags(t, diags)
	if s.maxRetries != 0 || s.maxConcurrentRequests != 64 || s.requestTimeout != 90*time.Second {
		t.Errorf("settings = %+v", s)
	}
}

func TestResolveSettings_reportsEveryProblem(t *testing.T) {
	t.Parallel()
	_, diags := resolveSettings(nullConfig(), fakeEnv(map[string]string{
		envRegion: "eu", envRequestTimeout: "soon", envMaxRetries: "x",
	}))
	if got := diags.ErrorsCount(); got != 4 {
		t.Fatalf("want 4 errors (token, region, timeout, retries), got %d: %v", got, diags)
	}
	// A malformed token and a bad list bound are reported with the rest.
	_, diags = resolveSettings(nullConfig(), fakeEnv(map[string]string{
		envAccessToken: "two words", envBaseURL: "https://x.example.com/?", envMaxListSize: "-1",
	}))
	if got := diags.ErrorsCount(); got != 3 {
		t.Fatalf("want 3 errors (token, base_url, max_list_size), got %d: %v", got, diags)
	}
}

// The token is trimmed wherever it comes from (a file read with file() ends
// in a newline); whitespace or a control character inside it is an error on
// access_token that never quotes the token.
func TestResolveSettings_accessTokenChecked(t *testing.T) {
	t.Parallel()
	const token = "tok-3f9a1c-secret"
	for _, tt := range []struct {
		name       string
		config     types.String
		env        string
		want, from string
	}{
		{"config, file() newline", types.StringValue(token + "\n"), "", token, ""},
		{"config, spaces and tabs", types.StringValue(" \t" + token + " "), "other-token", token, ""},
		{"environment, CRLF", types.StringNull(), token + "\r\n", token, ""},
		{"config, space inside", types.StringValue("tok-3f9a1c secret"), "", "", "the access_token argument"},
		{"config, newline inside", types.StringValue("tok-3f9a1c\nsecret\n"), "", "", "the access_token argument"},
		{"environment, tab inside", types.StringNull(), "tok-3f9a1c\tsecret", "", "the FLOSUM_ACCESS_TOKEN environment variable"},
		{"config, control character inside", types.StringValue("tok-3f9a1c\x00secret"), "", "", "the access_token argument"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			config := nullConfig()
			config.AccessToken = tt.config
			s, diags := resolveSettings(config, fakeEnv(map[string]string{envAccessToken: tt.env, envRegion: "us"}))
			if tt.from == "" {
				requireNoDiags(t, diags)
				if s.accessToken != tt.want {
					t.Errorf("accessToken = %q, want %q", s.accessToken, tt.want)
				}
				return
			}
			requireOneAttrError(t, diags, "access_token", "Malformed Flosum Access Token", "The access token from "+tt.from+" cannot be used", "inside it", "copy it again")
			for _, part := range []string{"tok-3f9a1c", "secret"} {
				if strings.Contains(diags[0].Detail(), part) || strings.Contains(diags[0].Summary(), part) {
					t.Errorf("the diagnostic quotes the token (%q): %s", part, diags[0].Detail())
				}
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	tests := []struct{ version, tf, appended, want string }{
		{"1.2.3", "1.11.4", "", "terraform-provider-flosum/1.2.3 terraform/1.11.4"},
		{"dev", "1.8.0", "   ", "terraform-provider-flosum/dev terraform/1.8.0"},
		{"1.2.3", "1.11.4", "ci-pipeline/7", "terraform-provider-flosum/1.2.3 terraform/1.11.4 ci-pipeline/7"},
		{"1.2.3", "1.11.4", "  tfc/1 run/abc  ", "terraform-provider-flosum/1.2.3 terraform/1.11.4 tfc/1 run/abc"},
	}
	for _, tt := range tests {
		if got := userAgent(tt.version, tt.tf, tt.appended); got != tt.want {
			t.Errorf("userAgent(%q, %q, %q) = %q, want %q", tt.version, tt.tf, tt.appended, got, tt.want)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]time.Duration{"30s": 30 * time.Second, "1m30s": 90 * time.Second, "250ms": 250 * time.Millisecond, "2h": 2 * time.Hour} {
		got, err := parseTimeout(raw)
		if err != nil || got != want {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v", raw, got, err, want)
		}
	}
	for _, raw := range []string{"", "30", "soon", "0", "0s", "-1s"} {
		if _, err := parseTimeout(raw); err == nil {
			t.Errorf("parseTimeout(%q): want an error", raw)
		}
	}
}

// Two distinct CA certificates, for telling ca_cert_pem's sources apart.
var (
	configPEM = testCertPEM("config CA")
	envPEM    = testCertPEM("environment CA")
)

// testCertPEM makes a self-signed CA certificate, PEM-encoded.
func testCertPEM(name string) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	// Trimmed, as the environment's values are.
	return strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}
