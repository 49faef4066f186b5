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

	"golang.org/x/net/http/httpproxy"
)

// Defaults for the zero values of Config.
const (
	DefaultRequestTimeout        = 30 * time.Second
	DefaultRetryWaitMin          = 1 * time.Second
	DefaultRetryWaitMax          = 30 * time.Second
	DefaultMaxConcurrentRequests = 4
	DefaultMaxListItems          = 1_000_000
)

// Config holds what a Client needs. BaseURL is required, and exactly one of
// AccessToken and OAuth.
type Config struct {
	// BaseURL is the API's root, such as https://backup-us.flosum.app.
	BaseURL string
	// AccessToken is sent as a bearer token; it never appears in errors or
	// logs. Whitespace around it is trimmed (see CheckAccessToken).
	AccessToken string
	// OAuth, instead of AccessToken, makes the client obtain and renew its
	// own access tokens. Its secrets, and every token obtained, never appear
	// in errors or logs either.
	OAuth *OAuthConfig
	// UserAgent is sent with every request.
	UserAgent string
	// RequestTimeout bounds each HTTP attempt, body included.
	RequestTimeout time.Duration
	// MaxRetries is how many times a failed attempt is retried; 0 disables.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff.
	RetryWaitMin, RetryWaitMax time.Duration
	// MaxConcurrentRequests bounds the requests in flight across all callers;
	// requests waiting to be retried do not count.
	MaxConcurrentRequests int
	// MaxListItems bounds how many items a list may hold, checked against
	// the total its first page claims (0: DefaultMaxListItems).
	MaxListItems int
	// CACertPEM adds PEM-encoded roots to the system's, for private CAs.
	CACertPEM string
	// Logger receives request, retry and progress messages; nil drops them.
	Logger Logger
}

// Client calls the Flosum Backup API. It is safe for concurrent use, and
// remembers each successful answer for its lifetime.
type Client struct {
	baseURL                    string
	token                      string
	tokens                     *tokenSource // with OAuth, instead of token
	secrets                    *redactor
	userAgent                  string
	http                       *http.Client
	log                        Logger
	maxRetries                 int
	retryWaitMin, retryWaitMax time.Duration
	slots                      chan struct{}
	concurrency                int
	maxListItems               int
	memo                       memo
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	baseURL, err := CheckBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	var token string
	switch {
	case cfg.OAuth != nil && cfg.AccessToken != "":
		return nil, errors.New("give either an access token or OAuth settings, not both")
	case cfg.OAuth == nil:
		if token, err = CheckAccessToken(cfg.AccessToken); err != nil {
			return nil, err
		}
	}
	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("max retries must be 0 or more, not %d", cfg.MaxRetries)
	}
	cfg.RequestTimeout = orDefault(cfg.RequestTimeout, DefaultRequestTimeout)
	cfg.RetryWaitMin = orDefault(cfg.RetryWaitMin, DefaultRetryWaitMin)
	cfg.RetryWaitMax = orDefault(cfg.RetryWaitMax, DefaultRetryWaitMax)
	if cfg.MaxListItems < 0 {
		return nil, fmt.Errorf("max list items must be 0 (the default, %d) or more, not %d", DefaultMaxListItems, cfg.MaxListItems)
	}
	if cfg.MaxListItems == 0 {
		cfg.MaxListItems = DefaultMaxListItems
	}
	if cfg.MaxConcurrentRequests <= 0 {
		cfg.MaxConcurrentRequests = DefaultMaxConcurrentRequests
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger{}
	}
	secrets := newRedactor(token)
	cfg.Logger = redactingLogger{next: cfg.Logger, secrets: secrets}

	transport, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	redirects, err := newRedirectPolicy(baseURL, "base URL", secrets)
	if err != nil {
		return nil, err
	}
	logged := &loggingTransport{next: transport, log: cfg.Logger, secrets: secrets}
	c := &Client{
		baseURL:   baseURL,
		token:     token,
		secrets:   secrets,
		userAgent: cfg.UserAgent,
		http: &http.Client{
			Transport:     logged,
			CheckRedirect: redirects.checkRedirect,
			Timeout:       cfg.RequestTimeout,
		},
		log:          cfg.Logger,
		maxRetries:   cfg.MaxRetries,
		retryWaitMin: cfg.RetryWaitMin,
		retryWaitMax: cfg.RetryWaitMax,
		slots:        make(chan struct{}, cfg.MaxConcurrentRequests),
		concurrency:  cfg.MaxConcurrentRequests,
		maxListItems: cfg.MaxListItems,
	}
	if cfg.OAuth != nil {
		if c.tokens, err = newTokenSource(c, *cfg.OAuth, logged); err != nil {
			return nil, c.redact(err)
		}
	}
	return c, nil
}

// CloseIdleConnections closes the client's idle keep-alive connections; it
// does not interrupt requests in flight. The client stays usable.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

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

// get sends one GET (with retries) and returns the body of a 200 JSON
// answer. Anything else becomes an *APIError or a transport error; with
// OAuth, a 401 renews the access token and the GET is sent once more before
// the 401 is reported, and a failed exchange is a *TokenError. A token the
// API rejected although it replaced a rejected one is not renewed again:
// its 401 is reported at once, so that a 401 a new token cannot fix does
// not cost an exchange on every GET.
func (c *Client) get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	resp, body, attempts, err := c.sendGet(ctx, target)
	unauthorized := err == nil && resp.StatusCode == http.StatusUnauthorized && c.tokens != nil
	// afterRenewal: the token rejected replaced a rejected one.
	afterRenewal := unauthorized && c.tokens.renewalFutile(bearer(resp))
	if unauthorized && !afterRenewal {
		c.log.Info(ctx, "The Flosum API rejected the access token; renewing it once", map[string]any{"path": path})
		if _, err = c.tokens.renew(ctx, bearer(resp)); err != nil {
			return nil, err
		}
		var more int
		resp, body, more, err = c.sendGet(ctx, target)
		attempts += more
		afterRenewal = true
		if err == nil && resp.StatusCode == http.StatusUnauthorized {
			c.tokens.rejectedAfterRenewal(bearer(resp))
		}
	}
	if tokenErr := (*TokenError)(nil); errors.As(err, &tokenErr) {
		return nil, err
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("GET %s: %w", path, ctxErr)
		}
		if errors.Is(err, errBodyTooLarge) {
			return nil, &BodyTooLargeError{Method: http.MethodGet, Path: path, Limit: maxBodyBytes}
		}
		return nil, c.redact(&TransportError{Method: http.MethodGet, Path: path, Attempts: attempts, Err: c.explainTimeout(err)})
	}
	if resp.StatusCode != http.StatusOK {
		apiErr := newAPIError(http.MethodGet, path, resp, body, attempts, c.secrets)
		apiErr.AfterRenewal = afterRenewal && resp.StatusCode == http.StatusUnauthorized
		return nil, apiErr
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return nil, &APIError{Method: http.MethodGet, Path: path, StatusCode: resp.StatusCode, Attempts: attempts,
			Messages: []string{fmt.Sprintf("expected a JSON answer but got Content-Type %q", ct)}, Snippet: snippet([]byte(c.secrets.hide(string(body))))}
	}
	return body, nil
}

// bearer is the access token resp's request sent.
func bearer(resp *http.Response) string {
	token, _ := strings.CutPrefix(resp.Request.Header.Get("Authorization"), "Bearer ")
	return token
}

// authorize sets req's bearer token: the static one, or one from the token
// source, which may exchange the refresh token first.
func (c *Client) authorize(req *http.Request) error {
	token := c.token
	if c.tokens != nil {
		var err error
		if token, err = c.tokens.token(req.Context()); err != nil {
			return err
		}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return nil
}

// sendGet sends a GET of target, with retries.
func (c *Client) sendGet(ctx context.Context, target string) (*http.Response, []byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, 0, c.redact(err)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return c.send(c.http, req, true)
}

// getJSON GETs path and decodes the answer into a T through its wire type W.
func getJSON[T, W any](ctx context.Context, c *Client, path string, query url.Values) (*T, error) {
	body, err := c.get(ctx, path, query)
	if err != nil {
		return nil, err
	}
	return decode[T, W](path, body)
}

// explainTimeout names the timeout that expired: Go reports the end of
// RequestTimeout as a bare "context deadline exceeded", which reads as if
// the whole operation had been cut short.
func (c *Client) explainTimeout(err error) error {
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return fmt.Errorf("%w (no answer within the request timeout of %v)", err, c.http.Timeout)
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
