package flosumapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects is how many redirects within the configured origin one
// request follows.
const MaxRedirects = 3

// RedirectKind says why a redirect was not followed.
type RedirectKind int

const (
	// RedirectToOtherOrigin leads to another scheme, host or port than the
	// configured one, where credentials must not go.
	RedirectToOtherOrigin RedirectKind = iota + 1
	// RedirectToHTTP leads from https to plain http.
	RedirectToHTTP
	// TooManyRedirects is one more than MaxRedirects within the origin.
	TooManyRedirects
)

// RedirectError is a redirect the client refused before sending anything to
// its target. It is never retried.
type RedirectError struct {
	Kind RedirectKind
	// From is the URL that answered with the redirect; To is where it led.
	From, To string
	// Origin is the configured origin, the only one credentials go to.
	Origin string
	// BaseURL is To without the path the client asked for: the base URL to
	// configure if To is the right API.
	BaseURL string
	// setting names what configures Origin, such as "base URL".
	setting string
}

func (e *RedirectError) Error() string {
	switch e.Kind {
	case RedirectToHTTP:
		return fmt.Sprintf("%s redirected to %s, which is plain http: the redirect was not followed, so nothing was sent unencrypted. "+
			"Set the %s to the API's final https:// address", e.From, e.To, e.setting)
	case TooManyRedirects:
		return fmt.Sprintf("%s redirected more than %d times (the last time to %s): the client stopped following. Set the %s to the API's final address",
			e.Origin, MaxRedirects, e.To, e.setting)
	default:
		return fmt.Sprintf("%s redirected to %s, which is not the configured origin %s (scheme, host and port must match): "+
			"the redirect was not followed, so no credentials were sent there. If that is the right API, set the %s to %s",
			e.From, e.To, e.Origin, e.setting, e.BaseURL)
	}
}

// redirectPolicy keeps a client's requests, and so its credentials, within
// the origin of one base URL (the API's, or the token endpoint's).
type redirectPolicy struct {
	base *url.URL
	// setting names what configures base, for the error's advice.
	setting string
	secrets *redactor
}

// newRedirectPolicy returns the policy for baseURL, a URL that CheckBaseURL
// accepted. URLs in its errors have secrets hidden by secrets.
func newRedirectPolicy(baseURL, setting string, secrets *redactor) (*redirectPolicy, error) {
	base, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", setting, secrets.hide(baseURL), err)
	}
	return &redirectPolicy{base: base, setting: setting, secrets: secrets}, nil
}

// checkRedirect is an http.Client's CheckRedirect: it follows up to
// MaxRedirects redirects within the origin and refuses any other. Go's
// client would keep the Authorization header for another port of the same
// host, or a subdomain, so the origin is compared here.
func (p *redirectPolicy) checkRedirect(req *http.Request, via []*http.Request) error {
	from := via[len(via)-1].URL
	var kind RedirectKind
	switch {
	case strings.EqualFold(from.Scheme, "https") && !strings.EqualFold(req.URL.Scheme, "https"):
		kind = RedirectToHTTP
	case !sameOrigin(p.base, req.URL):
		kind = RedirectToOtherOrigin
	case len(via) > MaxRedirects:
		kind = TooManyRedirects
	default:
		return nil
	}
	return &RedirectError{
		Kind:    kind,
		From:    p.show(from),
		To:      p.show(req.URL),
		Origin:  p.show(&url.URL{Scheme: p.base.Scheme, Host: p.base.Host}),
		BaseURL: p.show(p.suggestBase(via[0].URL, req.URL)),
		setting: p.setting,
	}
}

func (p *redirectPolicy) show(u *url.URL) string { return p.secrets.hide(u.Redacted()) }

// suggestBase returns target without the part of the path that asked
// added to the base URL; only target's origin when the paths differ there.
func (p *redirectPolicy) suggestBase(asked, target *url.URL) *url.URL {
	suggestion := &url.URL{Scheme: target.Scheme, Host: target.Host}
	apiPath := strings.TrimPrefix(asked.Path, strings.TrimSuffix(p.base.Path, "/"))
	if prefix, ok := strings.CutSuffix(target.Path, apiPath); ok && apiPath != "" {
		suggestion.Path = strings.TrimSuffix(prefix, "/")
	}
	return suggestion
}

// sameOrigin compares scheme, host and port, with the scheme's default port
// for one left out.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && portOf(a) == portOf(b)
}

func portOf(u *url.URL) string {
	if port := u.Port(); port != "" {
		return port
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}
