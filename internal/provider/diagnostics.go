package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// request says, for diagnostics, what a data source asked the API for.
type request struct {
	// what names it in a sentence: "the connection with id 42".
	what string
	// notFound is the detail when the API answers 404.
	notFound string
	// notFoundSummary replaces "Connection Not Found" where a 404 means
	// something else, such as a wrong base_url.
	notFoundSummary string
	// conflictSummary and conflict, when set, are the diagnostic of a 409.
	conflictSummary, conflict string
}

// apiErrorDiagnostic turns a client error into one diagnostic with a
// Title-Case summary and a detail saying what happened, what was asked for,
// and what to do next.
func apiErrorDiagnostic(err error, req request) diag.Diagnostic {
	var (
		apiErr       *flosumapi.APIError
		decodeErr    *flosumapi.DecodeError
		inconsistent *flosumapi.InconsistentListError
		transportErr *flosumapi.TransportError
		tokenErr     *flosumapi.TokenError
		redirectErr  *flosumapi.RedirectError
		tooLarge     *flosumapi.ListTooLargeError
		unexpected   *flosumapi.UnexpectedAnswerError
		bodyTooLarge *flosumapi.BodyTooLargeError
	)
	switch {
	// A TokenError wraps the token endpoint's answer, whose 400 is not the
	// Backup API's, or a refused redirect of the token endpoint: it is told
	// apart first.
	case errors.As(err, &tokenErr):
		return tokenErrorDiagnostic(tokenErr, req)
	// A refused redirect arrives inside a TransportError: it is told apart
	// first, so that it does not read as an unreachable API.
	case errors.As(err, &redirectErr):
		return redirectDiagnostic(redirectErr, req)
	case errors.As(err, &tooLarge):
		return diag.NewErrorDiagnostic("Flosum List Too Large", fmt.Sprintf(
			"Reading %s stopped after the first page: the Flosum API says the %s list holds %d items, more than max_list_size (%d). "+
				"If the list really is that large, raise max_list_size in the provider block (or %s); otherwise check base_url, which may point at something other than the Flosum API.",
			req.what, tooLarge.List, tooLarge.Total, tooLarge.Max, envMaxListSize))
	case errors.As(err, &unexpected):
		return unexpectedAnswerDiagnostic(req.what, unexpected.Field, unexpected.Want, unexpected.Got)
	case errors.As(err, &bodyTooLarge):
		return diag.NewErrorDiagnostic("Flosum API Response Too Large", fmt.Sprintf(
			"The answer to the request for %s (%s %s) is larger than %d bytes, the most the provider reads of one answer, so it was not used. "+
				"Check that base_url points at the Flosum API and not at another service; if it does, report this to Flosum support.",
			req.what, bodyTooLarge.Method, bodyTooLarge.Path, bodyTooLarge.Limit))
	case errors.As(err, &inconsistent) && !inconsistent.Changed:
		return diag.NewErrorDiagnostic("Inconsistent Flosum API Pages", fmt.Sprintf(
			"Reading %s gave pages that contradict each other the same way in each of %d tries (%s), so the API itself answers inconsistently; "+
				"nothing was stored. Check that base_url points at the Flosum API; if it does, report this to Flosum support.",
			req.what, inconsistent.Attempts, inconsistent.Reason))
	case flosumapi.IsNotFound(err):
		summary := req.notFoundSummary
		if summary == "" {
			summary = "Connection Not Found"
		}
		return diag.NewErrorDiagnostic(summary, req.notFound)
	case flosumapi.IsUnauthorized(err) && errors.As(err, &apiErr) && apiErr.AfterRenewal:
		return diag.NewErrorDiagnostic("Flosum Access Token Rejected", fmt.Sprintf(
			"The Flosum API rejected (HTTP 401) an access token the provider had just obtained from the Global Settings API, while reading %s. "+
				"Check that region or base_url and global_settings_url name the same Flosum tenant, and that the user who authorized the connected app has access to Backup & Archive.", req.what))
	case flosumapi.IsConflict(err) && req.conflict != "":
		return diag.NewErrorDiagnostic(req.conflictSummary, req.conflict)
	case flosumapi.IsUnauthorized(err):
		return diag.NewErrorDiagnostic("Invalid Flosum Access Token", fmt.Sprintf(
			"The Flosum API rejected the access token (HTTP 401) while reading %s: the token is invalid or expired. "+
				"Get a new access token and set it in the provider's access_token argument or the %s environment variable.", req.what, envAccessToken))
	case flosumapi.IsForbidden(err):
		return diag.NewErrorDiagnostic("Flosum Access Denied", fmt.Sprintf(
			"The Flosum API refused access (HTTP 403) while reading %s: the access token is valid but lacks access to Backup & Archive connections%s. "+
				"Use a token of a user with that access in the provider's access_token argument or the %s environment variable.", req.what, apiMessages(err), envAccessToken))
	case flosumapi.IsBadRequest(err):
		return diag.NewErrorDiagnostic("Flosum API Rejected The Request", fmt.Sprintf(
			"The Flosum API rejected the request for %s (HTTP 400) with these messages:\n%s\nCorrect the arguments and try again.", req.what, bulletList(err)))
	case flosumapi.IsRateLimited(err):
		return diag.NewErrorDiagnostic("Flosum API Rate Limit Exceeded", fmt.Sprintf(
			"The Flosum API answered HTTP 429 (too many requests) while reading %s: %s. "+
				"Lower max_concurrent_requests, raise max_retries, or run Terraform again later.", req.what, err.Error()))
	case flosumapi.IsUnavailable(err):
		return diag.NewErrorDiagnostic("Flosum API Unavailable", fmt.Sprintf(
			"The Flosum API, or a gateway in front of it, answered that it is unavailable while reading %s: %s. "+
				"Flosum's service may be down or overloaded: run Terraform again later, or raise max_retries.", req.what, err.Error()))
	case flosumapi.IsCertificateError(err):
		return diag.NewErrorDiagnostic("Untrusted Flosum API Certificate", fmt.Sprintf(
			"The Flosum API's TLS certificate could not be verified while reading %s: %s. "+
				"If the tenant uses a private certificate authority, give its certificate in the provider's ca_cert_pem argument "+
				"(or the %s environment variable); otherwise check region or base_url.", req.what, err.Error(), envCACertPEM))
	case errors.As(err, &inconsistent):
		return diag.NewErrorDiagnostic(listTitle(inconsistent.List)+" List Changed While Reading", fmt.Sprintf(
			"Reading %s gave pages that did not add up (%s), in %d tries, differently each time: the list was probably changing while it was read; "+
				"nothing was stored. Run the plan again once the %s stop changing.", req.what, inconsistent.Reason, inconsistent.Attempts, listNoun(inconsistent.List)))
	case errors.As(err, &decodeErr):
		return diag.NewErrorDiagnostic("Unexpected Flosum API Response", fmt.Sprintf(
			"The answer to the request for %s could not be used: %s. The API may have changed; please report this to the provider's maintainers.", req.what, decodeErr.Error()))
	// A TransportError can wrap a per-attempt timeout that matches
	// context.DeadlineExceeded, so it is told apart before a real cancellation.
	case errors.As(err, &transportErr):
		return diag.NewErrorDiagnostic("Cannot Reach The Flosum API", fmt.Sprintf(
			"Reading %s failed: %s. Check the provider's region or base_url, the network and any proxy (HTTPS_PROXY, NO_PROXY); "+
				"for a slow or busy API raise request_timeout or max_retries.", req.what, transportErr.Error()))
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return diag.NewErrorDiagnostic("Flosum API Request Cancelled", fmt.Sprintf(
			"Reading %s was cancelled or ran out of time before the Flosum API answered: %s.", req.what, err.Error()))
	case errors.As(err, &apiErr):
		return diag.NewErrorDiagnostic("Flosum API Error", fmt.Sprintf(
			"The Flosum API answered HTTP %d while reading %s: %s. If this persists, check Flosum's status or contact Flosum support.", apiErr.StatusCode, req.what, apiErr.Error()))
	default:
		return diag.NewErrorDiagnostic("Flosum API Error", fmt.Sprintf("Reading %s failed: %s.", req.what, err.Error()))
	}
}

// redirectDiagnostic explains a redirect the client refused: nothing was
// sent to its target, and base_url is what to change.
func redirectDiagnostic(err *flosumapi.RedirectError, req request) diag.Diagnostic {
	switch err.Kind {
	case flosumapi.RedirectToHTTP:
		return diag.NewErrorDiagnostic("Flosum API Redirected To Plain HTTP", fmt.Sprintf(
			"While reading %s, %s redirected to %s, which is plain http. The provider did not follow the redirect, so nothing was sent unencrypted. "+
				"Set base_url (or %s) to the API's final https:// address, or fix the proxy or load balancer that redirects.",
			req.what, err.From, err.To, envBaseURL))
	case flosumapi.TooManyRedirects:
		return diag.NewErrorDiagnostic("Too Many Flosum API Redirects", fmt.Sprintf(
			"While reading %s, the Flosum API at %s redirected more than %d times (the last time to %s), so the provider stopped following. "+
				"Set base_url (or %s) to the API's final address.",
			req.what, err.Origin, flosumapi.MaxRedirects, err.To, envBaseURL))
	default:
		return diag.NewErrorDiagnostic("Flosum API Redirected To Another Address", fmt.Sprintf(
			"While reading %s, %s redirected to %s, which is not the configured origin %s (scheme, host and port must match). "+
				"The provider did not follow the redirect, so the access token was not sent there. "+
				"If that address is the right Flosum API, set base_url (or %s) to %s.",
			req.what, err.From, err.To, err.Origin, envBaseURL, err.BaseURL))
	}
}

// unexpectedAnswerDiagnostic reports an answer that does not fit the
// question, naming what was expected and what came back.
func unexpectedAnswerDiagnostic(what, field, want, got string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Unexpected Flosum API Response", fmt.Sprintf(
		"The answer to the request for %s does not fit the question: its %s is %s, where %s was expected. Nothing was stored. "+
			"Check that base_url points at the Flosum API; if it does, report this to Flosum support.", what, field, got, want))
}

// listNoun names the items of a list, such as "connections".
func listNoun(list string) string {
	if list == "" {
		return "items"
	}
	return list
}

// listTitle is a list's name in a summary, such as "Connections".
func listTitle(list string) string {
	if list == "" {
		return "Flosum"
	}
	return titleCase(strings.ReplaceAll(list, " ", "_"))
}

// apiMessages returns the API's messages as a parenthesised clause, or "".
func apiMessages(err error) string {
	var apiErr *flosumapi.APIError
	if !errors.As(err, &apiErr) || len(apiErr.Messages) == 0 {
		return ""
	}
	return " (the API said: " + strings.Join(apiErr.Messages, "; ") + ")"
}

// bulletList lists every message of a 400 answer, one per line.
func bulletList(err error) string {
	var apiErr *flosumapi.APIError
	if !errors.As(err, &apiErr) {
		return "  - " + err.Error()
	}
	messages := apiErr.Messages
	if len(messages) == 0 {
		messages = []string{apiErr.Error()}
	}
	var b strings.Builder
	for _, m := range messages {
		b.WriteString("  - " + m + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// tokenErrorDiagnostic explains an exchange at the Global Settings API's
// token endpoint that gave no access token.
func tokenErrorDiagnostic(err *flosumapi.TokenError, req request) diag.Diagnostic {
	said := ""
	if len(err.Messages) > 0 {
		said = ", saying: " + strings.Join(err.Messages, "; ")
	}
	switch err.Kind {
	case flosumapi.RefreshTokenRejected:
		return diag.NewErrorDiagnostic("Flosum Refresh Token Rejected", fmt.Sprintf(
			"Flosum's token endpoint %s rejected the refresh token from %s (HTTP %d%s) while reading %s: it is invalid, expired or revoked, "+
				"or Flosum replaced it by a new one after it was used (refresh token rotation): a refresh token given in refresh_token or %s "+
				"stops working once Flosum has rotated it, while refresh_token_file (or %s) keeps the newest. "+
				"Get a new refresh token by signing in through the connected app's authorization-code flow (see the provider's authentication guide), "+
				"and put it in %s.",
			err.URL, err.RefreshTokenSource, err.StatusCode, said, req.what, envRefreshToken, envRefreshTokenFile, err.RefreshTokenSource))
	case flosumapi.RefreshTokenFileFailed:
		return diag.NewErrorDiagnostic("Cannot Use Flosum Refresh Token File", fmt.Sprintf(
			"Getting an access token for reading %s failed: %s. The file named by %s must exist and hold the refresh token, "+
				"and its folder must be writable: the provider writes the new refresh token there when Flosum rotates it.",
			req.what, err.Error(), err.RefreshTokenSource))
	case flosumapi.ClientRejected:
		return diag.NewErrorDiagnostic("Flosum Client Credentials Rejected", fmt.Sprintf(
			"Flosum's token endpoint %s rejected the client id or client secret (HTTP %d%s) while reading %s. "+
				"Copy both again from the connected app (Global Settings > Security > Connected Apps) into client_id and client_secret "+
				"(or %s and %s); the app must allow the Refresh Token flow.",
			err.URL, err.StatusCode, said, req.what, envClientID, envClientSecret))
	case flosumapi.RedirectURIRejected:
		return diag.NewErrorDiagnostic("Flosum Redirect URI Rejected", fmt.Sprintf(
			"Flosum's token endpoint %s rejected the redirect URI (HTTP %d%s) while reading %s. "+
				"Set redirect_uri (or %s) to the redirect URI registered on the connected app, character for character.",
			err.URL, err.StatusCode, said, req.what, envRedirectURI))
	case flosumapi.TokenEndpointUnreachable:
		return diag.NewErrorDiagnostic("Cannot Reach The Flosum Global Settings API", fmt.Sprintf(
			"Getting an access token for reading %s failed: %s. Check global_settings_url (or %s; by default https://global-<region>.flosum.app from region), "+
				"the network and any proxy (HTTPS_PROXY, NO_PROXY); for a slow API raise request_timeout or max_retries.",
			req.what, err.Error(), envGlobalSettingsURL))
	case flosumapi.TokenAnswerInvalid:
		return diag.NewErrorDiagnostic("Unexpected Flosum Token Endpoint Response", fmt.Sprintf(
			"Getting an access token for reading %s failed: %s. Check that global_settings_url (or %s) is the Global Settings API's root; "+
				"if it is, the API may have changed: please report this to the provider's maintainers.", req.what, err.Error(), envGlobalSettingsURL))
	}
	if err.StatusCode >= 500 {
		return diag.NewErrorDiagnostic("Flosum Token Endpoint Unavailable", fmt.Sprintf(
			"Getting an access token for reading %s failed: %s. Flosum's Global Settings API may be down or overloaded: run Terraform again later, or raise max_retries.",
			req.what, err.Error()))
	}
	return diag.NewErrorDiagnostic("Flosum Token Endpoint Error", fmt.Sprintf(
		"Getting an access token for reading %s failed: %s. Check global_settings_url (or %s): it must be the Global Settings API's root, such as https://global-us.flosum.app.",
		req.what, err.Error(), envGlobalSettingsURL))
}

// refreshTokenWarnings tells the user, once per provider process each, that
// Flosum rotated a refresh token the provider cannot save: it has no
// refresh token file, or could not write the file. Neither text holds the
// token.
func refreshTokenWarnings(client *flosumapi.Client, diags *diag.Diagnostics) {
	if client == nil {
		return
	}
	if client.RefreshTokenReplaced() {
		diags.AddWarning("Flosum Returned A New Refresh Token", fmt.Sprintf(
			"Flosum answered the token exchange with a new refresh token. The provider used it for the rest of this run but has nowhere to keep it, "+
				"so the refresh token configured in refresh_token or %s may stop working: the next run can fail with \"Flosum Refresh Token Rejected\". "+
				"Set refresh_token_file (or %s) to a file holding the refresh token instead: the provider keeps the newest one there.",
			envRefreshToken, envRefreshTokenFile))
	}
	var fileErr *flosumapi.RefreshTokenFileError
	if err := client.RefreshTokenFileNotUpdated(); errors.As(err, &fileErr) {
		diags.AddWarning("Flosum Refresh Token File Not Updated", fmt.Sprintf(
			"Flosum answered the token exchange with a new refresh token, but the provider could not write it to the refresh token file %s (%s). "+
				"The provider uses the new refresh token for the rest of this run, but the old one still in the file may no longer work: "+
				"the next run can fail with \"Flosum Refresh Token Rejected\". "+
				"Make the file and its folder writable by the user running Terraform (the provider writes a temporary file in the folder and renames it over the file); "+
				"if the next run is rejected, sign in again to get a new refresh token (see the provider's authentication guide) and put it in the file.",
			fileErr.Path, fileErr.Err))
	}
}
