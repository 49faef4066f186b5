package flosumapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// TestMain fails the package when a test leaves goroutines behind, such as
// keep-alive connections that were never closed.
func TestMain(m *testing.M) {
	if path := os.Getenv(lockHelperEnv); path != "" {
		os.Exit(lockHelper(path))
	}
	goleak.VerifyTestMain(m)
}

// secretToken is the access token every test client uses; no error text or
// log line may ever contain it.
const secretToken = "tok-SECRET-123"

const testUserAgent = "terraform-provider-flosum-test/1.2.3 (+client-tests)"

// startServer runs a test server with n seeded connections that accepts
// secretToken.
func startServer(t *testing.T, n int) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{Token: secretToken, Connections: testserver.Seed(n)})
}

// fastConfig is a client configuration with tiny retry waits.
func fastConfig(baseURL string) Config {
	return Config{
		BaseURL:        baseURL,
		AccessToken:    secretToken,
		UserAgent:      testUserAgent,
		RequestTimeout: 5 * time.Second,
		MaxRetries:     3,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   5 * time.Millisecond,
	}
}

// newClient builds a client from cfg with a recording logger (unless cfg has
// one). At cleanup it closes idle connections and checks that nothing logged
// holds the token.
func newClient(t *testing.T, cfg Config) (*Client, *recordingLogger) {
	t.Helper()
	rec, _ := cfg.Logger.(*recordingLogger)
	if cfg.Logger == nil {
		rec = &recordingLogger{}
		cfg.Logger = rec
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		c.CloseIdleConnections()
		if rec != nil {
			rec.assertNoSecret(t)
		}
	})
	return c, rec
}

// clientFor is newClient with fastConfig for srv.
func clientFor(t *testing.T, srv *testserver.Server, edit ...func(*Config)) (*Client, *recordingLogger) {
	t.Helper()
	cfg := fastConfig(srv.URL)
	for _, e := range edit {
		e(&cfg)
	}
	return newClient(t, cfg)
}

func withRetries(n int) func(*Config) { return func(c *Config) { c.MaxRetries = n } }

func withTimeout(d time.Duration) func(*Config) { return func(c *Config) { c.RequestTimeout = d } }

func withConcurrency(n int) func(*Config) { return func(c *Config) { c.MaxConcurrentRequests = n } }

// mustErr fails the test when err is nil or when its text (in any format)
// holds the token, and returns its text.
func mustErr(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got nil")
	}
	assertNoSecretInError(t, err)
	return err.Error()
}

func assertNoSecretInError(t *testing.T, err error) {
	t.Helper()
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(text, secretToken) {
			t.Errorf("error text holds the access token: %s", text)
		}
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		for _, field := range append([]string{apiErr.Snippet, apiErr.ErrorName}, apiErr.Messages...) {
			if strings.Contains(field, secretToken) {
				t.Errorf("APIError field holds the access token: %q", field)
			}
		}
	}
}

func assertContains(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("text %q does not contain %q", text, want)
		}
	}
}

func assertRequests(t *testing.T, srv *testserver.Server, prefix string, want int) {
	t.Helper()
	if got := srv.CountRequests(prefix); got != want {
		t.Errorf("requests to %s: got %d, want %d (all: %+v)", prefix, got, want, summarizeRequests(srv.Requests()))
	}
}

func summarizeRequests(reqs []testserver.Request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Path + "?" + r.Query
	}
	return out
}

// wantConnection is the client's view of a seeded connection.
func wantConnection(c testserver.Connection) Connection {
	return Connection{
		ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, UserFullName: c.UserFullName,
		UserName: c.UserName, SalesforceOrgID: c.SalesforceOrgID, SalesforceOrgType: c.SalesforceOrgType,
	}
}

func wantSummary(c testserver.Connection) ConnectionSummary {
	return ConnectionSummary{ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, UserName: c.UserName, SalesforceOrgType: c.SalesforceOrgType}
}

// wantList is what ListConnections should return for conns and search:
// the matching connections sorted by id.
func wantList(conns []testserver.Connection, search string) []ConnectionSummary {
	out := []ConnectionSummary{}
	for _, c := range conns {
		if search == "" || testserver.Matches(c, search) {
			out = append(out, wantSummary(c))
		}
	}
	slices.SortFunc(out, func(a, b ConnectionSummary) int { return int(a.ID - b.ID) })
	return out
}

// listOrder is the order in which the test server pages through conns.
func listOrder(conns []testserver.Connection) []testserver.Connection {
	out := slices.Clone(conns)
	slices.SortFunc(out, func(a, b testserver.Connection) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out
}

func toListItem(c testserver.Connection) testserver.ListItem {
	return testserver.ListItem{ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, UserName: c.UserName, SalesforceOrgType: c.SalesforceOrgType}
}

func assertList(t *testing.T, got, want []ConnectionSummary) {
	t.Helper()
	if got == nil {
		t.Fatalf("got a nil list, want %d connections", len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("got %d connections, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("connection %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// listConnectionsPage reads one page of the connections list.
func listConnectionsPage(ctx context.Context, c *Client, search string, number, limit int) (*page[ConnectionSummary], error) {
	return connectionsList(search).readPage(ctx, c, number, limit)
}

// pageOf returns the page number of a list request.
func pageOf(r *http.Request) string { return r.URL.Query().Get("page") }

// recordingLogger keeps every message the client logs.
type recordingLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

type logEntry struct {
	Level, Msg string
	Fields     map[string]any
}

func (l *recordingLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, logEntry{Level: level, Msg: msg, Fields: maps.Clone(fields)})
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.add("DEBUG", msg, fields)
}

func (l *recordingLogger) Info(_ context.Context, msg string, fields map[string]any) {
	l.add("INFO", msg, fields)
}

func (l *recordingLogger) Warn(_ context.Context, msg string, fields map[string]any) {
	l.add("WARN", msg, fields)
}

func (l *recordingLogger) Entries() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries)
}

// find returns the entries at level whose message contains text.
func (l *recordingLogger) find(level, text string) []logEntry {
	var out []logEntry
	for _, e := range l.Entries() {
		if e.Level == level && strings.Contains(e.Msg, text) {
			out = append(out, e)
		}
	}
	return out
}

func (l *recordingLogger) assertNoSecret(t *testing.T) {
	t.Helper()
	for _, e := range l.Entries() {
		if strings.Contains(e.Msg, secretToken) {
			t.Errorf("log message holds the access token: %q", e.Msg)
		}
		for k, v := range e.Fields {
			if strings.Contains(k, secretToken) || strings.Contains(fmt.Sprint(v), secretToken) || strings.Contains(fmt.Sprintf("%#v", v), secretToken) {
				t.Errorf("log field %s of %q holds the access token: %v", k, e.Msg, v)
			}
		}
	}
}
