package flosumapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func TestCheckAccessToken(t *testing.T) {
	t.Parallel()
	trimmed := map[string]string{
		"abc.DEF-123":                 "abc.DEF-123",
		"abc.DEF-123\n":               "abc.DEF-123",
		" \tabc.DEF-123\r\n":          "abc.DEF-123",
		"\u00a0abc.DEF-123\u2003":     "abc.DEF-123",
		"abc/DEF+é=":                  "abc/DEF+é=",
		"\n\nabc.DEF-123\n\n\n\n\n\n": "abc.DEF-123",
	}
	for raw, want := range trimmed {
		got, err := CheckAccessToken(raw)
		if err != nil || got != want {
			t.Errorf("CheckAccessToken(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	refused := map[string]string{
		"":                    "an access token is required",
		" \n\t":               "the access token is only whitespace; an access token is required",
		"abc DEF-123":         "the access token has whitespace inside it (character 4 of 11): a token is a single word, so it was probably copied with a space or line break; copy it again",
		"abc.DEF\n123":        "the access token has whitespace inside it (character 8 of 11)",
		"abc.DEF-12\u00a03":   "the access token has whitespace inside it (character 11 of 12)",
		"é abc":               "the access token has whitespace inside it (character 2 of 5)",
		"abc.DEF\x00123":      "the access token has a control character inside it (character 8 of 11); copy it again",
		"abc.DEF\x7f123":      "the access token has a control character inside it (character 8 of 11)",
		"abc.DEF\xff123":      "the access token has a byte that is not UTF-8 text; copy it again",
		"\tabc.DEF\u200b123 ": "", // a zero-width space is not whitespace to Unicode: accepted
	}
	for raw, want := range refused {
		got, err := CheckAccessToken(raw)
		if want == "" {
			if err != nil {
				t.Errorf("CheckAccessToken(%q): %v", raw, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("CheckAccessToken(%q) = %q, want an error", raw, got)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("CheckAccessToken(%q) error %q does not contain %q", raw, err, want)
		}
		if strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "DEF") {
			t.Errorf("CheckAccessToken(%q) error quotes the token: %q", raw, err)
		}
	}
}

// New trims the token, so a server that checks it (and echoes the trimmed
// form) sees it whole; whitespace inside is refused before any request.
func TestNewTrimsAccessToken(t *testing.T) {
	srv := startServer(t, 3)
	cfg := fastConfig(srv.URL)
	cfg.AccessToken = "\n " + secretToken + "\n"
	client, _ := newClient(t, cfg)
	if _, err := client.GetConnection(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Authorization != "Bearer "+secretToken {
		t.Errorf("requests = %+v, want one with the trimmed token", reqs)
	}

	cfg.AccessToken = "tok-SECRET 123"
	c, err := New(cfg)
	if c != nil || err == nil || !strings.Contains(err.Error(), "the access token has whitespace inside it (character 11 of 14)") {
		t.Errorf("New = %v, %v; want the whitespace error", c, err)
	}
	if srv.RequestCount() != 1 {
		t.Errorf("a refused token sent a request")
	}
}

// specialToken has characters that JSON, percent-encoding and base64 each
// write differently.
const specialToken = `tok/SECRET+=<&>"é~123`

// tokenForms lists, independently of the code under test, forms in which
// a server could echo specialToken.
func tokenForms(t *testing.T) map[string]string {
	t.Helper()
	jsonForm, err := json.Marshal(specialToken)
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{
		"plain":             specialToken,
		"JSON":              strings.Trim(string(jsonForm), `"`), // tok/SECRET+=\u003c\u0026\u003e\"é~123
		"JSON without HTML": `tok/SECRET+=<&>\"é~123`,
		`JSON with \/`:      `tok\/SECRET+=\u003c\u0026\u003e\"é~123`,
		"query escape":      url.QueryEscape(specialToken),
		"path escape":       url.PathEscape(specialToken),
		"lower-case hex":    lowerHex(url.QueryEscape(specialToken)),
		"base64":            base64.StdEncoding.EncodeToString([]byte(specialToken)),
		"base64 URL":        base64.URLEncoding.EncodeToString([]byte(specialToken)),
		"base64 raw":        base64.RawStdEncoding.EncodeToString([]byte(specialToken)),
		"base64 raw URL":    base64.RawURLEncoding.EncodeToString([]byte(specialToken)),
	}
	if forms["lower-case hex"] == forms["query escape"] || forms["JSON"] == specialToken || forms["base64"] == forms["base64 URL"] {
		t.Fatalf("the forms are not distinct: %q", forms)
	}
	return forms
}

// lowerHex writes the two hex digits after each '%' in lower case.
func lowerHex(escaped string) string {
	b := []byte(escaped)
	for i := range b {
		if i >= 1 && b[i-1] == '%' || i >= 2 && b[i-2] == '%' {
			b[i] = strings.ToLower(string(b[i]))[0]
		}
	}
	return string(b)
}

func assertNoTokenForm(t *testing.T, where, text string, forms map[string]string) {
	t.Helper()
	for name, form := range forms {
		if strings.Contains(text, form) {
			t.Errorf("%s holds the token's %s form %q: %s", where, name, form, text)
		}
	}
}

func TestRedactorHidesEveryForm(t *testing.T) {
	t.Parallel()
	r := newRedactor(specialToken)
	forms := tokenForms(t)
	for name, form := range forms {
		got := r.hide("token: " + form + ".")
		if got != "token: [REDACTED]." {
			t.Errorf("%s form %q: hidden as %q", name, form, got)
		}
	}
}

// A secret inside a longer base64 value, such as a Basic credential, is
// hidden at each of the three byte alignments, leaving visible only the
// characters that also encode its neighbours.
func TestRedactorHidesSecretInsideBase64(t *testing.T) {
	t.Parallel()
	r := newRedactor(specialToken)
	for _, prefix := range []string{"", "u", "u:", "us:"} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			encoded := enc.EncodeToString([]byte(prefix + specialToken + "!"))
			got := r.hide("Basic " + encoded)
			before, after, ok := strings.Cut(strings.TrimPrefix(got, "Basic "), redacted)
			if !ok || len(before) > 4 || len(after) > 4 || !strings.HasPrefix(encoded, before) || !strings.HasSuffix(encoded, after) {
				t.Errorf("prefix %q: %q hidden as %q", prefix, encoded, got)
			}
		}
	}
}

// Invalid UTF-8 is dropped before redacting, so that dropping it can
// never join a secret back together.
func TestRedactorSanitisesFirst(t *testing.T) {
	t.Parallel()
	r := newRedactor(secretToken)
	got := r.hide("echo tok-SEC\xffRET-123, tok-SECRET\uFFFD-123 and \xfe")
	if got != "echo [REDACTED], [REDACTED] and " {
		t.Errorf("hidden as %q", got)
	}
	if text := strings.ToValidUTF8(got, ""); text != got {
		t.Errorf("hide returned invalid UTF-8 %q", got)
	}
}

// A secret that is not valid UTF-8 (a client secret read from a file, say)
// is still hidden once hide has sanitised the text.
func TestRedactorHidesInvalidUTF8Secret(t *testing.T) {
	t.Parallel()
	r := newRedactor("client-\xffsecret-42")
	for _, text := range []string{"x client-\xffsecret-42 y", "x client-secret-42 y", "x " + base64.StdEncoding.EncodeToString([]byte("client-\xffsecret-42")) + " y"} {
		if got := r.hide(text); got != "x [REDACTED] y" {
			t.Errorf("%q hidden as %q", text, got)
		}
	}
}

// Secrets can be added while other goroutines hide text.
func TestRedactorConcurrentAdd(t *testing.T) {
	t.Parallel()
	r := newRedactor()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(2)
		go func() { defer wg.Done(); r.Add(fmt.Sprintf("secret-number-%02d", i)) }()
		go func() { defer wg.Done(); _ = r.hide("secret-number-00 secret-number-19") }()
	}
	wg.Wait()
	for i := range 20 {
		if got := r.hide(fmt.Sprintf("a secret-number-%02d b", i)); got != "a [REDACTED] b" {
			t.Errorf("secret %d hidden as %q", i, got)
		}
	}
	if got := fmt.Sprintf("%v %+v %#v %s", r, r, r, r); strings.Contains(got, "secret-number") {
		t.Errorf("a redactor prints its secrets: %s", got)
	}
}

// A server that echoes the token in any form, in an error's JSON, in an
// HTML page, or in a response header, gets no form of it into the
// client's errors or logs.
func TestEchoedTokenFormsHidden(t *testing.T) {
	forms := tokenForms(t)
	forms["invalid UTF-8 inside"] = "tok/SECRET+=<&>\"é~\xff123"
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			srv := testserver.Start(t, testserver.Options{Token: specialToken, Connections: testserver.Seed(3)})
			message, err := json.Marshal(map[string]any{"message": []string{"bad token " + form}, "statusCode": 400})
			if err != nil {
				t.Fatal(err)
			}
			srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/1", Status: 400, Body: string(message)})
			srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/2", Status: 502, ContentType: "text/html", Body: "<p>bad token " + form + "</p>"})
			srv.AddFault(testserver.Fault{PathPrefix: "/api/v1/connections/3", Status: 200, ContentType: "text/plain", Body: "bad token " + form})
			echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Echo", form)
				srv.ServeHTTP(w, r)
			}))
			t.Cleanup(echo.Close)
			cfg := fastConfig(echo.URL)
			cfg.AccessToken = specialToken
			client, log := newClient(t, cfg)

			for id := int64(1); id <= 3; id++ {
				_, err := client.GetConnection(context.Background(), id)
				if err == nil {
					t.Fatalf("GetConnection(%d): no error", id)
				}
				for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					assertNoTokenForm(t, fmt.Sprintf("the error of GetConnection(%d)", id), text, forms)
				}
				assertContains(t, err.Error(), "bad token [REDACTED]")
			}
			entries := log.Entries()
			if len(entries) == 0 {
				t.Fatal("nothing was logged")
			}
			for _, e := range entries {
				assertNoTokenForm(t, "the log", fmt.Sprintf("%s %v %#v", e.Msg, e.Fields, e.Fields), forms)
			}
		})
	}
}
