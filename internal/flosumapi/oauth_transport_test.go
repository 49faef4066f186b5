package flosumapi

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// TestOAuthTokenEndpointSharesTransport shows that the token endpoint gets
// the Backup API's CA and proxy settings: both APIs are served over TLS
// behind a CONNECT proxy, on one origin, as example.com.
func TestOAuthTokenEndpointSharesTransport(t *testing.T) {
	api := testserver.New(testserver.Options{Token: "static-token-not-used-by-oauth-clients", Connections: testserver.Seed(5)})
	ts := httptest.NewUnstartedServer(api)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	ts.StartTLS()
	t.Cleanup(ts.Close)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
	proxy := startConnectProxy(t, ts.Listener.Addr().String())
	for _, name := range []string{"HTTPS_PROXY", "https_proxy"} {
		t.Setenv(name, "http://"+proxy.ln.Addr().String())
	}
	for _, name := range []string{"HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"} {
		t.Setenv(name, "")
	}
	config := func(caCertPEM string) Config {
		cfg := fastConfig("https://example.com")
		cfg.AccessToken = ""
		cfg.CACertPEM = caCertPEM
		cfg.MaxRetries = 0
		cfg.RequestTimeout = 3 * time.Second
		app := api.OAuthConfig()
		cfg.OAuth = &OAuthConfig{
			GlobalSettingsURL: "https://example.com", ClientID: app.ClientID, ClientSecret: app.ClientSecret,
			RedirectURI: app.RedirectURI, RefreshToken: app.RefreshToken,
		}
		return cfg
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		client, _ := newClient(t, config(""))
		_, err := client.GetConnection(context.Background(), 3)
		assertContains(t, mustErr(t, err), "certificate")
		if n := len(api.TokenExchanges()); n != 0 {
			t.Errorf("%d token exchanges reached the server over an untrusted connection", n)
		}
		if n := api.RequestCount(); n != 0 {
			t.Errorf("the server handled %d requests over an untrusted connection", n)
		}
	})
	t.Run("CACertPEM and HTTPS_PROXY", func(t *testing.T) {
		before := len(proxy.seen())
		client, _ := newClient(t, config(certPEM))
		got, err := client.GetConnection(context.Background(), 3)
		if err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if got.ID != 3 {
			t.Errorf("got id %d", got.ID)
		}
		if n := len(api.TokenExchanges()); n != 1 {
			t.Errorf("got %d token exchanges, want 1", n)
		}
		seen := proxy.seen()[before:]
		if len(seen) == 0 {
			t.Fatal("the proxy saw no CONNECT")
		}
		for _, s := range seen {
			if s != "CONNECT example.com:443" {
				t.Errorf("the proxy saw %q, want only CONNECT example.com:443", seen)
			}
		}
		var paths []string
		for _, r := range api.Requests() {
			paths = append(paths, r.Path)
		}
		if len(paths) != 2 || paths[0] != TokenPath || paths[1] != "/api/v1/connections/3" {
			t.Errorf("the server saw %q, want the token call then the read, both through the proxy", paths)
		}
	})
}
