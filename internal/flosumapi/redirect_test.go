package flosumapi

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

const connectionPath = "/api/v1/connections/1"

// redirector answers every request with a redirect to location(r) and
// counts the requests it got.
type redirector struct {
	*httptest.Server
	hits atomic.Int32
}

func startRedirector(t *testing.T, useTLS bool, status int, location func(*http.Request) string) *redirector {
	t.Helper()
	rd := &redirector{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rd.hits.Add(1)
		http.Redirect(w, r, location(r), status)
	})
	if useTLS {
		rd.Server = httptest.NewTLSServer(handler)
	} else {
		rd.Server = httptest.NewServer(handler)
	}
	t.Cleanup(rd.Close)
	return rd
}

// to redirects to base with the request's path and query.
func to(base string) func(*http.Request) string {
	return func(r *http.Request) string { return base + r.URL.RequestURI() }
}

// assertSentOnce checks that rd got one request (a refused redirect is not
// retried) and target none.
func assertSentOnce(t *testing.T, rd *redirector, target *testserver.Server) {
	t.Helper()
	if n := target.RequestCount(); n != 0 {
		t.Errorf("the redirect's target got %d requests (%+v), want none", n, target.Requests())
	}
	if n := rd.hits.Load(); n != 1 {
		t.Errorf("the API got %d requests, want 1 (a refused redirect is not retried)", n)
	}
}

// redirectError returns err's *RedirectError, failing the test without one.
func redirectError(t *testing.T, err error) *RedirectError {
	t.Helper()
	text := mustErr(t, err)
	var redirectErr *RedirectError
	if !errors.As(err, &redirectErr) {
		t.Fatalf("error %q (%T) is not a *RedirectError", text, err)
	}
	if IsUnauthorized(err) {
		t.Errorf("a refused redirect reads as a rejected token: %q", text)
	}
	return redirectErr
}

// The API redirecting to another port of the same host is refused for every
// redirect status, before anything is sent there, and is not retried.
func TestRedirectToAnotherPortIsRefused(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			target := startServer(t, 10) // would answer, token and all
			rd := startRedirector(t, false, status, to(target.URL))
			client, _ := newClient(t, fastConfig(rd.URL))

			_, err := client.GetConnection(context.Background(), 1)
			redirectErr := redirectError(t, err)
			want := RedirectError{Kind: RedirectToOtherOrigin, From: rd.URL + connectionPath, To: target.URL + connectionPath, Origin: rd.URL, BaseURL: target.URL, setting: "base URL"}
			if *redirectErr != want {
				t.Errorf("got %+v, want %+v", *redirectErr, want)
			}
			assertContains(t, err.Error(), fmt.Sprintf(
				"%s redirected to %s, which is not the configured origin %s (scheme, host and port must match): the redirect was not followed, so no credentials were sent there. If that is the right API, set the base URL to %s",
				rd.URL+connectionPath, target.URL+connectionPath, rd.URL, target.URL))
			assertSentOnce(t, rd, target)
		})
	}
}

// Another host name for the same address and port is another origin too;
// Go's client would send it the request, without the Authorization header.
func TestRedirectToAnotherHostNameIsRefused(t *testing.T) {
	api := testserver.New(testserver.Options{Token: secretToken, Connections: testserver.Seed(3)})
	var redirected atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Host, "127.0.0.1:") {
			redirected.Add(1)
			http.Redirect(w, r, "http://localhost:"+strings.TrimPrefix(r.Host, "127.0.0.1:")+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	port := strings.TrimPrefix(srv.URL, "http://127.0.0.1:")
	client, _ := newClient(t, fastConfig(srv.URL))

	_, err := client.GetConnection(context.Background(), 1)
	redirectErr := redirectError(t, err)
	if redirectErr.Kind != RedirectToOtherOrigin || redirectErr.To != "http://localhost:"+port+connectionPath {
		t.Errorf("got %+v", *redirectErr)
	}
	if n := api.RequestCount(); n != 0 || redirected.Load() != 1 {
		t.Errorf("requests: %d redirected (want 1), %d to localhost (want 0)", redirected.Load(), n)
	}
}

// An https API that redirects to plain http is refused: nothing is sent in
// clear text.
func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			plain := startServer(t, 10)
			rd := startRedirector(t, true, status, to(plain.URL))
			cfg := fastConfig(rd.URL)
			cfg.CACertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rd.Certificate().Raw}))
			client, _ := newClient(t, cfg)

			_, err := client.GetConnection(context.Background(), 1)
			redirectErr := redirectError(t, err)
			if redirectErr.Kind != RedirectToHTTP || redirectErr.From != rd.URL+connectionPath || redirectErr.To != plain.URL+connectionPath {
				t.Errorf("got %+v", *redirectErr)
			}
			assertContains(t, err.Error(), rd.URL+connectionPath+" redirected to "+plain.URL+connectionPath+
				", which is plain http: the redirect was not followed, so nothing was sent unencrypted. Set the base URL to the API's final https:// address")
			assertSentOnce(t, rd, plain)
		})
	}
}

// Within the configured origin redirects are followed, with the token (it
// goes to the same origin), up to MaxRedirects.
func TestSameOriginRedirectIsFollowed(t *testing.T) {
	api := testserver.New(testserver.Options{Token: secretToken, Connections: testserver.Seed(3)})
	var moved atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, "/old"); ok {
			moved.Add(1)
			http.Redirect(w, r, rest, http.StatusPermanentRedirect)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	client, log := newClient(t, fastConfig(srv.URL+"/old"))

	got, err := client.GetConnection(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := wantConnection(testserver.Seed(3)[0]); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
	reqs := api.Requests()
	if moved.Load() != 1 || len(reqs) != 1 || reqs[0].Path != connectionPath || reqs[0].Authorization != "Bearer "+secretToken {
		t.Errorf("%d redirects, API requests %+v; want 1 and one authorized GET %s", moved.Load(), reqs, connectionPath)
	}
	if n := len(log.find("DEBUG", "Sending Flosum API request")); n != 2 {
		t.Errorf("%d requests logged, want 2", n)
	}
}

func TestSameOriginRedirectLoopStops(t *testing.T) {
	rd := startRedirector(t, false, http.StatusFound, func(r *http.Request) string {
		if r.URL.Path == "/a"+connectionPath {
			return "/b" + connectionPath
		}
		return "/a" + connectionPath
	})
	client, _ := newClient(t, fastConfig(rd.URL+"/a"))

	_, err := client.GetConnection(context.Background(), 1)
	redirectErr := redirectError(t, err)
	if redirectErr.Kind != TooManyRedirects || redirectErr.To != rd.URL+"/a"+connectionPath {
		t.Errorf("got %+v", *redirectErr)
	}
	assertContains(t, err.Error(), fmt.Sprintf("%s redirected more than 3 times (the last time to %s): the client stopped following. Set the base URL to the API's final address", rd.URL, rd.URL+"/a"+connectionPath))
	if n := rd.hits.Load(); n != MaxRedirects+1 {
		t.Errorf("the API got %d requests, want %d (no retries)", n, MaxRedirects+1)
	}
}

// A token that a redirect's Location carries (in the query, or as a
// password) is hidden in the error.
func TestRedirectErrorHidesSecrets(t *testing.T) {
	target := startServer(t, 1)
	for name, location := range map[string]func(*http.Request) string{
		"query": func(r *http.Request) string { return target.URL + r.URL.Path + "?token=" + secretToken },
		"password": func(r *http.Request) string {
			return strings.Replace(target.URL, "//", "//user:"+secretToken+"@", 1) + r.URL.Path
		},
	} {
		t.Run(name, func(t *testing.T) {
			rd := startRedirector(t, false, http.StatusFound, location)
			client, _ := newClient(t, fastConfig(rd.URL))
			_, err := client.GetConnection(context.Background(), 1)
			redirectErr := redirectError(t, err)
			for _, field := range []string{redirectErr.To, redirectErr.BaseURL, redirectErr.Error()} {
				if strings.Contains(field, secretToken) {
					t.Errorf("the redirect error shows the token: %q", field)
				}
			}
			if target.RequestCount() != 0 {
				t.Errorf("the target got %d requests", target.RequestCount())
			}
		})
	}
}

func TestRedirectPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, from, to string
		// hops is how many requests the chain holds before this redirect.
		hops    int
		want    RedirectKind
		baseURL string
	}{
		{base: "https://x.example/flosum", from: "https://x.example/flosum/api", to: "https://x.example:443/flosum/v2/api"},
		{base: "https://x.example", from: "https://x.example/api", to: "https://X.EXAMPLE/api/"},
		{base: "http://127.0.0.1:8080", from: "http://127.0.0.1:8080/api", to: "http://127.0.0.1:8080/v2/api"},
		{base: "http://127.0.0.1", from: "http://127.0.0.1/api", to: "http://127.0.0.1:80/v2/api"},
		{base: "https://x.example", from: "https://x.example/api", to: "https://x.example/api", hops: MaxRedirects},
		{base: "https://x.example", from: "https://x.example/api", to: "https://x.example/api", hops: MaxRedirects + 1, want: TooManyRedirects, baseURL: "https://x.example"},
		{base: "https://x.example", from: "https://x.example/api", to: "https://x.example:8443/api", want: RedirectToOtherOrigin, baseURL: "https://x.example:8443"},
		{base: "https://x.example", from: "https://x.example/api", to: "https://api.x.example/api", want: RedirectToOtherOrigin, baseURL: "https://api.x.example"},
		{base: "https://x.example", from: "https://x.example/api", to: "https://x.example.evil/api", want: RedirectToOtherOrigin, baseURL: "https://x.example.evil"},
		{base: "https://x.example/flosum", from: "https://x.example/flosum/api", to: "https://y.example/new/api", want: RedirectToOtherOrigin, baseURL: "https://y.example/new"},
		{base: "https://x.example/flosum", from: "https://x.example/flosum/api", to: "https://y.example/other", want: RedirectToOtherOrigin, baseURL: "https://y.example"},
		{base: "https://x.example", from: "https://x.example/api", to: "http://x.example/api", want: RedirectToHTTP, baseURL: "http://x.example"},
		{base: "https://x.example", from: "https://x.example/api", to: "http://x.example:443/api", want: RedirectToHTTP, baseURL: "http://x.example:443"},
		{base: "http://127.0.0.1:8080", from: "http://127.0.0.1:8080/api", to: "https://127.0.0.1:8080/api", want: RedirectToOtherOrigin, baseURL: "https://127.0.0.1:8080"},
		{base: "http://127.0.0.1:8080", from: "http://127.0.0.1:8080/api", to: "http://localhost:8080/api", want: RedirectToOtherOrigin, baseURL: "http://localhost:8080"},
		{base: "http://127.0.0.1", from: "http://127.0.0.1/api", to: "http://127.0.0.1:8080/api", want: RedirectToOtherOrigin, baseURL: "http://127.0.0.1:8080"},
	}
	for _, c := range cases {
		policy, err := newRedirectPolicy(c.base, "base URL", newRedactor(secretToken))
		if err != nil {
			t.Fatal(err)
		}
		via := make([]*http.Request, max(c.hops, 1))
		for i := range via {
			via[i] = &http.Request{URL: mustParse(t, c.from)}
		}
		err = policy.checkRedirect(&http.Request{URL: mustParse(t, c.to)}, via)
		var redirectErr *RedirectError
		switch {
		case c.want == 0 && err != nil:
			t.Errorf("%s → %s: unexpected error %v", c.from, c.to, err)
		case c.want == 0:
		case !errors.As(err, &redirectErr):
			t.Errorf("%s → %s: got %v, want a *RedirectError", c.from, c.to, err)
		case redirectErr.Kind != c.want || redirectErr.BaseURL != c.baseURL || redirectErr.From != c.from || redirectErr.To != c.to:
			t.Errorf("%s → %s: got %+v, want kind %d and base URL %s", c.from, c.to, *redirectErr, c.want, c.baseURL)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
