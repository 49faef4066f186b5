package testserver

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Start runs a new server on a loopback port for the duration of the test.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := New(opts)
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ConnState = s.trackConn
	ts.Start()
	tb.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// Listen runs the server on addr until the returned server is shut down.
func Listen(addr string, opts Options) (*Server, *http.Server, error) {
	s := New(opts)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: s, ConnState: s.trackConn, ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	return s, srv, nil
}

func (s *Server) trackConn(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.connOpened()
	}
}
