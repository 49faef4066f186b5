package testserver

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Sort fields of the backups list (its sortBy parameter).
var backupSortFields = []string{"jobId", "name", "startedDate"}

// serveBackups answers GET .../backups. Backups match when their type (see
// BackupType) is in types, their status in statuses, their name contains
// search (case-insensitively; the vendor documents no rule) and they started
// within [startedDate, endDate]. They are sorted by sortBy (default
// startedDate) in order (default DESC), ties by id ascending. The vendor does
// not say what isIncludeMetadata changes: it is validated and otherwise
// ignored.
func serveBackups(w http.ResponseWriter, r *http.Request, _ Connection, _ int64, data ConnectionData) {
	q := r.URL.Query()
	var messages []string
	pq := parsePageQuery(q, &messages)
	types := enumListParam(q, "types", BackupTypes, &messages)
	statuses := enumListParam(q, "statuses", JobStatuses, &messages)
	boolParam(q, "isIncludeMetadata", &messages)
	from, hasFrom := dateParam(q, "startedDate", &messages)
	to, hasTo := dateParam(q, "endDate", &messages)
	sortBy := enumParam(q, "sortBy", backupSortFields, "startedDate", &messages)
	order := enumParam(q, "order", sortOrders, "DESC", &messages)
	if len(messages) > 0 {
		writeBadRequest(w, messages)
		return
	}

	var matches []Backup
	for _, b := range data.Backups {
		if slices.Contains(types, BackupType(b.OperationType)) && slices.Contains(statuses, b.JobStatus) &&
			containsFold(b.Name, pq.search) &&
			(!hasFrom || !b.StartedDate.Before(from)) && (!hasTo || !b.StartedDate.After(to)) {
			b.StartedDate = b.StartedDate.UTC().Truncate(time.Millisecond)
			matches = append(matches, b)
		}
	}
	slices.SortFunc(matches, func(a, b Backup) int {
		var c int
		switch sortBy {
		case "jobId":
			c = cmp.Compare(a.JobID, b.JobID)
		case "name":
			c = strings.Compare(a.Name, b.Name)
		default:
			c = a.StartedDate.Compare(b.StartedDate)
		}
		if c = ordered(order, c); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	writeJSON(w, http.StatusOK, BackupPage{Total: len(matches), Items: pageOf(matches, pq.page, pq.limit)})
}

// boolParam validates an optional boolean.
func boolParam(q url.Values, name string, messages *[]string) {
	if v := q.Get(name); q.Has(name) && v != "true" && v != "false" {
		*messages = append(*messages, name+" must be a boolean value")
	}
}

// containsFold reports whether s contains substr, ignoring case.
func containsFold(s, substr string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(substr))
}
