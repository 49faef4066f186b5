// Package contract checks HTTP traffic against the vendor's OpenAPI
// description of the connections endpoints (openapi.json, assembled from the
// fragments in the vendor reference), so that neither the client nor the test
// server can drift from it.
package contract

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed openapi.json
var spec []byte

// Checker validates requests and responses against the document and keeps
// every violation it finds.
type Checker struct {
	router routers.Router

	mu         sync.Mutex
	violations []string
	checked    int
}

// New loads and validates the document.
func New() (*Checker, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("loading openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("routing openapi.json: %w", err)
	}
	return &Checker{router: router}, nil
}

// Violations returns what failed validation so far.
func (c *Checker) Violations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.violations...)
}

// Checked returns how many exchanges were validated.
func (c *Checker) Checked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checked
}

func (c *Checker) record(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.violations = append(c.violations, fmt.Sprintf(format, args...))
}

// Middleware validates each request before next serves it, and next's
// response after. Responses with a status the document does not describe
// (401, 403, 429, 5xx: "no documented body") are let through unchecked.
// Requests are passed on even when invalid, so the server's own validation
// is exercised too.
func (c *Checker) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params, err := c.router.FindRoute(r)
		if err != nil {
			c.record("%s %s: no such operation in the document: %v", r.Method, r.URL.Path, err)
			next.ServeHTTP(w, r)
			return
		}
		input := &openapi3filter.RequestValidationInput{
			Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: bearerPresent, MultiError: true},
		}
		if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
			c.record("request %s %s?%s: %v", r.Method, r.URL.Path, r.URL.RawQuery, err)
		}

		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)

		if route.Operation.Responses.Status(rec.status) != nil {
			out := &openapi3filter.ResponseValidationInput{
				RequestValidationInput: input,
				Status:                 rec.status,
				Header:                 rec.header,
				Body:                   io.NopCloser(bytes.NewReader(rec.body.Bytes())),
				Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
			}
			if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
				c.record("response %d to %s %s?%s: %v", rec.status, r.Method, r.URL.Path, r.URL.RawQuery, err)
			}
		}
		c.mu.Lock()
		c.checked++
		c.mu.Unlock()

		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// bearerPresent checks the bearerAuth scheme's form; whether the token is
// right is the server's business.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("missing Authorization: Bearer header")
	}
	return nil
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
