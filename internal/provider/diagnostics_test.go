package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

var byID42 = request{
	what:     "the connection with id 42",
	notFound: "No Flosum connection has id 42. Check the id in Flosum Backup & Archive, or find it with the flosum_connections data source.",
}

// requireTitleCase checks that every word of a summary starts with an
// uppercase letter (or is not a word, such as "API").
func requireTitleCase(t *testing.T, summary string) {
	t.Helper()
	if summary == "" {
		t.Error("empty summary")
	}
	for _, w := range strings.Fields(summary) {
		r := []rune(w)[0]
		if unicode.IsLetter(r) && !unicode.IsUpper(r) {
			t.Errorf("summary %q is not Title Case: word %q", summary, w)
		}
	}
	if strings.HasSuffix(summary, ".") {
		t.Errorf("summary %q ends with a period", summary)
	}
}

func requireDiag(t *testing.T, d diag.Diagnostic, summary string, wants ...string) {
	t.Helper()
	if d.Severity() != diag.SeverityError {
		t.Errorf("severity = %v, want error", d.Severity())
	}
	requireTitleCase(t, d.Summary())
	if d.Summary() != summary {
		t.Errorf("summary = %q, want %q", d.Summary(), summary)
	}
	for _, want := range wants {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("%s: detail %q does not contain %q", summary, d.Detail(), want)
		}
	}
}

func apiErr(status int, name string, messages ...string) *flosumapi.APIError {
	return &flosumapi.APIError{Method: http.MethodGet, Path: "/api/v1/connections/42", StatusCode: status, ErrorName: name, Messages: messages}
}

func TestAPIErrorDiagnostic_notFound(t *testing.T) {
	t.Parallel()
	d := apiErrorDiagnostic(apiErr(404, "Not Found", "Connection with id 42 not found"), byID42)
	requireDiag(t, d, "Connection Not Found", "id 42", "flosum_connections")
	// Wrapped errors are recognised too.
	d = apiErrorDiagnostic(fmt.Errorf("reading: %w", apiErr(404, "Not Found")), byID42)
	requireDiag(t, d, "Connection Not Found", "id 42")
}

func TestAPIErrorDiagnostic_badRequestListsEveryMessage(t *testing.T) {
	t.Parallel()
	err := apiErr(400, "Bad Request", "page must not be less than 1", "limit must not be greater than 2000", "search must be shorter than or equal to 80 characters")
	d := apiErrorDiagnostic(err, request{what: `the connections matching search "x"`})
	requireDiag(t, d, "Flosum API Rejected The Request",
		`the connections matching search "x"`, "HTTP 400",
		"  - page must not be less than 1\n  - limit must not be greater than 2000\n  - search must be shorter than or equal to 80 characters")

	// Without messages, the error itself is listed.
	d = apiErrorDiagnostic(&flosumapi.APIError{Method: "GET", Path: "/api/v1/connections", StatusCode: 400, Snippet: "<html>bad</html>"}, request{what: "the list of connections"})
	requireDiag(t, d, "Flosum API Rejected The Request", "  - GET /api/v1/connections: HTTP 400 Bad Request")
}

func TestAPIErrorDiagnostic_unauthorized(t *testing.T) {
	t.Parallel()
	d := apiErrorDiagnostic(apiErr(401, "", "Unauthorized"), byID42)
	requireDiag(t, d, "Invalid Flosum Access Token", "HTTP 401", "the connection with id 42", "invalid or expired", "access_token", "FLOSUM_ACCESS_TOKEN")
}

func TestAPIErrorDiagnostic_forbidden(t *testing.T) {
	t.Parallel()
	d := apiErrorDiagnostic(apiErr(403, "Forbidden", "Forbidden resource"), byID42)
	requireDiag(t, d, "Flosum Access Denied", "HTTP 403", "the connection with id 42", "(the API said: Forbidden resource)", "access_token", "FLOSUM_ACCESS_TOKEN")
	// No messages: no empty parentheses.
	d = apiErrorDiagnostic(apiErr(403, ""), byID42)
	requireDiag(t, d, "Flosum Access Denied", "HTTP 403")
	if strings.Contains(d.Detail(), "the API said") {
		t.Errorf("detail %q quotes an empty API message", d.Detail())
	}
}

func TestAPIErrorDiagnostic_serverError(t *testing.T) {
	t.Parallel()
	d := apiErrorDiagnostic(apiErr(500, "Internal Server Error", "Internal server error"), byID42)
	requireDiag(t, d, "Flosum API Error", "HTTP 500", "the connection with id 42", "Internal server error", "Flosum support")

	// A proxy's HTML page is shown as a snippet.
	html := &flosumapi.APIError{Method: "GET", Path: "/api/v1/connections/42", StatusCode: 502, Snippet: "Bad Gateway nginx", Attempts: 5}
	d = apiErrorDiagnostic(html, byID42)
	requireDiag(t, d, "Flosum API Unavailable", "HTTP 502", "Bad Gateway nginx", "(after 5 attempts)", "raise max_retries")

	// 429 until the retries ran out.
	limited := &flosumapi.APIError{Method: "GET", Path: "/api/v1/connections/42", StatusCode: 429, Messages: []string{"ThrottlerException: Too Many Requests"}, Attempts: 5}
	requireDiag(t, apiErrorDiagnostic(limited, byID42), "Flosum API Rate Limit Exceeded", "HTTP 429", "the connection with id 42", "(after 5 attempts)", "Lower max_concurrent_requests")
}

// Pages that disagree differently in each read: the list was changing.
// Pages that disagree the same way every time: the API contradicts itself.
func TestAPIErrorDiagnostic_inconsistentList(t *testing.T) {
	t.Parallel()
	err := &flosumapi.InconsistentListError{List: "connections", Reason: "page 1 said there were 4500 connections, page 2 said 4501", Attempts: 3, Changed: true}
	d := apiErrorDiagnostic(err, request{what: "the list of connections"})
	requireDiag(t, d, "Connections List Changed While Reading", "the list of connections", "page 2 said 4501", "in 3 tries", "differently each time", "nothing was stored", "once the connections stop changing")

	err.Changed = false
	d = apiErrorDiagnostic(err, request{what: "the list of connections"})
	requireDiag(t, d, "Inconsistent Flosum API Pages", "the list of connections", "the same way in each of 3 tries", "page 2 said 4501", "nothing was stored", "base_url", "Flosum support")
	if strings.Contains(d.Detail(), "changing") {
		t.Errorf("an API that contradicts itself from the start is not a changing list: %q", d.Detail())
	}
}

// A refused redirect reaches the provider inside a TransportError (as the
// client returns it): it is explained as a redirect, never as an
// unreachable API or a bad token, and says what to set base_url to.
func TestAPIErrorDiagnostic_redirects(t *testing.T) {
	t.Parallel()
	wrap := func(r *flosumapi.RedirectError) error {
		return &flosumapi.TransportError{Method: "GET", Path: "/api/v1/connections/42", Attempts: 1,
			Err: &url.Error{Op: "Get", URL: r.From, Err: r}}
	}
	otherOrigin := &flosumapi.RedirectError{Kind: flosumapi.RedirectToOtherOrigin,
		From: "https://backup.example.com/api/v1/connections/42", To: "https://backup.example.com:8443/v2/api/v1/connections/42",
		Origin: "https://backup.example.com", BaseURL: "https://backup.example.com:8443/v2"}
	requireDiag(t, apiErrorDiagnostic(wrap(otherOrigin), byID42), "Flosum API Redirected To Another Address",
		"the connection with id 42", otherOrigin.From, "redirected to "+otherOrigin.To, "not the configured origin https://backup.example.com",
		"the access token was not sent there", "set base_url (or FLOSUM_BASE_URL) to https://backup.example.com:8443/v2")

	toHTTP := &flosumapi.RedirectError{Kind: flosumapi.RedirectToHTTP,
		From: "https://backup.example.com/api/v1/connections/42", To: "http://backup.example.com/api/v1/connections/42",
		Origin: "https://backup.example.com", BaseURL: "http://backup.example.com"}
	requireDiag(t, apiErrorDiagnostic(wrap(toHTTP), byID42), "Flosum API Redirected To Plain HTTP",
		"the connection with id 42", "redirected to http://backup.example.com/api/v1/connections/42, which is plain http",
		"nothing was sent unencrypted", "final https:// address")

	tooMany := &flosumapi.RedirectError{Kind: flosumapi.TooManyRedirects,
		From: "https://backup.example.com/c", To: "https://backup.example.com/d", Origin: "https://backup.example.com"}
	requireDiag(t, apiErrorDiagnostic(wrap(tooMany), byID42), "Too Many Flosum API Redirects",
		"the connection with id 42", fmt.Sprintf("more than %d times", flosumapi.MaxRedirects), "https://backup.example.com/d", "final address")
}

func TestAPIErrorDiagnostic_listTooLarge(t *testing.T) {
	t.Parallel()
	err := &flosumapi.ListTooLargeError{List: "connections", Total: 5_000_000, Max: 1_000_000}
	requireDiag(t, apiErrorDiagnostic(err, request{what: "the list of connections"}), "Flosum List Too Large",
		"the list of connections", "stopped after the first page", "holds 5000000 items, more than max_list_size (1000000)",
		"raise max_list_size", "FLOSUM_MAX_LIST_SIZE")
}

func TestAPIErrorDiagnostic_unexpectedAnswer(t *testing.T) {
	t.Parallel()
	err := &flosumapi.UnexpectedAnswerError{Path: "/api/v1/connections/42", Field: "id", Want: "42", Got: "999"}
	requireDiag(t, apiErrorDiagnostic(err, byID42), "Unexpected Flosum API Response",
		"the connection with id 42", "its id is 999, where 42 was expected", "Nothing was stored", "base_url")
}

// An answer over the size limit is its own problem, not an unreachable API.
func TestAPIErrorDiagnostic_bodyTooLarge(t *testing.T) {
	t.Parallel()
	err := &flosumapi.BodyTooLargeError{Method: "GET", Path: "/api/v1/connections/42", Limit: 64 << 20}
	requireDiag(t, apiErrorDiagnostic(err, byID42), "Flosum API Response Too Large",
		"the connection with id 42", "GET /api/v1/connections/42", "larger than 67108864 bytes", "was not used", "base_url")
}

func TestAPIErrorDiagnostic_decodeError(t *testing.T) {
	t.Parallel()
	err := &flosumapi.DecodeError{Path: "/api/v1/connections/42", Field: "userName", Reason: "is missing (required)"}
	d := apiErrorDiagnostic(err, byID42)
	requireDiag(t, d, "Unexpected Flosum API Response", "the connection with id 42", "field userName", "is missing (required)", "report")
}

func TestAPIErrorDiagnostic_transportError(t *testing.T) {
	t.Parallel()
	err := &flosumapi.TransportError{Method: "GET", Path: "/api/v1/connections/42", Err: errors.New("giving up after 5 attempt(s): dial tcp 127.0.0.1:1: connect: connection refused")}
	d := apiErrorDiagnostic(err, byID42)
	requireDiag(t, d, "Cannot Reach The Flosum API", "the connection with id 42", "connection refused", "region or base_url", "request_timeout", "max_retries")
}

func TestAPIErrorDiagnostic_cancelled(t *testing.T) {
	t.Parallel()
	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		d := apiErrorDiagnostic(fmt.Errorf("GET /api/v1/connections/42: %w", cause), byID42)
		requireDiag(t, d, "Flosum API Request Cancelled", "the connection with id 42", cause.Error())
	}
}

func TestAPIErrorDiagnostic_otherErrors(t *testing.T) {
	t.Parallel()
	d := apiErrorDiagnostic(errors.New("something odd"), byID42)
	requireDiag(t, d, "Flosum API Error", "the connection with id 42", "something odd")
}

// A request that timed out on every attempt (request_timeout) comes back
// from the client as a *flosumapi.TransportError whose chain holds net/http's
// timeout error, which matches context.DeadlineExceeded. It must still be
// reported as a transport problem, with the advice to raise request_timeout.
func TestAPIErrorDiagnostic_requestTimeoutIsTransportError(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	client := &http.Client{Timeout: 20 * time.Millisecond}
	_, timeoutErr := client.Get(slow.URL) //nolint:bodyclose,noctx // it fails
	if timeoutErr == nil {
		t.Fatal("want a timeout")
	}
	err := &flosumapi.TransportError{Method: "GET", Path: "/api/v1/connections/42",
		Err: fmt.Errorf("giving up after 2 attempt(s): %w", timeoutErr)}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Log("net/http's timeout error no longer matches context.DeadlineExceeded")
	}
	d := apiErrorDiagnostic(err, byID42)
	requireDiag(t, d, "Cannot Reach The Flosum API", "the connection with id 42", "Client.Timeout exceeded", "request_timeout")
}
