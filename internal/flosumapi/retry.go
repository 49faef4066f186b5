package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxBodyBytes bounds what one answer may hold (a full page is ~300 KB).
const maxBodyBytes int64 = 64 << 20

// maxRetryAfter caps how long a Retry-After header can make us wait.
const maxRetryAfter = 60 * time.Second

var errBodyTooLarge = errors.New("the answer is too large")

// send makes up to MaxRetries+1 attempts of req with hc and returns the last answer
// with its body, or the last error, and how many attempts were made. A
// request to the Backup API (backupAPI) holds one of the client's slots
// while it is in flight (request sent, body read) and none while it waits to
// be retried, and with OAuth takes its access token once it has a slot, so
// that a token never grows old in the queue. A request to the token
// endpoint takes no slot: Backup API requests wait for it in theirs.
func (c *Client) send(hc *http.Client, req *http.Request, backupAPI bool) (resp *http.Response, body []byte, attempts int, err error) {
	ctx := req.Context()
	for attempts = 1; ; attempts++ {
		resp, body, err = c.attempt(hc, req, backupAPI)
		reason := c.retryReason(ctx, resp, err)
		if reason == "" || attempts > c.maxRetries {
			if err != nil && ctx.Err() == nil && !errors.Is(err, errBodyTooLarge) && !errors.As(err, new(*TokenError)) {
				err = fmt.Errorf("giving up after %d attempt(s): %w", attempts, err)
			}
			return resp, body, attempts, err
		}
		c.log.Warn(ctx, "Retrying Flosum API request", map[string]any{
			"method": req.Method, "path": req.URL.Path, "attempt": attempts + 1, "max_attempts": c.maxRetries + 1, "reason": reason,
		})
		timer := time.NewTimer(c.backoff(attempts-1, resp))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, nil, attempts, ctx.Err()
		case <-timer.C:
		}
	}
}

// attempt sends req once with hc (see send for slots and tokens) and reads
// the answer's body. A body is rewound for each attempt.
func (c *Client) attempt(hc *http.Client, req *http.Request, backupAPI bool) (*http.Response, []byte, error) {
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, nil, err
		}
		req.Body = body
	}
	if backupAPI {
		if err := c.acquire(req.Context()); err != nil {
			return nil, nil, err
		}
		defer c.release()
		if err := c.authorize(req); err != nil {
			return nil, nil, err
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	switch {
	case err != nil:
		return resp, nil, fmt.Errorf("reading the answer: %w", err)
	case int64(len(body)) > maxBodyBytes:
		return resp, nil, errBodyTooLarge
	}
	return resp, body, nil
}

// acquire takes one of the client's request slots, waiting for one if all are
// in use; release gives it back.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) release() { <-c.slots }

// retryReason says why an attempt is retried, or "" when it is not: it is
// on 429, 502, 503 and 504, on connection errors that go-retryablehttp deems
// transient, and on a body cut off mid-way; not on an answer too large, which
// would be as large again.
func (c *Client) retryReason(ctx context.Context, resp *http.Response, err error) string {
	switch {
	case ctx.Err() != nil || errors.Is(err, errBodyTooLarge) || errors.As(err, new(*RedirectError)) || errors.As(err, new(*TokenError)):
		return ""
	case err != nil:
		if retry, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err); !retry {
			return ""
		}
		return c.redact(c.explainTimeout(err)).Error()
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		reason := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if retryAfter := resp.Header.Get("Retry-After"); retryAfter != "" {
			reason += ", Retry-After: " + retryAfter
		}
		return reason
	}
	return ""
}

// backoff is the wait before retry number attempt (from 0): what a 429 or 503
// asked for in Retry-After, capped at maxRetryAfter, or else go-retryablehttp's
// exponential backoff between RetryWaitMin and RetryWaitMax with equal
// jitter (at least half of it, so that it still grows).
func (c *Client) backoff(attempt int, resp *http.Response) time.Duration {
	if wait, ok := retryAfter(resp); ok {
		return wait
	}
	half := retryablehttp.DefaultBackoff(c.retryWaitMin, c.retryWaitMax, attempt, nil) / 2
	return half + rand.N(half+1) //nolint:gosec // jitter needs no cryptographic randomness
}

// retryAfter reads the Retry-After header of a 429 or 503 with
// go-retryablehttp's parser (seconds, or an RFC 1123 date), capped at
// maxRetryAfter. ok is false when there is none it can read.
func retryAfter(resp *http.Response) (wait time.Duration, ok bool) {
	// DefaultBackoff returns the header's wait when it has one, and otherwise
	// min×2^attempt: -1 with these arguments.
	const none = -1
	switch wait = retryablehttp.DefaultBackoff(none, none, 0, resp); {
	case wait == none:
		return 0, false
	case wait < 0: // more seconds than a Duration holds
		return maxRetryAfter, true
	}
	return min(wait, maxRetryAfter), true
}
