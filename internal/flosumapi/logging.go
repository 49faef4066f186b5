package flosumapi

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Logger receives the client's messages. The provider adapts it to tflog;
// fields never hold the access token.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Info(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type discardLogger struct{}

func (discardLogger) Debug(context.Context, string, map[string]any) {}
func (discardLogger) Info(context.Context, string, map[string]any)  {}
func (discardLogger) Warn(context.Context, string, map[string]any)  {}

// loggingTransport logs each HTTP attempt at debug level, with the
// Authorization header redacted.
type loggingTransport struct {
	next http.RoundTripper
	log  Logger
	// secrets are also hidden wherever else they show, such as a response
	// header that quotes the request's.
	secrets *redactor
}

func (t *loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	t.log.Debug(ctx, "Sending Flosum API request", map[string]any{
		"method":  req.Method,
		"url":     t.secrets.hide(req.URL.Redacted()),
		"headers": t.redactHeaders(req.Header),
	})
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	fields := map[string]any{"method": req.Method, "url": t.secrets.hide(req.URL.Redacted()), "duration_ms": time.Since(start).Milliseconds()}
	if err != nil {
		fields["error"] = t.secrets.hide(err.Error())
		t.log.Debug(ctx, "Flosum API request failed", fields)
		return nil, err
	}
	fields["status"] = resp.StatusCode
	fields["headers"] = t.redactHeaders(resp.Header)
	t.log.Debug(ctx, "Received Flosum API response", fields)
	return resp, nil
}

// CloseIdleConnections passes the call on, so that http.Client's
// CloseIdleConnections reaches the real transport.
func (t *loggingTransport) CloseIdleConnections() {
	if closer, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		closer.CloseIdleConnections()
	}
}

var secretHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true}

func (t *loggingTransport) redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		if secretHeaders[http.CanonicalHeaderKey(name)] {
			out[name] = redacted
			continue
		}
		out[name] = t.secrets.hide(strings.Join(values, ", "))
	}
	return out
}

// redactingLogger hides every secret the client knows, including tokens
// obtained after the logger was made, in messages and string fields.
type redactingLogger struct {
	next    Logger
	secrets *redactor
}

func (l redactingLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	l.next.Debug(ctx, l.secrets.hide(msg), l.hideFields(fields))
}

func (l redactingLogger) Info(ctx context.Context, msg string, fields map[string]any) {
	l.next.Info(ctx, l.secrets.hide(msg), l.hideFields(fields))
}

func (l redactingLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	l.next.Warn(ctx, l.secrets.hide(msg), l.hideFields(fields))
}

func (l redactingLogger) hideFields(fields map[string]any) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			out[k] = l.secrets.hide(v)
		case map[string]string:
			hidden := make(map[string]string, len(v))
			for name, value := range v {
				hidden[name] = l.secrets.hide(value)
			}
			out[k] = hidden
		default:
			out[k] = v
		}
	}
	return out
}
