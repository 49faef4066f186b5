// Package flosumapi is a client for the connections endpoints of the Flosum
// Backup & Archive API. It knows nothing of Terraform: the provider adapts it.
package flosumapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/net/http/httpproxy"
)

// Defaults for the zero values of Config.
const (
	DefaultRequestTimeout        = 30 * time.Second
	DefaultRetryWaitMin          = 1 * time.Second
	DefaultRetryWaitMax          = 30 * time.Second
	DefaultMaxConcurrentRequests = 4
	// MaxRetryAfter caps how long a Retry-After header can make us wait.
	MaxRetryAfter = 60 * time.Second
)

// Config holds what a Client needs. Only BaseURL and AccessToken are required.
type Config struct {
	// BaseURL is the API's root, such as https://backup-us.flosum.app.
	BaseURL string
	// AccessToken is sent as a bearer token; it never appears in errors or
	// logs. Whitespace around it is trimmed (see CheckAccessToken).
	AccessToken string
	// UserAgent is sent with every request.
	UserAgent string
	// RequestTimeout bounds each HTTP attempt, body included.
	RequestTimeout time.Duration
	// MaxRetries is how many times a failed attempt is retried; 0 disables.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxConcurrentRequests bounds the requests in flight across all callers.
	MaxConcurrentRequests int
	// CACertPEM adds PEM-encoded roots to the system's, for private CAs.
	CACertPEM string
	// Logger receives request, retry and progress messages; nil drops them.
	Logger Logger
}

// Client calls the Flosum Backup API. It is safe for concurrent use, and
// remembers each successful answer for its lifetime.
type Client struct {
	baseURL     string
	token       string
	secrets     *redactor
	userAgent   string
	http        *retryablehttp.Client
	log         Logger
	slots       chan struct{}
	concurrency int
	memo        memo
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	baseURL, err := CheckBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	token, err := CheckAccessToken(cfg.AccessToken)
	if err != nil {
		return nil, err
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must be 0 or more, not %d", cfg.MaxRetries)
	}
	cfg.RequestTimeout = orDefault(cfg.RequestTimeout, DefaultRequestTimeout)
	cfg.RetryWaitMin = orDefault(cfg.RetryWaitMin, DefaultRetryWaitMin)
	cfg.RetryWaitMax = orDefault(cfg.RetryWaitMax, DefaultRetryWaitMax)
	if cfg.MaxConcurrentRequests <= 0 {
		cfg.MaxConcurrentRequests = DefaultMaxConcurrentRequests
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger{}
	}

	transport, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	secrets := newRedactor(token)
	redirects, err := newRedirectPolicy(baseURL, "base URL", secrets)
	if err != nil {
		return nil, err
	}
	c := &Client{
		baseURL:     baseURL,
		token:       token,
		secrets:     secrets,
		userAgent:   cfg.UserAgent,
		log:         cfg.Logger,
		slots:       make(chan struct{}, cfg.MaxConcurrentRequests),
		concurrency: cfg.MaxConcurrentRequests,
	}
	c.http = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     &loggingTransport{next: transport, log: cfg.Logger, secrets: secrets},
			CheckRedirect: redirects.checkRedirect,
			Timeout:       cfg.RequestTimeout,
		},
		RetryWaitMin:   cfg.RetryWaitMin,
		RetryWaitMax:   cfg.RetryWaitMax,
		RetryMax:       cfg.MaxRetries,
		CheckRetry:     noRetryOnRedirect(c.checkRetry),
		Backoff:        backoff,
		ErrorHandler:   giveUp,
		RequestLogHook: c.logAttempt,
	}
	return c, nil
}

// CloseIdleConnections closes the client's idle keep-alive connections; it
// does not interrupt requests in flight. The client stays usable.
func (c *Client) CloseIdleConnections() { c.http.HTTPClient.CloseIdleConnections() }

// newTransport clones the default transport (so proxy settings and timeouts
// are the standard ones) and never touches http.DefaultTransport itself.
func newTransport(cfg Config) (*http.Transport, error) {
	defaultTransport, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("http.DefaultTransport is not an *http.Transport")
	}
	transport := defaultTransport.Clone()
	// Read the proxy environment now rather than once per process, as
	// http.ProxyFromEnvironment does.
	proxyFunc := httpproxy.FromEnvironment().ProxyFunc()
	transport.Proxy = func(req *http.Request) (*url.URL, error) { return proxyFunc(req.URL) }
	transport.MaxIdleConnsPerHost = cfg.MaxConcurrentRequests
	transport.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CACertPEM != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM([]byte(cfg.CACertPEM)) {
			return nil, errNoCertificate
		}
		transport.TLSClientConfig.RootCAs = pool
	}
	return transport, nil
}

// logAttempt counts the attempts of a request and reports each retry, with
// the failure that caused it (noted by checkRetry). The first attempt is
// logged by the logging transport.
func (c *Client) logAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	record := attemptsOf(req.Context())
	record.count = attempt + 1
	if attempt == 0 {
		return
	}
	c.log.Warn(req.Context(), "Retrying Flosum API request", map[string]any{
		"method":       req.Method,
		"path":         req.URL.Path,
		"attempt":      attempt + 1,
		"max_attempts": c.http.RetryMax + 1,
		"reason":       record.lastFailure,
	})
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

// get sends one GET (with retries) and returns the body of a 200 answer.
// Anything else becomes an *APIError or a transport error.
func (c *Client) get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	record := &attempts{}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, attemptsKey{}, record), http.MethodGet, target, nil)
	if err != nil {
		return nil, c.redact(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	defer c.release()
	resp, err := c.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("GET %s: %w", path, ctxErr)
		}
		return nil, c.redact(&TransportError{Method: http.MethodGet, Path: path, Attempts: record.count, Err: c.explainTimeout(err)})
	}
	defer resp.Body.Close()
	body, err := readBody(resp)
	if err != nil {
		return nil, c.redact(&TransportError{Method: http.MethodGet, Path: path, Attempts: record.count, Err: c.explainTimeout(err)})
	}
	if resp.StatusCode != http.StatusOK {
		return nil, newAPIError(http.MethodGet, path, resp, body, record.count, c.secrets)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return nil, &APIError{Method: http.MethodGet, Path: path, StatusCode: resp.StatusCode, Attempts: record.count,
			Messages: []string{fmt.Sprintf("expected a JSON answer but got Content-Type %q", ct)}, Snippet: snippet([]byte(c.secrets.hide(string(body))))}
	}
	return body, nil
}

// explainTimeout names the timeout that expired: Go reports the end of
// RequestTimeout as a bare "context deadline exceeded", which reads as if
// the whole operation had been cut short.
func (c *Client) explainTimeout(err error) error {
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return fmt.Errorf("%w (no answer within the request timeout of %v)", err, c.http.HTTPClient.Timeout)
	}
	return err
}

// redact hides every secret in an error's text, whatever quoted it.
func (c *Client) redact(err error) error { return c.secrets.hideError(err) }

func isJSON(contentType string) bool {
	mediaType, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	mediaType = strings.TrimSpace(mediaType)
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
