package testserver

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Start runs a new server on a loopback port for the duration of the test:
// the Backup API at URL and the Global Settings API at GlobalSettingsURL, a
// second loopback port (each answers 404 for the other's paths), or the
// same one with Options.SameOrigin. ConnectionsOpened counts the Backup API
// listener only.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	handler := s.handlerFor(backupAPIOnly)
	if opts.SameOrigin {
		handler = s
	}
	ts := httptest.NewUnstartedServer(handler)
	ts.Config.ConnState = s.trackConn
	ts.Start()
	tb.Cleanup(ts.Close)
	s.URL, s.GlobalSettingsURL = ts.URL, ts.URL
	if !opts.SameOrigin {
		global := httptest.NewServer(s.handlerFor(globalSettingsOnly))
		tb.Cleanup(global.Close)
		s.GlobalSettingsURL = global.URL
	}
	return s
}

// Listen runs the server on addr until the returned server is shut down,
// with both APIs on the one origin (GlobalSettingsURL == URL).
func Listen(addr string, opts Options) (*Server, *http.Server, error) {
	s := New(opts)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: s, ConnState: s.trackConn, ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	s.GlobalSettingsURL = s.URL
	go func() { _ = srv.Serve(ln) }()
	return s, srv, nil
}

func (s *Server) trackConn(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.connOpened()
	}
}
