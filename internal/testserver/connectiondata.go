package testserver

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// dataHandler serves one endpoint below connection c; id is the path's
// resource id for reads by id.
type dataHandler func(w http.ResponseWriter, r *http.Request, c Connection, id int64, data ConnectionData)

// serveConnectionData routes the GET endpoints below a connection; rest is
// the path after apiPrefix, e.g. "/7/templates/backup/7001".
func (s *Server) serveConnectionData(w http.ResponseWriter, r *http.Request, rest string) {
	parts := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	resource := strings.Join(parts[1:], "/")
	var serve dataHandler
	rawID := "0"
	switch {
	case resource == "settings":
		serve = serveSettings
	case resource == "backups":
		serve = serveBackups
	case resource == "templates":
		serve = serveTemplates
	case resource == "schedulers":
		serve = serveSchedulers
	case len(parts) == 4 && parts[1] == "templates" && parts[2] == "backup":
		rawID, serve = parts[3], serveTemplate
	case len(parts) == 4 && parts[1] == "schedulers" && parts[2] == "backup":
		rawID, serve = parts[3], serveScheduler
	default:
		cannot(w, r)
		return
	}
	id, ok := pathID(w, rawID)
	if !ok {
		return
	}
	c, ok := s.connection(w, parts[0])
	if !ok {
		return
	}
	data, ok := s.data[c.ID]
	if !ok {
		data = SeedData(c, s.now())
	}
	serve(w, r, c, id, data)
}

func serveSettings(w http.ResponseWriter, _ *http.Request, c Connection, _ int64, data ConnectionData) {
	writeJSON(w, http.StatusOK, settingsResponse{Settings: data.Settings, Info: connectionInfo{
		ID: c.ID, Name: c.Name, UserName: c.UserName, SalesforceOrgID: c.SalesforceOrgID, SalesforceOrgType: c.SalesforceOrgType,
	}})
}

// pathID parses a numeric path segment, answering 400 as NestJS's
// ParseIntPipe does when it is not one.
func pathID(w http.ResponseWriter, raw string) (int64, bool) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		writeBadRequest(w, []string{"Validation failed (numeric string is expected)"})
		return 0, false
	}
	return id, true
}

// connection returns the connection of a path's connectionId, or answers
// 400 or 404.
func (s *Server) connection(w http.ResponseWriter, raw string) (Connection, bool) {
	id, ok := pathID(w, raw)
	if !ok {
		return Connection{}, false
	}
	c, ok := s.byID[id]
	if !ok {
		writeNotFound(w, fmt.Sprintf("Connection with id %d not found", id))
	}
	return c, ok
}

func writeNotFound(w http.ResponseWriter, message string) {
	writeJSON(w, http.StatusNotFound, notFoundError{Message: message, Error: ptr("Not Found"), StatusCode: http.StatusNotFound})
}

func writeBadRequest(w http.ResponseWriter, messages []string) {
	writeJSON(w, http.StatusBadRequest, validationError{Error: ptr("Bad Request"), Message: messages, StatusCode: http.StatusBadRequest})
}

// cannot is NestJS's answer to a route it does not have.
func cannot(w http.ResponseWriter, r *http.Request) {
	writeNotFound(w, "Cannot "+r.Method+" "+r.URL.EscapedPath())
}

// pageQuery is the page, limit and search every paginated list takes.
type pageQuery struct {
	page, limit int
	search      string
}

// parsePageQuery validates page, limit and search, adding what is wrong to
// messages.
func parsePageQuery(q url.Values, messages *[]string) pageQuery {
	page, pageMsgs := intParam(q, "page", 1, 0)
	limit, limitMsgs := intParam(q, "limit", 1, MaxLimit)
	*messages = append(append(*messages, pageMsgs...), limitMsgs...)
	search := q.Get("search")
	if len([]rune(search)) > MaxSearchLength {
		*messages = append(*messages, fmt.Sprintf("search must be shorter than or equal to %d characters", MaxSearchLength))
	}
	return pageQuery{page: page, limit: limit, search: search}
}

// pageOf returns the items of a page; a page beyond the data is empty.
func pageOf[T any](items []T, page, limit int) []T {
	// Compare before multiplying: for a huge page, (page-1)*limit would
	// overflow.
	if page-1 > len(items)/limit {
		return []T{}
	}
	start := (page - 1) * limit
	return append([]T{}, items[start:min(start+limit, len(items))]...)
}

// enumListParam validates a required array of enum values, sent exploded
// (types=a&types=b), with class-validator's messages.
func enumListParam(q url.Values, name string, allowed []string, messages *[]string) []string {
	values := q[name]
	for _, v := range values {
		if !slices.Contains(allowed, v) {
			*messages = append(*messages, fmt.Sprintf("each value in %s must be one of the following values: %s", name, strings.Join(allowed, ", ")))
			return nil
		}
	}
	if len(values) == 0 {
		*messages = append(*messages,
			fmt.Sprintf("each value in %s must be one of the following values: %s", name, strings.Join(allowed, ", ")),
			name+" must be an array")
	}
	return values
}

// enumParam validates an optional enum value; def when absent.
func enumParam(q url.Values, name string, allowed []string, def string, messages *[]string) string {
	if !q.Has(name) {
		return def
	}
	v := q.Get(name)
	if !slices.Contains(allowed, v) {
		*messages = append(*messages, fmt.Sprintf("%s must be one of the following values: %s", name, strings.Join(allowed, ", ")))
	}
	return v
}

// dateParam validates an optional ISO 8601 date or date-time.
func dateParam(q url.Values, name string, messages *[]string) (time.Time, bool) {
	if !q.Has(name) {
		return time.Time{}, false
	}
	raw := q.Get(name)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t, true
		}
	}
	*messages = append(*messages, name+" must be a valid ISO 8601 date string")
	return time.Time{}, false
}

// ordered turns a comparison into the order asked for, DESC or ASC.
func ordered(order string, c int) int {
	if order == "DESC" {
		return -c
	}
	return c
}

var sortOrders = []string{"ASC", "DESC"}
