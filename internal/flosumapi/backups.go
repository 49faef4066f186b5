package flosumapi

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Values of the backups list's filters, in the vendor document's order.
var (
	BackupTypes = []string{"full", "full & sync", "template", "archive"}
	JobStatuses = []string{"In Progress", "Exception", "Completed", "Aborted"}
)

// Backup is one backup or archive job of a connection.
type Backup struct {
	ID        int64
	Name      string
	JobID     int64
	JobStatus string
	// StartedDate is as the API wrote it, an RFC 3339 date and time.
	StartedDate   string
	Duration      string
	Size          int64
	Records       int64
	OperationType string
}

type wireBackup struct {
	ID            *json.RawMessage `json:"id"`
	Name          *string          `json:"name"`
	JobID         *json.RawMessage `json:"jobId"`
	JobStatus     *string          `json:"jobStatus"`
	StartedDate   *string          `json:"startedDate" check:"datetime"`
	Duration      *string          `json:"duration"`
	Size          *json.RawMessage `json:"size" check:"nonnegative"`
	Records       *json.RawMessage `json:"records" check:"nonnegative"`
	OperationType *string          `json:"operationType"`
}

// BackupFilter selects backups. Types and Statuses are required by the API
// (BackupTypes, JobStatuses); the rest is optional, empty or nil meaning not
// sent. Dates are sent as given.
type BackupFilter struct {
	Types, Statuses      []string
	Search               string
	IncludeMetadata      *bool
	StartedDate, EndDate string
}

// query is the filter as the API takes it, arrays exploded
// (types=full&types=archive) and sorted, so that equal filters make equal
// queries.
func (f BackupFilter) query() url.Values {
	q := url.Values{"types": sorted(f.Types), "statuses": sorted(f.Statuses)}
	setIf(q, "search", f.Search)
	if f.IncludeMetadata != nil {
		q.Set("isIncludeMetadata", strconv.FormatBool(*f.IncludeMetadata))
	}
	setIf(q, "startedDate", f.StartedDate)
	setIf(q, "endDate", f.EndDate)
	return q
}

// ListBackups reads every backup of a connection that matches filter, in
// as many pages as it takes, newest first (StartedDate descending, then id
// descending). A backup of a documented status that was not asked for is
// an *UnexpectedAnswerError (a status the document does not list is passed
// through); see readAll for the other guarantees.
func (c *Client) ListBackups(ctx context.Context, connectionID int64, filter BackupFilter) ([]Backup, error) {
	l := list[Backup, wireBackup]{
		noun: "backups", path: belowConnection(connectionID) + "/backups", query: filter.query(),
		id: func(b Backup) int64 { return b.ID },
	}
	return remember(ctx, &c.memo, l.path+"?all&"+l.query.Encode(), func(ctx context.Context) ([]Backup, error) {
		backups, err := readAll(ctx, c, l)
		if err != nil {
			return nil, err
		}
		started := make(map[int64]time.Time, len(backups))
		for _, b := range backups {
			if notAskedFor(b.JobStatus, JobStatuses, filter.Statuses) {
				return nil, &UnexpectedAnswerError{Path: l.path, Field: fmt.Sprintf("jobStatus of backup %d", b.ID),
					Want: fmt.Sprintf("one of %q", filter.Statuses), Got: strconv.Quote(b.JobStatus)}
			}
			started[b.ID], _ = time.Parse(time.RFC3339, b.StartedDate) // checked by decode
		}
		slices.SortFunc(backups, func(a, b Backup) int {
			return cmp.Or(started[b.ID].Compare(started[a.ID]), cmp.Compare(b.ID, a.ID))
		})
		return backups, nil
	})
}

// notAskedFor reports whether value, one of a filter's documented values,
// was left out of the filter: an answer that ignored it. A value the
// document does not list may be new, and is passed through.
func notAskedFor(value string, documented, asked []string) bool {
	return slices.Contains(documented, value) && !slices.Contains(asked, value)
}

// sorted returns a sorted copy of values.
func sorted(values []string) []string {
	return slices.Sorted(slices.Values(values))
}

// setIf sets key in q when value is not empty.
func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}
