// Package contract checks HTTP traffic against the vendor's OpenAPI
// documents, so that neither the client nor the test server can drift from
// them: the Backup API (backup-api-openapi.json) and the Global Settings
// API's OAuth operations (global-settings-api-openapi.json), both verbatim
// copies of the vendor's files. The one deviation the checker must make is
// applied in code, in patchBackupDocument.
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

var (
	//go:embed backup-api-openapi.json
	backupDocument []byte
	//go:embed global-settings-api-openapi.json
	globalSettingsDocument []byte
)

// Checker validates requests and responses against the documents and keeps
// every violation it finds.
type Checker struct {
	// routers holds one router per document, tried in turn.
	routers []routers.Router

	mu         sync.Mutex
	violations []string
	checked    int
}

// New loads and validates the documents.
func New() (*Checker, error) {
	c := &Checker{}
	for _, d := range []struct {
		name  string
		data  []byte
		patch func(*openapi3.T)
	}{
		{"backup-api-openapi.json", backupDocument, patchBackupDocument},
		{"global-settings-api-openapi.json", globalSettingsDocument, nil},
	} {
		doc, err := openapi3.NewLoader().LoadFromData(d.data)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", d.name, err)
		}
		if d.patch != nil {
			d.patch(doc)
		}
		// The vendor's examples are not all of their schema's type
		// (repeatEvery: "2" for a number); they are documentation, not
		// traffic, so they are not validated.
		if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
			return nil, fmt.Errorf("%s is not a valid OpenAPI document: %w", d.name, err)
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			return nil, fmt.Errorf("routing %s: %w", d.name, err)
		}
		c.routers = append(c.routers, router)
	}
	return c, nil
}

// patchBackupDocument makes the one deviation from the vendor's Backup API
// document: PaginatedDto.items is declared as an array of strings, which
// every list endpoint's allOf then contradicts (its items are objects), so
// no answer could pass. Here items may be anything, and each endpoint's
// allOf narrows them to its item type as the vendor intends.
func patchBackupDocument(doc *openapi3.T) {
	doc.Components.Schemas["PaginatedDto"].Value.Properties["items"].Value.Items = openapi3.NewSchemaRef("", openapi3.NewSchema())
}

// findRoute returns the operation r is for, in the first document that has
// it.
func (c *Checker) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	var errs []error
	for _, router := range c.routers {
		route, params, err := router.FindRoute(r)
		if err == nil {
			return route, params, nil
		}
		errs = append(errs, err)
	}
	return nil, nil, errors.Join(errs...)
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
// response after. Responses with a status the documents do not describe
// (401, 403, 429, 5xx: "no documented body") are let through unchecked.
// Requests are passed on even when invalid, so the server's own validation
// is exercised too.
func (c *Checker) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params, err := c.findRoute(r)
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
