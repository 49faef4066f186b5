package flosumapi

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// APIError is an answer other than 200 OK, or a 200 that could not be used.
type APIError struct {
	Method string
	// Path is the request path, without host or query.
	Path       string
	StatusCode int
	// ErrorName is the API's "error" field, such as "Not Found"; may be empty.
	ErrorName string
	// Messages holds every "message" the API gave, whether it sent an array
	// or a string.
	Messages []string
	// Snippet is the start of a body that was not the API's JSON, such as a
	// proxy's HTML page.
	Snippet string
	// Attempts is how many times the request was sent (1 without retries).
	Attempts int
	// AfterRenewal is true for a 401 to an access token obtained just
	// before, with OAuth, after a first 401.
	AfterRenewal bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.ErrorName != "" && e.ErrorName != http.StatusText(e.StatusCode) {
		b.WriteString(" (" + e.ErrorName + ")")
	}
	if len(e.Messages) > 0 {
		b.WriteString(": " + strings.Join(e.Messages, "; "))
	}
	if e.Snippet != "" {
		b.WriteString(": body starts with " + fmt.Sprintf("%q", e.Snippet))
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsUnauthorized reports whether the API rejected the token (401).
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsForbidden reports whether the token lacks access (403).
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsBadRequest reports whether the API rejected the request's data (400).
func IsBadRequest(err error) bool { return hasStatus(err, http.StatusBadRequest) }

// IsConflict reports whether the API answered 409, such as for a scheduler
// that is not accessible.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsRateLimited reports whether the API kept answering 429 until the
// retries ran out.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsUnavailable reports whether the API (or a gateway before it) kept
// answering 502, 503 or 504 until the retries ran out.
func IsUnavailable(err error) bool {
	return hasStatus(err, http.StatusBadGateway) || hasStatus(err, http.StatusServiceUnavailable) || hasStatus(err, http.StatusGatewayTimeout)
}

// IsCertificateError reports whether the API's TLS certificate could not be
// verified, such as one from a private CA that is not trusted.
func IsCertificateError(err error) bool {
	var (
		verification *tls.CertificateVerificationError
		unknown      x509.UnknownAuthorityError
		hostname     x509.HostnameError
		invalid      x509.CertificateInvalidError
	)
	return errors.As(err, &verification) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

func hasStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}

// TransportError is a request that got no usable answer: the connection
// failed, timed out, or the body was cut off, after every retry.
type TransportError struct {
	Method, Path string
	// Attempts is how many times the request was sent.
	Attempts int
	Err      error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// BodyTooLargeError is an answer larger than the client reads (a full page
// of a list is ~300 KB). It is not retried: it would be as large again.
type BodyTooLargeError struct {
	Method, Path string
	// Limit is the most the client reads of one answer, in bytes.
	Limit int64
}

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("%s %s: the answer is larger than %d bytes, the most the client reads of one answer", e.Method, e.Path, e.Limit)
}

// UnexpectedAnswerError is a well-formed answer that does not fit the
// question, such as another connection than the one asked for.
type UnexpectedAnswerError struct {
	Path string
	// Field is the answer's field, such as "id".
	Field string
	// Want is what was asked for or expected, Got what came back.
	Want, Got string
}

func (e *UnexpectedAnswerError) Error() string {
	return fmt.Sprintf("GET %s: the answer's %s is %s, where %s was expected", e.Path, e.Field, e.Got, e.Want)
}

// errorBody is the NestJS error shape: message is a string or an array.
type errorBody struct {
	Message    json.RawMessage `json:"message"`
	Error      *string         `json:"error"`
	StatusCode *int            `json:"statusCode"`
}

// newAPIError describes an answer other than 200. The token is hidden in
// whatever the answer quotes (a server or proxy may echo the request's
// Authorization header), after JSON decoding, so that escapes cannot
// disguise it.
func newAPIError(method, path string, resp *http.Response, body []byte, attempts int, secrets *redactor) *APIError {
	apiErr := &APIError{Method: method, Path: path, StatusCode: resp.StatusCode, Attempts: attempts}
	name, messages, ok := decodeErrorBody(body)
	if !ok {
		apiErr.Snippet = snippet([]byte(secrets.hide(string(body))))
		return apiErr
	}
	apiErr.ErrorName = secrets.hide(name)
	for i, m := range messages {
		messages[i] = secrets.hide(m)
	}
	apiErr.Messages = messages
	return apiErr
}

// decodeErrorBody reads the API's error JSON. ok is false when the body is
// not that shape, in which case the caller shows a snippet instead.
func decodeErrorBody(body []byte) (name string, messages []string, ok bool) {
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil || (eb.Message == nil && eb.Error == nil && eb.StatusCode == nil) {
		return "", nil, false
	}
	if eb.Error != nil {
		name = *eb.Error
	}
	var one string
	var many []string
	switch {
	case len(eb.Message) == 0 || string(eb.Message) == "null":
	case json.Unmarshal(eb.Message, &one) == nil:
		messages = []string{one}
	case json.Unmarshal(eb.Message, &many) == nil:
		messages = many
	default:
		messages = []string{string(eb.Message)}
	}
	return name, messages, true
}

const snippetLength = 200

var (
	htmlTag    = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>|<[^>]*>`)
	whitespace = regexp.MustCompile(`\s+`)
)

// snippet makes a short, readable excerpt of a body that is not the API's
// JSON: tags dropped, whitespace collapsed, cut at snippetLength bytes.
func snippet(body []byte) string {
	text := htmlTag.ReplaceAllString(string(body[:min(len(body), 16*snippetLength)]), " ")
	text = strings.TrimSpace(whitespace.ReplaceAllString(text, " "))
	if len(text) <= snippetLength {
		return strings.ToValidUTF8(text, "")
	}
	cut := snippetLength
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return strings.ToValidUTF8(text[:cut], "") + "…"
}
