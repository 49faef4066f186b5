package flosumapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// TokenPath is the Global Settings API's token endpoint
// (global-settings-api-openapi.json, OAuthController_token_v1).
const TokenPath = "/api/v1/oauth/token"

// TokenExpiryMargin is how long before its expires_in ends an access token
// is replaced, so that a request never sets out with a token about to
// expire. For short-lived tokens it is at most a quarter of the lifetime.
const TokenExpiryMargin = time.Minute

// OAuthConfig makes a client obtain its own access tokens: it exchanges a
// refresh token (grant_type=refresh_token) at the Global Settings API's
// token endpoint, on the first request that needs a token.
type OAuthConfig struct {
	// GlobalSettingsURL is the Global Settings API's root, such as
	// https://global-us.flosum.app; the same rules as BaseURL apply.
	GlobalSettingsURL string
	// ClientID, ClientSecret and RedirectURI are the connected app's; the
	// token endpoint wants all three on every grant.
	ClientID, ClientSecret, RedirectURI string
	// RefreshToken is the refresh token to exchange. When Flosum answers
	// with a new one, the client uses the new one for the rest of its life
	// and RefreshTokenReplaced reports it.
	RefreshToken string
	// RefreshTokenFile, instead of RefreshToken, names a file holding the
	// refresh token, which the client rewrites when Flosum answers with a
	// new one, and beside which it keeps the newest access token for other
	// processes (see fileStore for what is stored where).
	RefreshTokenFile string
	// RefreshTokenSource says, in a TokenError, where the refresh token came
	// from, such as "the FLOSUM_REFRESH_TOKEN environment variable".
	RefreshTokenSource string
}

// TokenErrorKind says how an exchange at the token endpoint failed.
type TokenErrorKind int

const (
	// RefreshTokenRejected is a 400 about the refresh token: unknown,
	// expired, revoked, or replaced by rotation.
	RefreshTokenRejected TokenErrorKind = iota + 1
	// ClientRejected is a 400 (or 401/403) about the client id or secret.
	ClientRejected
	// RedirectURIRejected is a 400 about the redirect URI.
	RedirectURIRejected
	// TokenEndpointUnreachable is no answer at all: a connection error, a
	// timeout or a refused redirect, after every retry.
	TokenEndpointUnreachable
	// TokenEndpointFailed is any other answer, such as a 5xx after every
	// retry or a 404 from a wrong Global Settings URL.
	TokenEndpointFailed
	// TokenAnswerInvalid is a 200 whose body is not a usable token.
	TokenAnswerInvalid
	// RefreshTokenFileFailed is a refresh token file that could not be
	// read, locked or written; Err is the *RefreshTokenFileError.
	RefreshTokenFileFailed
)

// TokenError is an exchange at the token endpoint that gave no access token.
// Its text never holds a secret.
type TokenError struct {
	Kind TokenErrorKind
	// URL is the token endpoint's.
	URL string
	// StatusCode is the answer's status, 0 when there was none.
	StatusCode int
	// Messages are the endpoint's messages, or why its answer is unusable.
	Messages []string
	// Attempts is how many times the request was sent.
	Attempts int
	// RefreshTokenSource is OAuthConfig's.
	RefreshTokenSource string
	// Err is the transport error (for TokenEndpointUnreachable) or the
	// *APIError of the answer.
	Err error
}

func (e *TokenError) Error() string {
	var what string
	switch e.Kind {
	case RefreshTokenRejected:
		what = "the refresh token was rejected"
	case ClientRejected:
		what = "the client id or client secret was rejected"
	case RedirectURIRejected:
		what = "the redirect URI was rejected"
	case TokenEndpointUnreachable:
		what = "the token endpoint could not be reached"
	case TokenAnswerInvalid:
		what = "the answer is not a usable access token"
	case RefreshTokenFileFailed:
		return "getting an access token: " + e.Err.Error()
	default:
		what = "the token endpoint failed"
	}
	text := "exchanging the refresh token at " + e.URL + ": " + what
	if e.Err != nil {
		return text + ": " + e.Err.Error()
	}
	return text + ": " + strings.Join(e.Messages, "; ")
}

func (e *TokenError) Unwrap() error { return e.Err }

// permanent says whether asking again with the same settings cannot help.
func (e *TokenError) permanent() bool {
	return e.Kind == RefreshTokenRejected || e.Kind == ClientRejected || e.Kind == RedirectURIRejected
}

// tokenSource hands out access tokens, exchanging the refresh token when
// there is none yet, when the current one is about to expire, and once after
// the Backup API rejected it. Concurrent callers share one exchange.
type tokenSource struct {
	client *Client
	// http has the same transport as the client's, with a redirect policy
	// for the Global Settings origin.
	http     *http.Client
	endpoint string
	source   string     // OAuthConfig.RefreshTokenSource
	form     url.Values // the grant without refresh_token
	now      func() time.Time

	store     tokenStore
	exchanges singleflight.Group
	mu        sync.Mutex
	// replaced and noticed: see RefreshTokenReplaced.
	replaced, noticed bool
	access            string
	renewAt, expires  time.Time
	// rejected is the refresh token the endpoint rejected for good, and
	// rejection its error: later reads get that error without asking again
	// (unless a file then holds another refresh token).
	rejected  string
	rejection error
}

func newTokenSource(c *Client, cfg OAuthConfig, transport http.RoundTripper) (*tokenSource, error) {
	root, err := CheckBaseURL(cfg.GlobalSettingsURL)
	if err != nil {
		return nil, fmt.Errorf("global settings URL: %w", err)
	}
	refresh := strings.TrimSpace(cfg.RefreshToken)
	for name, value := range map[string]string{"client id": cfg.ClientID, "client secret": cfg.ClientSecret, "redirect URI": cfg.RedirectURI} {
		if strings.TrimSpace(value) == "" {
			return nil, fmt.Errorf("the %s is required for OAuth", name)
		}
	}
	var store tokenStore
	switch {
	case refresh != "" && cfg.RefreshTokenFile != "":
		return nil, errors.New("give either a refresh token or a refresh token file, not both")
	case cfg.RefreshTokenFile != "":
		store = &fileStore{path: cfg.RefreshTokenFile, secrets: c.secrets}
	case refresh != "":
		store = &memoryStore{tokens: storedTokens{Refresh: refresh}}
	default:
		return nil, errors.New("the refresh token (or a refresh token file) is required for OAuth")
	}
	c.secrets.Add(cfg.ClientSecret)
	c.secrets.Add(refresh)
	redirects, err := newRedirectPolicy(root, "global settings URL", c.secrets)
	if err != nil {
		return nil, err
	}
	return &tokenSource{
		client:   c,
		http:     &http.Client{Transport: transport, CheckRedirect: redirects.checkRedirect, Timeout: c.http.Timeout},
		endpoint: root + TokenPath,
		source:   cfg.RefreshTokenSource,
		form: url.Values{
			"grant_type": {"refresh_token"}, "redirect_uri": {cfg.RedirectURI},
			"client_id": {cfg.ClientID}, "client_secret": {cfg.ClientSecret},
		},
		now:   time.Now,
		store: store,
	}, nil
}

// token returns an access token that is not about to expire.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	access, fresh := ts.access, ts.access != "" && ts.now().Before(ts.renewAt)
	ts.mu.Unlock()
	if fresh {
		return access, nil
	}
	return ts.renew(ctx, access)
}

// renew returns a new access token in place of stale (expired, rejected,
// or "" when there is none): one exchange, shared by every caller that
// asks meanwhile; a caller that comes after another caller's exchange
// replaced stale gets that token. The exchange runs to its end even when
// the callers give up, so that a refresh token Flosum rotated is not lost.
func (ts *tokenSource) renew(ctx context.Context, stale string) (string, error) {
	results := ts.exchanges.DoChan("exchange", func() (any, error) {
		ts.mu.Lock()
		access, fresh := ts.access, ts.access != "" && ts.access != stale && ts.now().Before(ts.renewAt)
		ts.mu.Unlock()
		if fresh {
			return access, nil
		}
		return ts.exchange(context.WithoutCancel(ctx), stale)
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case res := <-results:
		if res.Err != nil {
			return "", res.Err
		}
		access, _ := res.Val.(string)
		return access, nil
	}
}

// tokenAnswer is TokenResponseDto.
type tokenAnswer struct {
	AccessToken  *string         `json:"access_token"`
	TokenType    *string         `json:"token_type"`
	RefreshToken json.RawMessage `json:"refresh_token"` // "null" for null, empty when missing
	ExpiresIn    *float64        `json:"expires_in"`
}

// exchange posts the refresh token grant, under the store's lock, and keeps
// what it answers; or, with a file, takes the access token another process
// stored there, unless that is stale too.
func (ts *tokenSource) exchange(ctx context.Context, stale string) (string, error) {
	c := ts.client
	var (
		got     storedTokens
		rotated bool
	)
	err := ts.store.update(func(t *storedTokens) error {
		if t.Access != "" && t.Access != stale && ts.now().Before(t.RenewAt) {
			c.log.Info(ctx, "Using the Flosum access token stored beside the refresh token file", nil)
			got = *t
			return nil
		}
		ts.mu.Lock()
		rejected, rejection := ts.rejected, ts.rejection
		ts.mu.Unlock()
		if rejection != nil && rejected == t.Refresh {
			return rejection
		}
		c.log.Info(ctx, "Exchanging the Flosum refresh token for an access token", map[string]any{"url": ts.endpoint})
		form := url.Values{"refresh_token": {t.Refresh}}
		for k, v := range ts.form {
			form[k] = v
		}
		body, err := ts.post(ctx, form)
		if tokenErr := (*TokenError)(nil); errors.As(err, &tokenErr) && tokenErr.permanent() {
			ts.mu.Lock()
			ts.rejected, ts.rejection = t.Refresh, err
			ts.mu.Unlock()
		}
		if err != nil {
			return err
		}
		access, newRefresh, lifetime, reason := readTokenAnswer(body)
		if reason != "" {
			return &TokenError{Kind: TokenAnswerInvalid, URL: ts.endpoint, RefreshTokenSource: ts.source, StatusCode: http.StatusOK, Messages: []string{reason}}
		}
		c.secrets.Add(access)
		c.secrets.Add(newRefresh)
		now := ts.now()
		t.Access, t.ExpiresAt, t.RenewAt = access, now.Add(lifetime), now.Add(lifetime-min(TokenExpiryMargin, lifetime/4))
		if newRefresh != "" && newRefresh != t.Refresh {
			t.Refresh, rotated = newRefresh, true
		}
		c.log.Info(ctx, "Obtained a Flosum access token", map[string]any{"expires_in_seconds": lifetime.Seconds()})
		got = *t
		return nil
	})
	if fileErr := (*RefreshTokenFileError)(nil); errors.As(err, &fileErr) {
		err = &TokenError{Kind: RefreshTokenFileFailed, URL: ts.endpoint, RefreshTokenSource: ts.source, Err: fileErr}
	}
	if err != nil {
		return "", c.redact(err)
	}
	switch {
	case rotated && ts.store.persistent():
		c.log.Info(ctx, "Flosum returned a new refresh token; saved it in the refresh token file", nil)
	case rotated:
		c.log.Warn(ctx, "Flosum returned a new refresh token; this client uses it from now on, but cannot save it", nil)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.access, ts.renewAt, ts.expires = got.Access, got.RenewAt, got.ExpiresAt
	ts.replaced = ts.replaced || (rotated && !ts.store.persistent())
	return got.Access, nil
}

// post sends a form to the token endpoint, with the client's retries, and
// returns the body of a 200.
func (ts *tokenSource) post(ctx context.Context, form url.Values) ([]byte, error) {
	c := ts.client
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, c.redact(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, body, attempts, err := c.send(ts.http, req, false)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, c.redact(&TokenError{Kind: TokenEndpointUnreachable, URL: ts.endpoint, RefreshTokenSource: ts.source, Attempts: attempts, Err: c.explainTimeout(err)})
	}
	if resp.StatusCode == http.StatusOK {
		if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
			return nil, &TokenError{Kind: TokenAnswerInvalid, URL: ts.endpoint, RefreshTokenSource: ts.source, StatusCode: resp.StatusCode, Attempts: attempts,
				Messages: []string{fmt.Sprintf("expected a JSON answer but got Content-Type %q", ct)}}
		}
		return body, nil
	}
	apiErr := newAPIError(http.MethodPost, TokenPath, resp, body, attempts, c.secrets)
	return nil, &TokenError{Kind: tokenErrorKind(apiErr), URL: ts.endpoint, RefreshTokenSource: ts.source, StatusCode: resp.StatusCode,
		Messages: apiErr.Messages, Attempts: attempts, Err: apiErr}
}

// tokenErrorKind classifies a token endpoint's error answer. The vendor
// documents no message texts, so a 400 is read by what its messages name:
// the client or the redirect URI, else the refresh token.
func tokenErrorKind(apiErr *APIError) TokenErrorKind {
	text := strings.ToLower(strings.Join(apiErr.Messages, " "))
	switch apiErr.StatusCode {
	case http.StatusBadRequest:
		switch {
		case strings.Contains(text, "redirect"):
			return RedirectURIRejected
		case strings.Contains(text, "client"):
			return ClientRejected
		}
		return RefreshTokenRejected
	case http.StatusUnauthorized, http.StatusForbidden:
		return ClientRejected
	}
	return TokenEndpointFailed
}

// readTokenAnswer checks a TokenResponseDto: every field present, a bearer
// token, a refresh token that is a string or null (kept: ""), and a
// positive lifetime. reason says what is wrong, without quoting any token.
func readTokenAnswer(body []byte) (access, refresh string, lifetime time.Duration, reason string) {
	var answer tokenAnswer
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", "", 0, "the answer is not a TokenResponseDto: " + describeJSONError(err)
	}
	switch {
	case answer.AccessToken == nil || strings.TrimSpace(*answer.AccessToken) == "":
		return "", "", 0, "access_token is missing or empty"
	case answer.TokenType == nil || !strings.EqualFold(*answer.TokenType, "bearer"):
		return "", "", 0, "token_type is missing or not Bearer"
	case len(answer.RefreshToken) == 0:
		return "", "", 0, "refresh_token is missing (it may be null, but must be there)"
	case answer.ExpiresIn == nil || *answer.ExpiresIn <= 0 || *answer.ExpiresIn > float64(365*24*time.Hour/time.Second):
		return "", "", 0, "expires_in is missing or not a positive number of seconds"
	}
	if string(answer.RefreshToken) != "null" {
		if err := json.Unmarshal(answer.RefreshToken, &refresh); err != nil {
			return "", "", 0, "refresh_token is neither a string nor null"
		}
	}
	if _, err := CheckAccessToken(*answer.AccessToken); err != nil {
		return "", "", 0, "access_token is not a single word"
	}
	return *answer.AccessToken, strings.TrimSpace(refresh), time.Duration(*answer.ExpiresIn * float64(time.Second)), ""
}

// describeJSONError names what encoding/json found wrong without quoting
// the body, which holds tokens.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return typeErr.Field + " is not a " + typeErr.Type.String()
	}
	return "invalid JSON"
}

// RefreshTokenReplaced reports whether Flosum answered an exchange with a new
// refresh token that this client could keep in memory only (it has no
// refresh token file): the configured one may no longer work. Once it has
// reported true, it reports false, so that callers tell the user once.
func (c *Client) RefreshTokenReplaced() bool {
	if c.tokens == nil {
		return false
	}
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	if !c.tokens.replaced || c.tokens.noticed {
		return false
	}
	c.tokens.noticed = true
	return true
}

// AccessToken returns the access token the client sends and when it
// expires: with OAuth, one that is not about to expire (exchanging the
// refresh token if need be); with a static token, that token and the zero
// time, as its expiry is not known. The caller must keep it secret.
func (c *Client) AccessToken(ctx context.Context) (string, time.Time, error) {
	if c.tokens == nil {
		return c.token, time.Time{}, nil
	}
	token, err := c.tokens.token(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	if c.tokens.access != token {
		return token, time.Time{}, nil // replaced meanwhile; its expiry is gone
	}
	return token, c.tokens.expires, nil
}
