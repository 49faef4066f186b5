package flosumapi

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// startTLS runs the test API over TLS with httptest's certificate (valid for
// 127.0.0.1 and example.com) and returns the server, its API and the
// certificate as PEM.
func startTLS(t *testing.T, configure func(*tls.Config)) (*httptest.Server, *testserver.Server, string) {
	t.Helper()
	api := testserver.New(testserver.Options{Token: secretToken, Connections: testserver.Seed(10)})
	ts := httptest.NewUnstartedServer(api)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	if configure != nil {
		ts.TLS = &tls.Config{}
		configure(ts.TLS)
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))
	return ts, api, certPEM
}

func TestTLSNeedsTrustedCA(t *testing.T) {
	ts, api, certPEM := startTLS(t, nil)

	t.Run("untrusted", func(t *testing.T) {
		client, _ := newClient(t, fastConfig(ts.URL))
		_, err := client.GetConnection(context.Background(), 1)
		text := mustErr(t, err)
		t.Logf("untrusted: %s", text)
		// A certificate error is not retried.
		assertContains(t, text, "certificate", "GET /api/v1/connections/1", "giving up after 1 attempt(s)")
		if !IsCertificateError(err) {
			t.Errorf("IsCertificateError(%v) = false", err)
		}
		if api.RequestCount() != 0 {
			t.Errorf("the server handled %d requests over an untrusted connection", api.RequestCount())
		}
	})
	t.Run("trusted with CACertPEM", func(t *testing.T) {
		cfg := fastConfig(ts.URL)
		cfg.CACertPEM = certPEM
		client, _ := newClient(t, cfg)
		got, err := client.GetConnection(context.Background(), 1)
		if err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if *got != wantConnection(testserver.Seed(1)[0]) {
			t.Errorf("got %+v", got)
		}
		if api.RequestCount() != 1 {
			t.Errorf("got %d requests, want 1", api.RequestCount())
		}
	})
	t.Run("garbage CACertPEM", func(t *testing.T) {
		cfg := fastConfig(ts.URL)
		cfg.CACertPEM = "garbage"
		c, err := New(cfg)
		if c != nil {
			t.Error("New returned a client")
		}
		assertContains(t, mustErr(t, err), "the CA certificate PEM holds no certificate that could be parsed")
	})
}

func TestTLSMinimumVersion(t *testing.T) {
	for _, tt := range []struct {
		name    string
		max     uint16
		wantErr bool
	}{
		{name: "TLS 1.1", max: tls.VersionTLS11, wantErr: true},
		{name: "TLS 1.0", max: tls.VersionTLS10, wantErr: true},
		{name: "TLS 1.2", max: tls.VersionTLS12},
		{name: "TLS 1.3", max: tls.VersionTLS13},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts, api, certPEM := startTLS(t, func(c *tls.Config) {
				c.MinVersion = tls.VersionTLS10
				c.MaxVersion = tt.max
			})
			cfg := fastConfig(ts.URL)
			cfg.CACertPEM = certPEM
			cfg.MaxRetries = 0
			client, _ := newClient(t, cfg)
			_, err := client.GetConnection(context.Background(), 1)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("GetConnection over %s: %v", tt.name, err)
				}
				return
			}
			assertContains(t, mustErr(t, err), "tls: ", "protocol version")
			if api.RequestCount() != 0 {
				t.Errorf("the server handled %d requests", api.RequestCount())
			}
		})
	}
}

// connectProxy is a minimal HTTPS proxy: it answers CONNECT by tunnelling to
// target, whatever host was asked for, and records what was asked.
type connectProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu       sync.Mutex
	connects []string
	conns    []net.Conn
}

func startConnectProxy(t *testing.T, target string) *connectProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{ln: ln, target: target}
	p.wg.Go(p.serve)
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *connectProxy) track(c net.Conn) {
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
}

func (p *connectProxy) serve() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.track(conn)
		p.wg.Go(func() { p.handle(conn) })
	}
}

func (p *connectProxy) handle(client net.Conn) {
	defer client.Close()
	reader := bufio.NewReader(client)
	req, err := http.ReadRequest(reader)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.connects = append(p.connects, req.Method+" "+req.Host)
	p.mu.Unlock()
	if req.Method != http.MethodConnect {
		_, _ = io.WriteString(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	upstream, err := net.Dial("tcp", p.target)
	if err != nil {
		_, _ = io.WriteString(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.track(upstream)
	defer upstream.Close()
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(upstream, reader) // reader holds anything already buffered
		upstream.Close()
		close(done)
	}()
	_, _ = io.Copy(client, upstream)
	client.Close()
	<-done
}

func (p *connectProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.connects...)
}

func TestProxyFromEnvironment(t *testing.T) {
	ts, api, certPEM := startTLS(t, nil)
	proxy := startConnectProxy(t, ts.Listener.Addr().String())
	proxyURL := "http://" + proxy.ln.Addr().String()

	newProxiedClient := func(t *testing.T) *Client {
		cfg := fastConfig("https://example.com")
		cfg.CACertPEM = certPEM
		cfg.MaxRetries = 0
		cfg.RequestTimeout = 3 * time.Second
		client, _ := newClient(t, cfg)
		return client
	}
	setProxyEnv := func(t *testing.T, noProxy string) {
		for _, name := range []string{"HTTPS_PROXY", "https_proxy"} {
			t.Setenv(name, proxyURL)
		}
		for _, name := range []string{"HTTP_PROXY", "http_proxy"} {
			t.Setenv(name, "")
		}
		for _, name := range []string{"NO_PROXY", "no_proxy"} {
			t.Setenv(name, noProxy)
		}
	}

	t.Run("HTTPS_PROXY is used", func(t *testing.T) {
		setProxyEnv(t, "")
		client := newProxiedClient(t)
		got, err := client.GetConnection(context.Background(), 3)
		if err != nil {
			t.Fatalf("GetConnection through the proxy: %v", err)
		}
		if got.ID != 3 {
			t.Errorf("got id %d", got.ID)
		}
		if seen := proxy.seen(); len(seen) != 1 || seen[0] != "CONNECT example.com:443" {
			t.Errorf("the proxy saw %q, want one CONNECT example.com:443", seen)
		}
		if reqs := api.Requests(); len(reqs) != 1 || reqs[0].Path != "/api/v1/connections/3" || reqs[0].Authorization != "Bearer "+secretToken {
			t.Errorf("the API saw %+v", reqs)
		}
	})

	t.Run("NO_PROXY bypasses it", func(t *testing.T) {
		before := len(proxy.seen())
		setProxyEnv(t, "example.com")
		client := newProxiedClient(t)
		_, err := client.GetConnection(context.Background(), 3)
		t.Logf("direct connection: %v", mustErr(t, err)) // example.com is not reachable directly from the test
		if after := len(proxy.seen()); after != before {
			t.Errorf("the proxy was used despite NO_PROXY: %q", proxy.seen()[before:])
		}
	})

	t.Run("environment is read at New", func(t *testing.T) {
		setProxyEnv(t, "")
		client := newProxiedClient(t)
		before := len(proxy.seen())
		// Changing the environment after New does not change the client.
		t.Setenv("NO_PROXY", "example.com")
		t.Setenv("no_proxy", "example.com")
		if _, err := client.GetConnection(context.Background(), 4); err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if after := len(proxy.seen()); after != before+1 {
			t.Errorf("proxy CONNECTs went from %d to %d, want one more", before, after)
		}
	})

	t.Run("loopback hosts are never proxied", func(t *testing.T) {
		setProxyEnv(t, "")
		before := len(proxy.seen())
		cfg := fastConfig(ts.URL)
		cfg.CACertPEM = certPEM
		client, _ := newClient(t, cfg)
		if _, err := client.GetConnection(context.Background(), 5); err != nil {
			t.Fatalf("GetConnection: %v", err)
		}
		if after := len(proxy.seen()); after != before {
			t.Errorf("a loopback request went through the proxy")
		}
	})
}
