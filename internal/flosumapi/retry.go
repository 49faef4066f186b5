package flosumapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxBodyBytes bounds what one answer may hold (a full page is ~300 KB).
const maxBodyBytes = 64 << 20

// checkRetry decides whether an attempt is retried: on 429, 502, 503 and 504,
// on connection errors, and on a body cut off mid-way. It reads the body here
// so that a connection reset while reading it is retried like any other.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	record := attemptsOf(ctx)
	if err != nil {
		retry, policyErr := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
		record.lastFailure = c.redact(c.explainTimeout(err)).Error()
		return retry, policyErr
	}
	if readErr := bufferBody(resp); readErr != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if errors.Is(readErr, errBodyTooLarge) {
			return false, nil // the same answer would be too large again
		}
		record.lastFailure = "reading the answer: " + c.redact(readErr).Error()
		return true, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		record.lastFailure = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if retryAfter := resp.Header.Get("Retry-After"); retryAfter != "" {
			record.lastFailure += ", Retry-After: " + retryAfter
		}
		return true, nil
	}
	return false, nil
}

var errBodyTooLarge = fmt.Errorf("the answer is larger than %d bytes", maxBodyBytes)

// bufferBody reads resp's body into memory and puts it back readable. On a
// read error the body is replaced by one that returns that error.
func bufferBody(resp *http.Response) error {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	if err == nil && len(data) > maxBodyBytes {
		err = errBodyTooLarge
	}
	if err != nil {
		resp.Body = io.NopCloser(errReader{err})
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// readBody returns the body that checkRetry buffered.
func readBody(resp *http.Response) ([]byte, error) {
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	return data, nil
}

// giveUp is called when retries are exhausted: the last answer, if any, is
// returned as it is so that its error body can be reported.
func giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if resp != nil && resp.Body != nil && err == nil {
		return resp, nil
	}
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err == nil {
		err = errors.New("no answer")
	}
	return nil, fmt.Errorf("giving up after %d attempt(s): %w", attempts, err)
}

// backoff honours Retry-After on 429 and 503 (capped at MaxRetryAfter) and
// otherwise waits exponentially longer, with jitter, between min and max.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if wait, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return wait
		}
	}
	wait := maxWait
	if attempt < 32 {
		if exp := minWait << attempt; exp > 0 && exp < maxWait {
			wait = exp
		}
	}
	// Equal jitter: at least half the exponential wait, so it still grows.
	half := wait / 2
	return half + rand.N(half+1) //nolint:gosec // jitter needs no cryptographic randomness
}

// ParseRetryAfter reads a Retry-After value, in seconds or as an HTTP-date
// relative to now. The wait is capped at MaxRetryAfter; a date in the past
// means no wait. ok is false when the value is absent or malformed.
func ParseRetryAfter(value string, now time.Time) (wait time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.ParseInt(value, 10, 64); err == nil {
		if seconds < 0 {
			return 0, false
		}
		if seconds > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(seconds) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	return min(max(at.Sub(now), 0), MaxRetryAfter), true
}
