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

	store tokenStore
	// exchanges is keyed by the stale access token a renewal replaces.
	exchanges singleflight.Group
	mu        sync.Mutex
	// replaced and noticed: see RefreshTokenReplaced.
	replaced, noticed bool
	// notSaved and notSavedNoticed: see RefreshTokenFileNotUpdated.
	notSaved         error
	notSavedNoticed  bool
	access           string
	renewAt, expires time.Time
	// futile is an access token the Backup API rejected although it had
	// just been obtained to replace a rejected one: another 401 with it is
	// reported without renewing it again.
	futile string
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
		store = &fileStore{path: cfg.RefreshTokenFile, secrets: c.secrets, log: c.log}
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
// asks to replace the same stale token meanwhile; a caller that comes after
// stale was replaced gets the token that replaced it. (A caller with another
// stale token never waits for, or gets the result of, this renewal.) The
// exchange runs to its end even when the callers give up, so that a
// refresh token Flosum rotated is not lost.
func (ts *tokenSource) renew(ctx context.Context, stale string) (string, error) {
	results := ts.exchanges.DoChan(digest(stale), func() (any, error) {
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

// rejectedAfterRenewal records that the Backup API rejected access although
// it was obtained to replace a rejected token.
func (ts *tokenSource) rejectedAfterRenewal(access string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.futile = access
}

// renewalFutile reports whether access was rejected after a renewal
// already, so that renewing it again would not help.
func (ts *tokenSource) renewalFutile(access string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return access != "" && access == ts.futile
}

// exchange posts the refresh token grant, under the store's lock, and keeps
// what it answers; or, with a file, takes the access token another process
// stored there, unless that is stale too. A new refresh token is kept as
// soon as it is read, before the rest of the answer is checked.
func (ts *tokenSource) exchange(ctx context.Context, stale string) (string, error) {
	c := ts.client
	var (
		got     storedTokens
		rotated bool
	)
	notSaved, err := ts.store.update(ctx, func(t *storedTokens) error {
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
		newRefresh, reason := readNewRefreshToken(body, c.secrets)
		if reason == "" && newRefresh != "" && newRefresh != t.Refresh {
			t.Refresh, rotated = newRefresh, true
		}
		var (
			access   string
			lifetime time.Duration
		)
		if reason == "" {
			access, lifetime, reason = readAccessToken(body)
		}
		if reason != "" {
			return &TokenError{Kind: TokenAnswerInvalid, URL: ts.endpoint, RefreshTokenSource: ts.source, StatusCode: http.StatusOK, Messages: []string{reason}}
		}
		c.secrets.Add(access)
		now := ts.now()
		t.Access, t.ExpiresAt, t.RenewAt = access, now.Add(lifetime), now.Add(lifetime-min(TokenExpiryMargin, lifetime/4))
		c.log.Info(ctx, "Obtained a Flosum access token", map[string]any{"expires_in_seconds": lifetime.Seconds()})
		got = *t
		return nil
	})
	switch {
	case rotated && notSaved != nil:
		// fileStore logged it.
	case rotated && ts.store.persistent():
		c.log.Info(ctx, "Flosum returned a new refresh token; saved it in the refresh token file", nil)
	case rotated:
		c.log.Warn(ctx, "Flosum returned a new refresh token; this client uses it from now on, but cannot save it", nil)
	}
	ts.mu.Lock()
	ts.replaced = ts.replaced || (rotated && !ts.store.persistent())
	if notSaved != nil && ts.notSaved == nil {
		ts.notSaved = &RefreshTokenFileError{Path: notSaved.Path, Err: c.redact(notSaved.Err)}
	}
	ts.mu.Unlock()
	if fileErr := (*RefreshTokenFileError)(nil); errors.As(err, &fileErr) {
		err = &TokenError{Kind: RefreshTokenFileFailed, URL: ts.endpoint, RefreshTokenSource: ts.source, Err: fileErr}
	}
	if err != nil {
		return "", c.redact(err)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.access, ts.renewAt, ts.expires = got.Access, got.RenewAt, got.ExpiresAt
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

// readNewRefreshToken reads the refresh_token of a TokenResponseDto, on
// its own, so that a new one is kept even when the rest of the answer is
// unusable: "" for null (the one sent stays valid). A refresh token that is
// not a single word (CheckRefreshToken) is unusable, and not kept. secrets
// learns it either way. reason says what is wrong, without quoting it.
func readNewRefreshToken(body []byte, secrets *redactor) (refresh, reason string) {
	var answer struct {
		RefreshToken json.RawMessage `json:"refresh_token"` // "null" for null, empty when missing
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", "the answer is not a TokenResponseDto: " + describeJSONError(err)
	}
	switch {
	case len(answer.RefreshToken) == 0:
		return "", "refresh_token is missing (it may be null, but must be there)"
	case string(answer.RefreshToken) == "null":
		return "", ""
	}
	if err := json.Unmarshal(answer.RefreshToken, &refresh); err != nil {
		return "", "refresh_token is neither a string nor null"
	}
	secrets.Add(refresh)
	secrets.Add(strings.TrimSpace(refresh))
	if _, err := CheckRefreshToken(refresh); err != nil {
		return "", fmt.Sprintf("refresh_token is not a single word of at most %d characters", MaxTokenLength)
	}
	return strings.TrimSpace(refresh), ""
}

// readAccessToken checks the rest of a TokenResponseDto: an access token,
// a token_type of Bearer (in any case, with whitespace around it ignored),
// and a positive expires_in. The document requires expires_in (a number of
// seconds) and gives no default, so an answer without it is unusable.
// reason says what is wrong, without quoting any token.
func readAccessToken(body []byte) (access string, lifetime time.Duration, reason string) {
	var answer struct {
		AccessToken *string         `json:"access_token"`
		TokenType   *string         `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"` // empty when missing
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", 0, "the answer is not a TokenResponseDto: " + describeJSONError(err)
	}
	var expiresIn float64
	switch {
	case answer.AccessToken == nil || strings.TrimSpace(*answer.AccessToken) == "":
		return "", 0, "access_token is missing or empty"
	case answer.TokenType == nil || !strings.EqualFold(strings.TrimSpace(*answer.TokenType), "bearer"):
		return "", 0, "token_type is missing or not Bearer"
	case len(answer.ExpiresIn) == 0 || string(answer.ExpiresIn) == "null":
		return "", 0, "expires_in is missing (the token endpoint's document requires it)"
	case json.Unmarshal(answer.ExpiresIn, &expiresIn) != nil:
		return "", 0, "expires_in is not a number of seconds"
	case expiresIn <= 0 || expiresIn > float64(365*24*time.Hour/time.Second):
		return "", 0, "expires_in is not a positive number of seconds of at most a year"
	}
	access, err := CheckAccessToken(*answer.AccessToken)
	if err != nil {
		return "", 0, fmt.Sprintf("access_token is not a single word of at most %d characters", MaxTokenLength)
	}
	return access, time.Duration(expiresIn * float64(time.Second)), ""
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

// RefreshTokenFileNotUpdated returns, once, why a new refresh token Flosum
// returned could not be written to the refresh token file (a
// *RefreshTokenFileError naming it, never holding a token); nil when there
// was none. The client keeps that token in memory and uses it for the rest
// of its life, but the token still in the file may no longer work.
func (c *Client) RefreshTokenFileNotUpdated() error {
	if c.tokens == nil {
		return nil
	}
	c.tokens.mu.Lock()
	defer c.tokens.mu.Unlock()
	if c.tokens.notSaved == nil || c.tokens.notSavedNoticed {
		return nil
	}
	c.tokens.notSavedNoticed = true
	return c.tokens.notSaved
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
