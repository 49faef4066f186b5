package testserver

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// This file serves the Global Settings API's two OAuth operations
// (global-settings-api-openapi.json): GET /api/v1/oauth/authorize and
// POST /api/v1/oauth/token.

// Credentials of the connected app the server knows unless told otherwise.
const (
	DefaultClientID            = "fci_testserver_client"
	DefaultClientSecret        = "flosum-test-client-secret"
	DefaultRedirectURI         = "http://127.0.0.1/oauth/callback"
	DefaultRefreshToken        = "flosum-test-refresh-token"
	DefaultAccessTokenLifetime = time.Hour
)

// Messages of the token endpoint's 400 answers when the request is well
// formed but not accepted. The vendor documents no text for these cases.
const (
	MessageInvalidClient       = "Invalid client credentials"
	MessageInvalidRedirectURI  = "Invalid redirect_uri"
	MessageInvalidRefreshToken = "Invalid refresh token"
	MessageInvalidCode         = "Invalid authorization code"
)

// Grant types of the token endpoint (GrantType).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

const (
	oauthPrefix   = "/api/v1/oauth/"
	tokenPath     = oauthPrefix + "token"
	authorizePath = oauthPrefix + "authorize"
)

// OAuth configures the connected app and the tokens the OAuth endpoints
// hand out. Zero fields take the Default values.
type OAuth struct {
	ClientID     string
	ClientSecret string
	// RedirectURI is the only redirect URI registered; every grant and the
	// authorize call must send it exactly.
	RedirectURI string
	// RefreshToken is the refresh token valid from the start.
	RefreshToken string
	// RotateRefreshTokens makes every refresh_token grant answer a new
	// refresh token and invalidate the one sent. Without it the answer
	// carries the refresh token sent, which stays valid.
	RotateRefreshTokens bool
	// NullRefreshToken makes refresh_token grants (without rotation) answer
	// "refresh_token": null, which the document allows.
	NullRefreshToken bool
	// AccessTokenLifetime is how long issued access tokens work (expires_in
	// is its whole seconds); the Backup API answers 401 for them after that,
	// measured by Options.Now.
	AccessTokenLifetime time.Duration
}

// TokenExchange is what the server recorded of one token request that
// reached the token endpoint (faulted requests are in Requests only).
type TokenExchange struct {
	GrantType string
	ClientID  string
	// RefreshToken and Code are what the request sent.
	RefreshToken string
	Code         string
	// ReplacedRefreshToken is true when RefreshToken had already been
	// replaced by rotation (and was therefore rejected).
	ReplacedRefreshToken bool
	// Status is the answer's status; AccessToken and IssuedRefreshToken
	// what a 200 handed out ("" for a null refresh token).
	Status             int
	AccessToken        string
	IssuedRefreshToken string
}

type tokenResponse struct {
	AccessToken  string  `json:"access_token"`
	TokenType    string  `json:"token_type"`
	RefreshToken *string `json:"refresh_token"`
	ExpiresIn    int64   `json:"expires_in"`
}

type authorizeResponse struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// oauthState is the token store; guarded by Server.mu.
type oauthState struct {
	cfg OAuth
	// refresh maps each refresh token ever issued to whether rotation has
	// replaced it.
	refresh map[string]bool
	// latestRefresh is the refresh token issued last.
	latestRefresh string
	access        map[string]time.Time
	codes         map[string]bool
	exchanges     []TokenExchange
}

func newOAuthState(cfg OAuth) *oauthState {
	cfg.ClientID = cmp.Or(cfg.ClientID, DefaultClientID)
	cfg.ClientSecret = cmp.Or(cfg.ClientSecret, DefaultClientSecret)
	cfg.RedirectURI = cmp.Or(cfg.RedirectURI, DefaultRedirectURI)
	cfg.RefreshToken = cmp.Or(cfg.RefreshToken, DefaultRefreshToken)
	if cfg.AccessTokenLifetime <= 0 {
		cfg.AccessTokenLifetime = DefaultAccessTokenLifetime
	}
	return &oauthState{
		cfg:           cfg,
		refresh:       map[string]bool{cfg.RefreshToken: false},
		latestRefresh: cfg.RefreshToken,
		access:        map[string]time.Time{},
		codes:         map[string]bool{},
	}
}

// OAuthConfig returns the connected app and token settings in effect, with
// defaults filled in.
func (s *Server) OAuthConfig() OAuth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.cfg
}

// TokenExchanges returns every token request the token endpoint answered.
func (s *Server) TokenExchanges() []TokenExchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.oauth.exchanges)
}

// LatestRefreshToken returns the refresh token issued last: with rotation,
// the only one of its chain still valid.
func (s *Server) LatestRefreshToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oauth.latestRefresh
}

// ExpireAccessTokens makes every access token issued so far stop working.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.oauth.access)
}

// authorized reports whether r carries the static token or an unexpired
// issued access token.
func (s *Server) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	if token == s.token {
		return true
	}
	s.mu.Lock()
	expiry, ok := s.oauth.access[token]
	s.mu.Unlock()
	return ok && s.now().Before(expiry)
}

// origin says which API a listener serves.
type origin int

const (
	bothAPIs origin = iota
	backupAPIOnly
	globalSettingsOnly
)

type originKey struct{}

// handlerFor returns the server's handler limited to the API of o.
func (s *Server) handlerFor(o origin) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), originKey{}, o)))
	})
}

// serveGlobalSettings answers r when it is for the Global Settings API, or
// for the Backup API on a Global Settings origin; false leaves r to the
// Backup API.
func (s *Server) serveGlobalSettings(w http.ResponseWriter, r *http.Request) bool {
	o, _ := r.Context().Value(originKey{}).(origin)
	path := r.URL.EscapedPath()
	switch {
	case !strings.HasPrefix(path, oauthPrefix):
		if o != globalSettingsOnly {
			return false
		}
		cannot(w, r)
	case o == backupAPIOnly:
		return false
	case path == tokenPath && r.Method == http.MethodPost:
		s.serveToken(w, r)
	case path == authorizePath && r.Method == http.MethodGet:
		s.serveAuthorize(w, r)
	default:
		cannot(w, r)
	}
	return true
}

// serveAuthorize answers the authorize step of the authorization-code flow
// at once, with no sign-in page: a 302 to redirect_uri with a new code and
// the state sent, and the document's AuthorizeResponseDto as body.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var messages []string
	requiredString(q, "client_id", &messages)
	if q.Get("response_type") != "code" {
		messages = append(messages, "response_type must be one of the following values: code")
	}
	requiredString(q, "redirect_uri", &messages)
	s.mu.Lock()
	cfg := s.oauth.cfg
	s.mu.Unlock()
	switch {
	case len(messages) > 0:
	case q.Get("client_id") != cfg.ClientID:
		messages = []string{MessageInvalidClient}
	case q.Get("redirect_uri") != cfg.RedirectURI:
		messages = []string{MessageInvalidRedirectURI}
	}
	if len(messages) > 0 {
		writeBadRequest(w, messages)
		return
	}
	code := "code_" + rand.Text()
	s.mu.Lock()
	s.oauth.codes[code] = true
	s.mu.Unlock()
	target, err := url.Parse(cfg.RedirectURI)
	if err != nil {
		writeBadRequest(w, []string{MessageInvalidRedirectURI})
		return
	}
	params := target.Query()
	params.Set("code", code)
	if q.Has("state") {
		params.Set("state", q.Get("state"))
	}
	target.RawQuery = params.Encode()
	w.Header().Set("Location", target.String())
	writeJSON(w, http.StatusFound, authorizeResponse{URL: target.String(), Status: http.StatusFound})
}

// serveToken answers the token endpoint. Only a form body is read: any
// other body (JSON included) reads as empty, so it gets the messages of
// every missing field, as the vendor's validation pipe would.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	form := url.Values{}
	if mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mediaType == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			writeBadRequest(w, []string{"request body is not a valid form"})
			return
		}
		form = r.PostForm
	}
	exchange := TokenExchange{
		GrantType: form.Get("grant_type"), ClientID: form.Get("client_id"),
		RefreshToken: form.Get("refresh_token"), Code: form.Get("code"), Status: http.StatusBadRequest,
	}
	var messages []string
	grant := form.Get("grant_type")
	if grant != GrantAuthorizationCode && grant != GrantRefreshToken {
		messages = append(messages, "grant_type must be one of the following values: authorization_code, refresh_token")
	}
	switch grant {
	case GrantAuthorizationCode:
		requiredString(form, "code", &messages)
	case GrantRefreshToken:
		requiredString(form, "refresh_token", &messages)
	}
	for _, name := range []string{"redirect_uri", "client_id", "client_secret"} {
		requiredString(form, name, &messages)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(messages) == 0 {
		messages = s.oauth.grant(form, &exchange, s.now())
	}
	s.oauth.exchanges = append(s.oauth.exchanges, exchange)
	if len(messages) > 0 {
		writeBadRequest(w, messages)
		return
	}
	body := tokenResponse{
		AccessToken: exchange.AccessToken, TokenType: "Bearer",
		ExpiresIn: int64(s.oauth.cfg.AccessTokenLifetime / time.Second),
	}
	if exchange.IssuedRefreshToken != "" {
		body.RefreshToken = &exchange.IssuedRefreshToken
	}
	writeJSON(w, http.StatusOK, body)
}

// grant checks a well-formed token request and, when it is accepted, issues
// tokens into exchange; it returns the messages of a rejection. s.mu is held.
func (o *oauthState) grant(form url.Values, exchange *TokenExchange, now time.Time) []string {
	switch {
	case form.Get("client_id") != o.cfg.ClientID || form.Get("client_secret") != o.cfg.ClientSecret:
		return []string{MessageInvalidClient}
	case form.Get("redirect_uri") != o.cfg.RedirectURI:
		return []string{MessageInvalidRedirectURI}
	}
	if exchange.GrantType == GrantAuthorizationCode {
		if !o.codes[exchange.Code] {
			return []string{MessageInvalidCode}
		}
		delete(o.codes, exchange.Code)
		exchange.IssuedRefreshToken = o.newRefreshToken()
	} else {
		replaced, known := o.refresh[exchange.RefreshToken]
		exchange.ReplacedRefreshToken = replaced
		if !known || replaced {
			return []string{MessageInvalidRefreshToken}
		}
		switch {
		case o.cfg.RotateRefreshTokens:
			o.refresh[exchange.RefreshToken] = true
			exchange.IssuedRefreshToken = o.newRefreshToken()
		case !o.cfg.NullRefreshToken:
			exchange.IssuedRefreshToken = exchange.RefreshToken
		}
	}
	exchange.AccessToken = "fat_" + rand.Text()
	o.access[exchange.AccessToken] = now.Add(o.cfg.AccessTokenLifetime)
	exchange.Status = http.StatusOK
	return nil
}

func (o *oauthState) newRefreshToken() string {
	token := fmt.Sprintf("frt_%d_%s", len(o.refresh), rand.Text())
	o.refresh[token] = false
	o.latestRefresh = token
	return token
}

// requiredString adds class-validator's messages for a missing or empty
// string field.
func requiredString(values url.Values, name string, messages *[]string) {
	switch {
	case !values.Has(name):
		*messages = append(*messages, name+" should not be empty", name+" must be a string")
	case values.Get(name) == "":
		*messages = append(*messages, name+" should not be empty")
	}
}
