// Package testserver is an in-memory stand-in for the Flosum Backup API (the
// connections endpoints and the reads below a connection: settings, backups,
// templates, schedulers) and for the Global Settings API's OAuth endpoints,
// faithful to the vendor's documents, for tests and the demo. It defines its
// own wire types from those documents and never imports the API client, so a
// field name wrong in the client fails the tests.
package testserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the bearer token the server accepts unless told otherwise.
const DefaultToken = "flosum-test-token"

// Limits from the vendor reference.
const (
	MaxLimit        = 2000
	MaxSearchLength = 80
)

const apiPrefix = "/api/v1/connections"

// Connection is one Backup & Archive connection as the get-by-id endpoint
// returns it (ConnectionFindByIdResponseDto).
type Connection struct {
	ID                int64  `json:"id"`
	ExternalID        int64  `json:"externalId"`
	Name              string `json:"name"`
	UserFullName      string `json:"userFullName"`
	UserName          string `json:"userName"`
	SalesforceOrgID   string `json:"salesforceOrgId"`
	SalesforceOrgType string `json:"salesforceOrgType"`
}

// ListItem is one connection as the list endpoint returns it
// (ConnectionFindResponseDto).
type ListItem struct {
	ID                int64  `json:"id"`
	ExternalID        int64  `json:"externalId"`
	Name              string `json:"name"`
	UserName          string `json:"userName"`
	SalesforceOrgType string `json:"salesforceOrgType"`
}

// ListPage is the list endpoint's body (PaginatedDto of ListItem).
type ListPage struct {
	Total int        `json:"total"`
	Items []ListItem `json:"items"`
}

type connectionIDResponse struct {
	ConnectionID int64 `json:"connectionId"`
}

type validationError struct {
	Error      *string  `json:"error"`
	Message    []string `json:"message"`
	StatusCode int      `json:"statusCode"`
}

type notFoundError struct {
	Message    string  `json:"message"`
	Error      *string `json:"error"`
	StatusCode int     `json:"statusCode"`
}

type unauthorizedError struct {
	Message    string `json:"message"`
	StatusCode int    `json:"statusCode"`
}

// Options configure a Server.
type Options struct {
	// Token is the bearer token accepted; DefaultToken when empty.
	Token string
	// Connections is the data served; Seed makes sample data of any size.
	Connections []Connection
	// Data replaces, per connection id, what is served below a connection
	// (settings, backups, templates, schedulers); a connection without an
	// entry serves SeedData(connection, Now()).
	Data map[int64]ConnectionData
	// Now is the clock for seeded dates and access-token expiry; time.Now
	// when nil.
	Now func() time.Time
	// OAuth configures the Global Settings API's token endpoint.
	OAuth OAuth
	// SameOrigin makes Start serve the Global Settings API on URL too
	// (GlobalSettingsURL == URL) instead of on a second listener.
	SameOrigin bool
	// Latency delays every answer, to simulate a network round trip.
	Latency time.Duration
}

// Request is what the server recorded of one request it received.
type Request struct {
	Method        string
	Path          string
	Query         string
	Authorization string
	UserAgent     string
}

// Server serves the connections endpoints. It is an http.Handler; Start runs
// it on a loopback port.
type Server struct {
	// URL is the base URL once the server is started with Start or Listen.
	URL string
	// GlobalSettingsURL is the Global Settings API root once started: a
	// second listener, or URL with Options.SameOrigin and with Listen. The
	// handler itself (ServeHTTP) serves both APIs.
	GlobalSettingsURL string

	token   string
	latency time.Duration
	byID    map[int64]Connection
	byOrgID map[string]int64
	// listOrder is the order the list endpoint pages through: not by id, so
	// that clients have to sort for themselves.
	listOrder []Connection
	data      map[int64]ConnectionData
	now       func() time.Time
	oauth     *oauthState

	mu          sync.Mutex
	faults      []*Fault
	requests    []Request
	listHook    func(r *http.Request, page *ListPage)
	connsOpened int

	random             *rand.Rand
	randomRate         float64
	randomStatuses     []int
	randomFaultsServed int
}

// New returns a server for the given options.
func New(opts Options) *Server {
	s := &Server{
		token:   opts.Token,
		latency: opts.Latency,
		byID:    make(map[int64]Connection, len(opts.Connections)),
		byOrgID: make(map[string]int64, len(opts.Connections)),
		data:    opts.Data,
		now:     opts.Now,
		oauth:   newOAuthState(opts.OAuth),
	}
	if s.token == "" {
		s.token = DefaultToken
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, c := range opts.Connections {
		s.byID[c.ID] = c
		s.byOrgID[c.SalesforceOrgID] = c.ID
		s.listOrder = append(s.listOrder, c)
	}
	slices.SortFunc(s.listOrder, func(a, b Connection) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return s
}

// Token returns the bearer token the server accepts.
func (s *Server) Token() string { return s.token }

// SetListHook lets a test rewrite each list page before it is sent, for
// example to change total between pages or to repeat items.
func (s *Server) SetListHook(hook func(r *http.Request, page *ListPage)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listHook = hook
}

// Requests returns a copy of every request received so far, faulted or not.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestCount returns how many requests the server has received.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// CountRequests returns how many requests had a path starting with prefix.
func (s *Server) CountRequests(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// ResetRequests forgets the requests recorded so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// ConnectionsOpened returns how many TCP connections the server accepted
// (only counted when started with Start or Listen).
func (s *Server) ConnectionsOpened() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connsOpened
}

func (s *Server) connOpened() {
	s.mu.Lock()
	s.connsOpened++
	s.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method:        r.Method,
		Path:          r.URL.EscapedPath(),
		Query:         r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"),
		UserAgent:     r.Header.Get("User-Agent"),
	})
	fault := s.takeFault(r)
	s.mu.Unlock()

	if s.latency > 0 && !sleep(r, s.latency) {
		return
	}
	if fault != nil {
		fault.serve(w, r)
		return
	}
	s.serveAPI(w, r)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if s.serveGlobalSettings(w, r) {
		return
	}
	path := r.URL.EscapedPath()
	if path != apiPrefix && !strings.HasPrefix(path, apiPrefix+"/") {
		cannot(w, r)
		return
	}
	if r.Method != http.MethodGet {
		cannot(w, r)
		return
	}
	if !s.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, unauthorizedError{Message: "Unauthorized", StatusCode: http.StatusUnauthorized})
		return
	}
	rest := strings.TrimPrefix(path, apiPrefix)
	switch {
	case rest == "":
		s.serveList(w, r)
	case strings.HasPrefix(rest, "/connectionId/"):
		s.serveConnectionID(w, strings.TrimPrefix(rest, "/connectionId/"))
	case strings.Count(rest, "/") > 1:
		s.serveConnectionData(w, r, rest)
	default:
		s.serveByID(w, strings.TrimPrefix(rest, "/"))
	}
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var messages []string
	pq := parsePageQuery(q, &messages)
	search := pq.search
	if len(messages) > 0 {
		writeBadRequest(w, messages)
		return
	}

	matches := s.listOrder
	if search != "" {
		matches = nil
		for _, c := range s.listOrder {
			if Matches(c, search) {
				matches = append(matches, c)
			}
		}
	}
	body := ListPage{Total: len(matches), Items: []ListItem{}}
	for _, c := range pageOf(matches, pq.page, pq.limit) {
		body.Items = append(body.Items, ListItem{
			ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, UserName: c.UserName, SalesforceOrgType: c.SalesforceOrgType,
		})
	}
	s.mu.Lock()
	hook := s.listHook
	s.mu.Unlock()
	if hook != nil {
		hook(r, &body)
	}
	writeJSON(w, http.StatusOK, body)
}

// Matches is the server's search rule (the vendor does not document one): a
// case-insensitive substring of the name, the user name or the org id.
func Matches(c Connection, search string) bool {
	s := strings.ToLower(search)
	return strings.Contains(strings.ToLower(c.Name), s) ||
		strings.Contains(strings.ToLower(c.UserName), s) ||
		strings.Contains(strings.ToLower(c.SalesforceOrgID), s)
}

func (s *Server) serveByID(w http.ResponseWriter, raw string) {
	if c, ok := s.connection(w, raw); ok {
		writeJSON(w, http.StatusOK, c)
	}
}

func (s *Server) serveConnectionID(w http.ResponseWriter, raw string) {
	orgID, err := url.PathUnescape(raw)
	if err != nil || (len(orgID) != 15 && len(orgID) != 18) {
		writeJSON(w, http.StatusBadRequest, validationError{Error: ptr("Bad Request"), Message: []string{"salesforceOrgId must be 15 or 18 characters long"}, StatusCode: http.StatusBadRequest})
		return
	}
	id, ok := s.lookupOrgID(orgID)
	if !ok {
		writeJSON(w, http.StatusNotFound, notFoundError{Message: "Connection not found", Error: ptr("Not Found"), StatusCode: http.StatusNotFound})
		return
	}
	writeJSON(w, http.StatusOK, connectionIDResponse{ConnectionID: id})
}

// lookupOrgID matches an 18-character id exactly and a 15-character id by the
// first 15 characters, case-sensitively as Salesforce ids are.
func (s *Server) lookupOrgID(orgID string) (int64, bool) {
	if id, ok := s.byOrgID[orgID]; ok {
		return id, true
	}
	if len(orgID) == 15 {
		for stored, id := range s.byOrgID {
			if strings.HasPrefix(stored, orgID) {
				return id, true
			}
		}
	}
	return 0, false
}

func intParam(q map[string][]string, name string, lo, hi int) (int, []string) {
	values := q[name]
	raw := ""
	if len(values) > 0 {
		raw = values[0]
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		msgs := []string{fmt.Sprintf("%s must not be less than %d", name, lo)}
		if hi > 0 {
			msgs = append(msgs, fmt.Sprintf("%s must not be greater than %d", name, hi))
		}
		return 0, append(msgs, name+" must be a number conforming to the specified constraints")
	}
	switch {
	case n < lo:
		return 0, []string{fmt.Sprintf("%s must not be less than %d", name, lo)}
	case hi > 0 && n > hi:
		return 0, []string{fmt.Sprintf("%s must not be greater than %d", name, hi)}
	}
	return n, nil
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// sleep waits for d or until the request is cancelled; false if cancelled.
func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func ptr[T any](v T) *T { return &v }
