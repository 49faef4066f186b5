package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func TestRetry429WithRetryAfterZero(t *testing.T) {
	srv := startServer(t, 10)
	srv.AddFault(testserver.Fault{Status: 429, RetryAfter: "0", Times: 1, Body: `{"message":"ThrottlerException: Too Many Requests","statusCode":429}`})
	// Without Retry-After, the backoff would wait at least 1.5 s.
	client, log := clientFor(t, srv, func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = 3*time.Second, 5*time.Second })

	start := time.Now()
	got, err := client.GetConnection(context.Background(), 7)
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if got.ID != 7 {
		t.Errorf("got id %d", got.ID)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("took %v: Retry-After 0 was not honoured", elapsed)
	}
	assertRequests(t, srv, "/api/v1/connections/7", 2)
	if len(log.find("WARN", "Retrying Flosum API request")) != 1 {
		t.Errorf("want one retry warning, got %+v", log.find("WARN", ""))
	}
}

func TestRetry429WithRetryAfterDate(t *testing.T) {
	t.Parallel() // mostly waiting: overlaps with the other waiting tests
	t.Run("in the past", func(t *testing.T) {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{Status: 429, Times: 1, RetryAfter: time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)})
		client, _ := clientFor(t, srv)
		start := time.Now()
		if _, err := client.GetConnection(context.Background(), 7); err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("took %v for a Retry-After in the past", elapsed)
		}
		assertRequests(t, srv, "/", 2)
	})
	t.Run("near future", func(t *testing.T) {
		srv := startServer(t, 10)
		// HTTP-dates have whole seconds: this is 1 to 2 seconds away.
		at := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
		srv.AddFault(testserver.Fault{Status: 429, Times: 1, RetryAfter: at.Format(http.TimeFormat)})
		client, _ := clientFor(t, srv)
		start := time.Now()
		if _, err := client.GetConnection(context.Background(), 7); err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if done := time.Now(); done.Before(at.Add(-50 * time.Millisecond)) {
			t.Errorf("retried %v before the Retry-After date", at.Sub(done))
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("took %v", elapsed)
		}
		assertRequests(t, srv, "/", 2)
	})
}

// TestRetryAfter checks the forms of Retry-After that go-retryablehttp reads
// and the cap the client puts on them. Dates are relative to the clock, so
// they are compared within the second that HTTP-dates are rounded to.
func TestRetryAfter(t *testing.T) {
	date := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(http.TimeFormat) }
	tests := []struct {
		value    string
		wantWait time.Duration
		wantOK   bool
	}{
		{"", 0, false},
		{"   ", 0, false},
		{"0", 0, true},
		{"1", time.Second, true},
		{"5", 5 * time.Second, true},
		{"60", 60 * time.Second, true},
		{"61", maxRetryAfter, true},
		{"86400", maxRetryAfter, true},
		{"9223372036854775807", maxRetryAfter, true},
		{"-1", 0, false},
		{"-86400", 0, false},
		{"garbage", 0, false},
		{"1.5", 0, false},
		{"5s", 0, false},
		{"0x10", 0, false},
		{date(30 * time.Second), 30 * time.Second, true},
		{date(-time.Hour), 0, true},
		{date(2 * time.Hour), maxRetryAfter, true},
		{"Sunday, 06-Nov-94 08:49:37 GMT", 0, false}, // RFC 850: not read, the backoff applies
		{"Fri, 14 Mar 2025 25:00:00 GMT", 0, false},
	}
	for _, tt := range tests {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
			wait, ok := retryAfter(&http.Response{StatusCode: status, Header: http.Header{"Retry-After": {tt.value}}})
			if ok != tt.wantOK || wait > tt.wantWait || wait < tt.wantWait-time.Second {
				t.Errorf("Retry-After %q on %d = %v, %v; want %v, %v", tt.value, status, wait, ok, tt.wantWait, tt.wantOK)
			}
		}
	}
	if wait, ok := retryAfter(&http.Response{StatusCode: http.StatusBadGateway, Header: http.Header{"Retry-After": {"5"}}}); ok || wait != 0 {
		t.Errorf("Retry-After on a 502 = %v, %v; want it ignored", wait, ok)
	}
	if wait, ok := retryAfter(nil); ok || wait != 0 {
		t.Errorf("no answer = %v, %v", wait, ok)
	}
}

func TestRetryTransientStatusBursts(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		// retryAfter is sent with each fault.
		retryAfter string
	}{
		{name: "503 x3", statuses: []int{503, 503, 503}},
		{name: "502 x3", statuses: []int{502, 502, 502}},
		{name: "504 x3", statuses: []int{504, 504, 504}},
		{name: "mixed", statuses: []int{429, 502, 504}},
		// Retry-After is only honoured on 429 and 503: a 502's is ignored.
		{name: "502 with Retry-After ignored", statuses: []int{502, 502}, retryAfter: "30"},
		{name: "empty 503 body", statuses: []int{503}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, 10)
			for _, status := range tt.statuses {
				body := fmt.Sprintf(`{"message":"injected","statusCode":%d}`, status)
				if tt.name == "empty 503 body" {
					body = ""
				}
				srv.AddFault(testserver.Fault{Status: status, Times: 1, Body: body, RetryAfter: tt.retryAfter})
			}
			client, log := clientFor(t, srv, withRetries(3))
			start := time.Now()
			got, err := client.GetConnection(context.Background(), 7)
			if err != nil {
				t.Fatalf("GetConnection: %v", err)
			}
			if got.ID != 7 {
				t.Errorf("id = %d", got.ID)
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("took %v", elapsed)
			}
			assertRequests(t, srv, "/", len(tt.statuses)+1)
			if n := len(log.find("WARN", "Retrying Flosum API request")); n != len(tt.statuses) {
				t.Errorf("got %d retry warnings, want %d", n, len(tt.statuses))
			}
			for i, w := range log.find("WARN", "Retrying Flosum API request") {
				if reason, _ := w.Fields["reason"].(string); !strings.HasPrefix(reason, fmt.Sprintf("HTTP %d ", tt.statuses[i])) {
					t.Errorf("retry %d reason = %q, want HTTP %d", i+1, reason, tt.statuses[i])
				}
			}
		})
	}
}

func TestRetryGivesUpAfterMaxRetries(t *testing.T) {
	for _, retries := range []int{0, 1, 3, 5} {
		for _, status := range []int{429, 503} {
			t.Run(fmt.Sprintf("%d retries of %d", retries, status), func(t *testing.T) {
				srv := startServer(t, 10)
				srv.AddFault(testserver.Fault{Status: status, RetryAfter: "0", Body: fmt.Sprintf(`{"message":"still failing","statusCode":%d}`, status)})
				client, _ := clientFor(t, srv, withRetries(retries))
				_, err := client.GetConnection(context.Background(), 7)
				text := mustErr(t, err)
				assertContains(t, text, fmt.Sprintf("GET /api/v1/connections/7: HTTP %d %s: still failing", status, http.StatusText(status)))
				apiErr := asAPIError(t, err)
				if apiErr.StatusCode != status || apiErr.Attempts != retries+1 {
					t.Errorf("status %d after %d attempts: %v", apiErr.StatusCode, apiErr.Attempts, err)
				}
				if retries > 0 {
					assertContains(t, text, fmt.Sprintf("(after %d attempts)", retries+1))
				} else if strings.Contains(text, "attempts)") {
					t.Errorf("a single attempt is reported as retried: %q", text)
				}
				if IsRateLimited(err) != (status == 429) || IsUnavailable(err) != (status == 503) {
					t.Errorf("IsRateLimited = %v, IsUnavailable = %v for %d", IsRateLimited(err), IsUnavailable(err), status)
				}
				assertRequests(t, srv, "/", retries+1)
			})
		}
	}
}

func TestRetryCutBody(t *testing.T) {
	conn := testserver.Seed(7)[6]
	t.Run("once", func(t *testing.T) {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/7", Status: 200, Body: jsonOf(t, conn), CutBody: true, Times: 1})
		client, log := clientFor(t, srv)
		got, err := client.GetConnection(context.Background(), 7)
		if err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if *got != wantConnection(conn) {
			t.Errorf("got %+v", got)
		}
		assertRequests(t, srv, "/", 2)
		if w := log.find("WARN", "Retrying Flosum API request"); len(w) != 1 || w[0].Fields["reason"] != "reading the answer: unexpected EOF" {
			t.Errorf("want one retry warning for the cut body, got %+v", w)
		}
	})
	t.Run("always", func(t *testing.T) {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{Status: 200, Body: jsonOf(t, conn), CutBody: true})
		client, _ := clientFor(t, srv, withRetries(2))
		_, err := client.GetConnection(context.Background(), 7)
		text := mustErr(t, err)
		var transportErr *TransportError
		if !errors.As(err, &transportErr) {
			t.Errorf("error %q (%T) is not a *TransportError", text, err)
		}
		assertContains(t, text, "GET /api/v1/connections/7: ", "unexpected EOF")
		assertRequests(t, srv, "/", 3)
	})
}

func TestRetrySlowAnswer(t *testing.T) {
	t.Parallel() // mostly waiting: overlaps with the other waiting tests
	t.Run("once", func(t *testing.T) {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{Delay: 3 * time.Second, Times: 1})
		client, _ := clientFor(t, srv, withTimeout(300*time.Millisecond))
		start := time.Now()
		got, err := client.GetConnection(context.Background(), 7)
		if err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if got.ID != 7 {
			t.Errorf("id = %d", got.ID)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("took %v: the slow attempt was not cut at the request timeout", elapsed)
		}
		assertRequests(t, srv, "/", 2)
	})
	t.Run("always", func(t *testing.T) {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{Delay: 3 * time.Second})
		// 300 ms, not less: under load a shorter timeout can expire before
		// the server has even recorded the attempt.
		client, _ := clientFor(t, srv, withTimeout(300*time.Millisecond), withRetries(2))
		start := time.Now()
		_, err := client.GetConnection(context.Background(), 7)
		text := mustErr(t, err)
		if elapsed := time.Since(start); elapsed > 2500*time.Millisecond {
			t.Errorf("took %v", elapsed)
		}
		var transportErr *TransportError
		if !errors.As(err, &transportErr) {
			t.Errorf("error %q (%T) is not a *TransportError", text, err)
		}
		// Go words the end of Client.Timeout in several ways ("context
		// deadline exceeded", "request canceled (Client.Timeout exceeded
		// ...)"); the client adds which timeout it was.
		assertContains(t, text, "GET /api/v1/connections/7: giving up after 3 attempt(s): ", "(no answer within the request timeout of 300ms)")
		if errors.Is(err, context.Canceled) {
			t.Error("a timeout is reported as a cancellation")
		}
		assertRequests(t, srv, "/", 3)
	})
}

func TestContextCancellation(t *testing.T) {
	t.Parallel() // mostly waiting: overlaps with the other waiting tests
	t.Run("mid request", func(t *testing.T) {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{Delay: 10 * time.Second})
		client, _ := clientFor(t, srv, withTimeout(30*time.Second))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := client.GetConnection(ctx, 7)
		text := mustErr(t, err)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %q is not context.Canceled", text)
		}
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("returned %v after the call started", elapsed)
		}
		assertRequests(t, srv, "/", 1)

		// The cancelled call was not remembered: a new one succeeds.
		srv.ClearFaults()
		if _, err := client.GetConnection(context.Background(), 7); err != nil {
			t.Errorf("GetConnection after a cancelled one: %v", err)
		}
	})
	t.Run("during a Retry-After wait", func(t *testing.T) {
		srv := startServer(t, 10)
		srv.AddFault(testserver.Fault{Status: 429, RetryAfter: "30"})
		client, _ := clientFor(t, srv)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := client.GetConnection(ctx, 7)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not context.Canceled", err)
		}
		mustErr(t, err)
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("returned %v after the call started", elapsed)
		}
		assertRequests(t, srv, "/", 1)
	})
	t.Run("mid list", func(t *testing.T) {
		srv := startServer(t, 9000)
		srv.AddFault(testserver.Fault{Query: "page=3&", Delay: 10 * time.Second})
		client, _ := clientFor(t, srv)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(150*time.Millisecond, cancel)
		start := time.Now()
		got, err := client.ListConnections(ctx, "")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not context.Canceled", err)
		}
		mustErr(t, err)
		if got != nil {
			t.Errorf("got %d connections with the error", len(got))
		}
		if elapsed := time.Since(start); elapsed > time.Second {
			t.Errorf("returned %v after the call started", elapsed)
		}
		if n := srv.CountRequests("/"); n > 5 {
			t.Errorf("%d requests for 5 pages", n)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		srv := startServer(t, 10)
		client, _ := clientFor(t, srv)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := client.GetConnection(ctx, 7)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v is not context.Canceled", err)
		}
		mustErr(t, err)
		assertRequests(t, srv, "/", 0)
	})
}

// An answer larger than maxBodyBytes is refused, and not asked for again: it
// would be as large the next time.
func TestBodyTooLarge(t *testing.T) {
	var requests atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.CopyN(w, repeatReader('a'), maxBodyBytes+1)
	}))
	t.Cleanup(ts.Close)
	// 64 MB under the race detector on a busy machine can take longer than
	// fastConfig's timeout, which would be retried.
	client, _ := newClient(t, Config{BaseURL: ts.URL, AccessToken: secretToken, RequestTimeout: time.Minute, MaxRetries: 3, RetryWaitMin: time.Millisecond})
	_, err := client.GetConnection(context.Background(), 7)
	// Not a TransportError, which would read as "cannot reach the API".
	var tooLarge *BodyTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Limit != maxBodyBytes {
		t.Fatalf("error %v (%T) is not a *BodyTooLargeError with the limit", err, err)
	}
	assertContains(t, mustErr(t, err), fmt.Sprintf("GET /api/v1/connections/7: the answer is larger than %d bytes, the most the client reads of one answer", maxBodyBytes))
	if n := requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1 (not retried)", n)
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
