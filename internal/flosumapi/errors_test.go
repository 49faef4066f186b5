package flosumapi

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func asAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return apiErr
}

func TestErrorNotFound(t *testing.T) {
	srv := startServer(t, 10)
	client, _ := clientFor(t, srv)
	ctx := context.Background()

	_, err := client.GetConnection(ctx, 999)
	text := mustErr(t, err)
	if !IsNotFound(err) || IsUnauthorized(err) || IsForbidden(err) || IsBadRequest(err) {
		t.Errorf("classification of %q is wrong", text)
	}
	if want := "GET /api/v1/connections/999: HTTP 404 Not Found: Connection with id 999 not found"; text != want {
		t.Errorf("error = %q, want %q", text, want)
	}
	apiErr := asAPIError(t, err)
	if apiErr.StatusCode != 404 || apiErr.ErrorName != "Not Found" || !slices.Equal(apiErr.Messages, []string{"Connection with id 999 not found"}) || apiErr.Snippet != "" {
		t.Errorf("APIError = %+v", apiErr)
	}

	_, err = client.GetConnectionID(ctx, "00D000000000000AAA")
	if want := "GET /api/v1/connections/connectionId/00D000000000000AAA: HTTP 404 Not Found: Connection not found"; mustErr(t, err) != want || !IsNotFound(err) {
		t.Errorf("error = %q, want %q", err, want)
	}
	// A 404 is an answer, not a failure: it is not retried.
	assertRequests(t, srv, "/", 2)
}

func TestErrorBadRequestMessageArray(t *testing.T) {
	srv := startServer(t, 10)
	client, _ := clientFor(t, srv)

	_, err := listConnectionsPage(context.Background(), client, "", 0, 5000)
	text := mustErr(t, err)
	if !IsBadRequest(err) {
		t.Errorf("IsBadRequest(%q) = false", text)
	}
	apiErr := asAPIError(t, err)
	want := []string{"page must not be less than 1", "limit must not be greater than 2000"}
	if !slices.Equal(apiErr.Messages, want) {
		t.Errorf("Messages = %q, want %q", apiErr.Messages, want)
	}
	if wantText := "GET /api/v1/connections: HTTP 400 Bad Request: page must not be less than 1; limit must not be greater than 2000"; text != wantText {
		t.Errorf("error = %q, want %q", text, wantText)
	}

	_, err = client.ListConnections(context.Background(), strings.Repeat("x", 81))
	if !IsBadRequest(err) {
		t.Errorf("an 81-character search: %v", err)
	}
	assertContains(t, mustErr(t, err), "search must be shorter than or equal to 80 characters")
	assertRequests(t, srv, "/", 2)
}

func TestErrorBadRequestStringMessage(t *testing.T) {
	srv := startServer(t, 10)
	srv.AddFault(testserver.Fault{Status: 400, Body: `{"message":"connectionId must be a number","error":"Bad Request","statusCode":400}`})
	client, _ := clientFor(t, srv)

	_, err := client.GetConnection(context.Background(), 1)
	text := mustErr(t, err)
	apiErr := asAPIError(t, err)
	if !IsBadRequest(err) || !slices.Equal(apiErr.Messages, []string{"connectionId must be a number"}) || apiErr.ErrorName != "Bad Request" {
		t.Errorf("APIError = %+v", apiErr)
	}
	if want := "GET /api/v1/connections/1: HTTP 400 Bad Request: connectionId must be a number"; text != want {
		t.Errorf("error = %q, want %q", text, want)
	}
	assertRequests(t, srv, "/", 1)
}

func TestErrorUnauthorized(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Token: "the-server-token", Connections: testserver.Seed(3)})
	client, _ := clientFor(t, srv)

	_, err := client.GetConnection(context.Background(), 1)
	text := mustErr(t, err)
	if !IsUnauthorized(err) || IsForbidden(err) || IsNotFound(err) {
		t.Errorf("classification of %q is wrong", text)
	}
	if want := "GET /api/v1/connections/1: HTTP 401 Unauthorized"; !strings.HasPrefix(text, want) {
		t.Errorf("error = %q, want it to start with %q", text, want)
	}
	_, err = client.ListConnections(context.Background(), "")
	if !IsUnauthorized(err) {
		t.Errorf("ListConnections with a wrong token: %v", err)
	}
	mustErr(t, err)
	// 401 is not retried.
	assertRequests(t, srv, "/", 2)
}

func TestErrorForbidden(t *testing.T) {
	srv := startServer(t, 3)
	srv.AddFault(testserver.Fault{Status: 403, Body: `{"message":"Forbidden resource","error":"Forbidden","statusCode":403}`})
	client, _ := clientFor(t, srv)

	_, err := client.GetConnection(context.Background(), 1)
	text := mustErr(t, err)
	if !IsForbidden(err) || IsUnauthorized(err) {
		t.Errorf("classification of %q is wrong", text)
	}
	if want := "GET /api/v1/connections/1: HTTP 403 Forbidden: Forbidden resource"; text != want {
		t.Errorf("error = %q, want %q", text, want)
	}
	assertRequests(t, srv, "/", 1)
}

func TestErrorServerErrorIsNotRetried(t *testing.T) {
	srv := startServer(t, 3)
	srv.AddFault(testserver.Fault{Status: 500, Body: `{"message":"Internal server error","statusCode":500}`})
	client, _ := clientFor(t, srv, withRetries(5))

	_, err := client.GetConnection(context.Background(), 1)
	text := mustErr(t, err)
	if want := "GET /api/v1/connections/1: HTTP 500 Internal Server Error: Internal server error"; text != want {
		t.Errorf("error = %q, want %q", text, want)
	}
	if asAPIError(t, err).StatusCode != 500 {
		t.Error("wrong status")
	}
	assertRequests(t, srv, "/", 1)
}

func TestErrorNonJSONBody(t *testing.T) {
	const page = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title>
<style>body { color: red; }</style><script>var secret = "tracking";</script></head>
<body><center><h1>502   Bad
Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>`
	tests := []struct {
		name        string
		status      int
		contentType string
		retries     int
		wantStatus  int
		wantReqs    int
		wantText    []string
	}{
		{
			name: "HTML 502 after retries", status: 502, contentType: "text/html", retries: 2, wantStatus: 502, wantReqs: 3,
			wantText: []string{`GET /api/v1/connections/1: HTTP 502 Bad Gateway: body starts with "502 Bad Gateway 502 Bad Gateway nginx/1.25.3"`},
		},
		{
			name: "HTML 200", status: 200, contentType: "text/html; charset=utf-8", retries: 3, wantStatus: 200, wantReqs: 1,
			wantText: []string{`HTTP 200 OK: expected a JSON answer but got Content-Type "text/html; charset=utf-8"`, `body starts with "502 Bad Gateway 502 Bad Gateway nginx/1.25.3"`},
		},
		{
			name: "HTML 403 from a firewall", status: 403, contentType: "text/html", retries: 3, wantStatus: 403, wantReqs: 1,
			wantText: []string{`HTTP 403 Forbidden: body starts with "502 Bad Gateway`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, 3)
			srv.AddFault(testserver.Fault{Status: tt.status, ContentType: tt.contentType, Body: page})
			client, _ := clientFor(t, srv, withRetries(tt.retries))

			_, err := client.GetConnection(context.Background(), 1)
			text := mustErr(t, err)
			assertContains(t, text, tt.wantText...)
			apiErr := asAPIError(t, err)
			if apiErr.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", apiErr.StatusCode, tt.wantStatus)
			}
			if apiErr.Snippet == "" || strings.ContainsAny(apiErr.Snippet, "<>") || strings.Contains(apiErr.Snippet, "color") || strings.Contains(apiErr.Snippet, "tracking") {
				t.Errorf("Snippet = %q: want text with tags, styles and scripts removed", apiErr.Snippet)
			}
			assertRequests(t, srv, "/", tt.wantReqs)
		})
	}
}

func TestErrorSnippetIsShortAndValidUTF8(t *testing.T) {
	srv := startServer(t, 3)
	body := "<p>" + strings.Repeat("é", 500) + "</p>"
	srv.AddFault(testserver.Fault{Status: 500, ContentType: "text/html", Body: body})
	client, _ := clientFor(t, srv)

	_, err := client.GetConnection(context.Background(), 1)
	mustErr(t, err)
	snip := asAPIError(t, err).Snippet
	if !utf8.ValidString(snip) || len(snip) > snippetLength+len("…") || !strings.HasSuffix(snip, "…") {
		t.Errorf("Snippet (%d bytes) = %q: want at most %d bytes of valid UTF-8 ending in …", len(snip), snip, snippetLength)
	}
}

func TestErrorWrongContentType(t *testing.T) {
	conn := testserver.Seed(1)[0]
	tests := []struct {
		contentType string
		wantErr     string
	}{
		{contentType: "text/plain", wantErr: `GET /api/v1/connections/1: HTTP 200 OK: expected a JSON answer but got Content-Type "text/plain"`},
		{contentType: "application/xml", wantErr: `expected a JSON answer but got Content-Type "application/xml"`},
		{contentType: "application/json"},
		{contentType: "Application/JSON; charset=UTF-8"},
		{contentType: "application/vnd.flosum+json"},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			srv := startServer(t, 3)
			srv.AddFault(testserver.Fault{Status: 200, ContentType: tt.contentType, Body: jsonOf(t, conn)})
			client, _ := clientFor(t, srv)
			got, err := client.GetConnection(context.Background(), 1)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("GetConnection: %v", err)
				}
				if *got != wantConnection(conn) {
					t.Errorf("got %+v", got)
				}
				return
			}
			assertContains(t, mustErr(t, err), tt.wantErr)
			if got != nil {
				t.Error("a value was returned with the error")
			}
			assertRequests(t, srv, "/", 1)
		})
	}
}

func TestDecodeErrorBody(t *testing.T) {
	tests := []struct {
		body     string
		wantOK   bool
		wantName string
		wantMsgs []string
	}{
		{body: `{"message":["a","b"],"error":"Bad Request","statusCode":400}`, wantOK: true, wantName: "Bad Request", wantMsgs: []string{"a", "b"}},
		{body: `{"message":"one","error":null,"statusCode":404}`, wantOK: true, wantMsgs: []string{"one"}},
		{body: `{"statusCode":429}`, wantOK: true},
		{body: `{"message":{"nested":true},"statusCode":500}`, wantOK: true, wantMsgs: []string{`{"nested":true}`}},
		{body: `{"message":null,"error":"Teapot"}`, wantOK: true, wantName: "Teapot"},
		{body: `{}`},
		{body: `[]`},
		{body: ``},
		{body: `<html>`},
		{body: `{"foo":"bar"}`},
	}
	for _, tt := range tests {
		name, msgs, ok := decodeErrorBody([]byte(tt.body))
		if ok != tt.wantOK || name != tt.wantName || !slices.Equal(msgs, tt.wantMsgs) {
			t.Errorf("decodeErrorBody(%s) = %q, %q, %v; want %q, %q, %v", tt.body, name, msgs, ok, tt.wantName, tt.wantMsgs, tt.wantOK)
		}
	}
}
