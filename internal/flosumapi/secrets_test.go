package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// TestSecretNeverInErrors collects the error of every failure class the
// client has and checks that none holds the access token, not even when the
// server quotes the request's Authorization header back.
func TestSecretNeverInErrors(t *testing.T) {
	echo := fmt.Sprintf(`{"message":["invalid header Authorization: Bearer %s"],"error":"Bad Request","statusCode":400}`, secretToken)
	scenarios := []struct {
		name string
		// setup prepares srv and returns config edits.
		setup func(t *testing.T, srv *testserver.Server, cfg *Config)
		call  func(c *Client) error
		// want is a part of the error text, such as the scrubbed quote.
		want string
	}{
		{name: "404", call: getConnection(999)},
		{name: "400 array", call: func(c *Client) error { _, err := listConnectionsPage(context.Background(), c, "", 0, 0); return err }},
		{name: "401", setup: func(_ *testing.T, _ *testserver.Server, cfg *Config) { cfg.AccessToken = secretToken + "-expired" }, call: getConnection(1)},
		{name: "403", setup: fault(testserver.Fault{Status: 403, Body: `{"message":"Forbidden resource","statusCode":403}`}), call: getConnection(1)},
		{name: "500", setup: fault(testserver.Fault{Status: 500}), call: getConnection(1)},
		{name: "503 after retries", setup: fault(testserver.Fault{Status: 503, RetryAfter: "0"}), call: getConnection(1)},
		{name: "HTML 502", setup: fault(testserver.Fault{Status: 502, ContentType: "text/html", Body: "<h1>Bad Gateway</h1>"}), call: getConnection(1)},
		{name: "decode error", setup: fault(testserver.Fault{Status: 200, Body: `{"id":1.5}`}), call: getConnection(1)},
		{name: "truncated body", setup: fault(testserver.Fault{Status: 200, Body: `{"id":1,"name":"x"}`, CutBody: true}), call: getConnection(1)},
		{name: "timeout", setup: func(t *testing.T, srv *testserver.Server, cfg *Config) {
			srv.AddFault(testserver.Fault{Delay: 2 * time.Second})
			cfg.RequestTimeout = 50 * time.Millisecond
			cfg.MaxRetries = 1
		}, call: getConnection(1)},
		{name: "inconsistent list", setup: func(t *testing.T, srv *testserver.Server, cfg *Config) {
			srv.SetListHook(func(_ *http.Request, p *testserver.ListPage) { p.Total++ })
		}, call: func(c *Client) error { _, err := c.ListConnections(context.Background(), ""); return err }},
		{name: "cancelled", call: func(c *Client) error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := c.GetConnection(ctx, 1)
			return err
		}},
		{name: "closed port", setup: func(t *testing.T, _ *testserver.Server, cfg *Config) {
			cfg.BaseURL = "http://" + closedAddr(t)
			cfg.MaxRetries = 1
		}, call: getConnection(1)},
		{name: "server quotes the token in its JSON error", setup: fault(testserver.Fault{Status: 400, Body: echo}), call: getConnection(1), want: "HTTP 400 Bad Request: invalid header Authorization: Bearer [REDACTED]"},
		{name: "server quotes the token in an HTML page", setup: fault(testserver.Fault{Status: 502, ContentType: "text/html", Body: "<p>Authorization: Bearer " + secretToken + "</p>"}), call: getConnection(1), want: `body starts with "Authorization: Bearer [REDACTED]"`},
		{name: "server quotes the token on a 200 that is not JSON", setup: fault(testserver.Fault{Status: 200, ContentType: "text/plain", Body: "your token is " + secretToken}), call: getConnection(1), want: `body starts with "your token is [REDACTED]"`},
		{name: "server quotes the token with JSON escapes", setup: fault(testserver.Fault{Status: 400, Body: `{"message":["bad header: Bearer \u0074ok\u002dSECRET\u002d123"],"statusCode":400}`}), call: getConnection(1), want: "HTTP 400 Bad Request: bad header: Bearer [REDACTED]"},
		{name: "server quotes the token in a JSON string message", setup: fault(testserver.Fault{Status: 401, Body: `{"message":"token ` + secretToken + ` expired","statusCode":401}`}), call: getConnection(1), want: "HTTP 401 Unauthorized: token [REDACTED] expired"},
	}
	var collected []error
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			srv := startServer(t, 10)
			cfg := fastConfig(srv.URL)
			if sc.setup != nil {
				sc.setup(t, srv, &cfg)
			}
			client, _ := newClient(t, cfg)
			err := sc.call(client)
			text := mustErr(t, err) // checks err for the token in every format
			if sc.want != "" {
				assertContains(t, text, sc.want)
			}
			collected = append(collected, err)
		})
	}
	if len(collected) != len(scenarios) {
		t.Fatalf("collected %d errors of %d scenarios", len(collected), len(scenarios))
	}
	for _, err := range collected {
		assertNoSecretInError(t, err)
	}
}

func getConnection(id int64) func(*Client) error {
	return func(c *Client) error { _, err := c.GetConnection(context.Background(), id); return err }
}

func fault(f testserver.Fault) func(*testing.T, *testserver.Server, *Config) {
	return func(_ *testing.T, srv *testserver.Server, _ *Config) { srv.AddFault(f) }
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestTransportErrorOnClosedPort(t *testing.T) {
	client, _ := newClient(t, func() Config {
		cfg := fastConfig("http://" + closedAddr(t))
		cfg.MaxRetries = 2
		return cfg
	}())
	_, err := client.GetConnection(context.Background(), 1)
	text := mustErr(t, err)
	assertContains(t, text, "GET /api/v1/connections/1: giving up after 3 attempt(s): ", "connection refused")
	var transportErr *TransportError
	if !errors.As(err, &transportErr) || transportErr.Path != "/api/v1/connections/1" || transportErr.Method != "GET" {
		t.Errorf("error %q (%T) is not a *TransportError for the path", text, err)
	}
}

// TestSecretNeverInLogs runs successes, retries and failures with a recording
// logger: requests are logged with Authorization redacted, retries are
// warned about, and no message or field holds the token.
// A base URL that carries the token as a password is refused, and the
// refusal does not quote it.
func TestNewRejectsCredentialsInBaseURL(t *testing.T) {
	c, err := New(Config{BaseURL: "http://user:" + secretToken + "@127.0.0.1:1", AccessToken: secretToken})
	if c != nil {
		t.Fatal("New returned a client")
	}
	assertContains(t, mustErr(t, err), "must not carry credentials")
}

func TestSecretNeverInLogs(t *testing.T) {
	srv := startServer(t, 2500)
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2", Status: 503, Times: 1, Body: `{"message":"busy","statusCode":503}`})
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/3", Status: 429, RetryAfter: "0", Times: 1})
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/4", Status: 200, Body: validConnection, CutBody: true, Times: 1})
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/5", Delay: time.Second, Times: 1})
	srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/6", Status: 400, Body: `{"message":"Bearer ` + secretToken + `","statusCode":400}`})
	client, log := clientFor(t, srv)
	// Connection 5 is read with a short timeout, so that its first attempt
	// times out; the other calls keep the roomy default.
	quick, _ := clientFor(t, srv, withTimeout(300*time.Millisecond), func(c *Config) { c.Logger = log })
	ctx := context.Background()
	for id := int64(1); id <= 6; id++ {
		reader := client
		if id == 5 {
			reader = quick
		}
		_, err := reader.GetConnection(ctx, id)
		if (err != nil) != (id == 6) {
			t.Errorf("GetConnection(%d): %v", id, err)
		}
	}
	if _, err := client.ListConnections(ctx, ""); err != nil {
		t.Fatal(err)
	}

	sent := log.find("DEBUG", "Sending Flosum API request")
	if len(sent) != srv.RequestCount() {
		t.Errorf("%d requests logged, %d sent", len(sent), srv.RequestCount())
	}
	for _, e := range sent {
		headers, ok := e.Fields["headers"].(map[string]string)
		if !ok {
			t.Fatalf("headers field is %T", e.Fields["headers"])
		}
		if headers["Authorization"] != "[REDACTED]" {
			t.Errorf("Authorization logged as %q", headers["Authorization"])
		}
		if headers["User-Agent"] != testUserAgent {
			t.Errorf("User-Agent logged as %q", headers["User-Agent"])
		}
		if u, _ := e.Fields["url"].(string); !strings.HasPrefix(u, srv.URL+"/api/v1/connections") {
			t.Errorf("url field = %q", u)
		}
	}
	if n := len(log.find("DEBUG", "Received Flosum API response")); n == 0 {
		t.Error("no response was logged")
	}
	// Only the timeout fails a round trip: the cut body fails when read.
	if n := len(log.find("DEBUG", "Flosum API request failed")); n != 1 {
		t.Errorf("failed round trips logged: %d, want 1", n)
	}
	retries := log.find("WARN", "Retrying Flosum API request")
	if len(retries) != 4 {
		t.Errorf("got %d retry warnings, want 4 (503, 429, cut body, timeout)", len(retries))
	}
	var reasons []string
	for _, r := range retries {
		if r.Fields["attempt"] != 2 || r.Fields["max_attempts"] != 4 || r.Fields["method"] != "GET" {
			t.Errorf("retry warning fields = %v", r.Fields)
		}
		reason, _ := r.Fields["reason"].(string)
		reasons = append(reasons, reason)
	}
	slices.Sort(reasons)
	if len(reasons) != 4 || !strings.Contains(reasons[0], "(no answer within the request timeout of ") ||
		reasons[1] != "HTTP 429 Too Many Requests, Retry-After: 0" || reasons[2] != "HTTP 503 Service Unavailable" || reasons[3] != "reading the answer: unexpected EOF" {
		t.Errorf("retry reasons = %q", reasons)
	}
	if len(log.find("WARN", "")) != 4 {
		t.Errorf("want exactly the 4 retry warnings, got %v", log.find("WARN", ""))
	}
	if len(log.find("INFO", "Read connections page")) != 2 {
		t.Errorf("want 2 progress messages")
	}
	log.assertNoSecret(t)
}

// TestSecretNotInLogsOfEchoedHeaders: a server (or proxy) that echoes the
// token in a response header must not get it into the logs.
func TestSecretNotInLogsOfEchoedHeaders(t *testing.T) {
	api := testserver.New(testserver.Options{Token: secretToken, Connections: testserver.Seed(3)})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Set-Cookie", "session="+secretToken)
		w.Header().Set("Www-Authenticate", r.Header.Get("Authorization"))
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	client, log := newClient(t, fastConfig(ts.URL))
	if _, err := client.GetConnection(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	log.assertNoSecret(t)
}
