package testserver

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type conflictError struct {
	Message    string  `json:"message"`
	Error      *string `json:"error"`
	StatusCode int     `json:"statusCode"`
}

// serveSchedulers answers GET .../schedulers: a plain array, of the
// schedulers on templateId when it is given, sorted by name, then id (not
// by id, so that clients sort for themselves).
func serveSchedulers(w http.ResponseWriter, r *http.Request, _ Connection, _ int64, data ConnectionData) {
	q := r.URL.Query()
	var templateID *int64
	if q.Has("templateId") {
		id, err := strconv.ParseInt(q.Get("templateId"), 10, 64)
		if err != nil {
			writeBadRequest(w, []string{"templateId must be a number conforming to the specified constraints"})
			return
		}
		templateID = &id
	}
	matches := []Scheduler{}
	for _, s := range data.Schedulers {
		if templateID == nil || (s.TemplateID != nil && *s.TemplateID == *templateID) {
			matches = append(matches, s)
		}
	}
	slices.SortFunc(matches, func(a, b Scheduler) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	items := make([]SchedulerListItem, len(matches))
	for i, s := range matches {
		items[i] = s.SchedulerListItem
	}
	writeJSON(w, http.StatusOK, items)
}

// serveScheduler answers GET .../schedulers/backup/{id}: 404 when the
// connection has no such scheduler, 409 when it is Inaccessible.
func serveScheduler(w http.ResponseWriter, _ *http.Request, c Connection, id int64, data ConnectionData) {
	i := slices.IndexFunc(data.Schedulers, func(s Scheduler) bool { return s.ID == id })
	switch {
	case i < 0:
		writeNotFound(w, fmt.Sprintf("Scheduler with id %d not found for connection %d", id, c.ID))
	case data.Schedulers[i].Inaccessible:
		writeJSON(w, http.StatusConflict, conflictError{
			Message: fmt.Sprintf("Scheduler with id %d isn't accessible", id), Error: ptr("Conflict"), StatusCode: http.StatusConflict,
		})
	default:
		writeJSON(w, http.StatusOK, data.Schedulers[i])
	}
}
