package flosumapi

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
)

// SchedulerSummary is a scheduler as the schedulers list describes it; a
// nil field is one the API left out.
type SchedulerSummary struct {
	ID            int64
	Name          string
	Type          string
	Timezone      string
	IsDefault     bool
	TemplateID    *int64
	TemplateName  *string
	Configuration SchedulerConfiguration
}

// SchedulerConfiguration is when a scheduler runs.
type SchedulerConfiguration struct {
	Frequency   string
	RepeatEvery int64
	RunAt       string
	RepeatOn    *RepeatOn
}

// RepeatOn is the days a weekly or monthly scheduler runs on.
type RepeatOn struct {
	Type           string
	DaysOfWeek     *[]int64
	DayOfMonth     *int64
	WeekDayOfMonth *WeekDayOfMonth
}

// WeekDayOfMonth is the first or last given week day (0 is Sunday) of a
// month.
type WeekDayOfMonth struct {
	FirstOrLast string
	WeekDay     int64
}

// Scheduler is one scheduler read by id: the list's fields and more.
type Scheduler struct {
	SchedulerSummary
	SchedulerDetail
}

// SchedulerDetail is what a read by id adds to the list's fields.
type SchedulerDetail struct {
	ConnectionID int64
	Description  string
	JobSettings  *JobSettings
}

// JobSettings is what a scheduler's jobs include.
type JobSettings struct {
	IsIncludeMetadata                  bool
	IsIncludeBinaryObjects             bool
	IsIncludeBigObjects                bool
	IsIncludeFeedObjects               bool
	IsIncludeShareObjects              bool
	IsIncludeHistoryObjects            bool
	IsIncludeCustomMetadataTypeObjects bool
	IsIncludeTagObjects                bool
	TemplateID                         *int64
}

// Wire types of the schedulers endpoints (see decode).
type (
	wireSchedulerSummary struct {
		ID            *json.RawMessage            `json:"id"`
		Name          *string                     `json:"name"`
		Type          *string                     `json:"type"`
		Timezone      *string                     `json:"timezone"`
		IsDefault     *bool                       `json:"isDefault"`
		TemplateID    *json.RawMessage            `json:"templateId"`
		TemplateName  *string                     `json:"templateName"`
		Configuration *wireSchedulerConfiguration `json:"configuration"`
	}
	wireSchedulerConfiguration struct {
		Frequency   *string          `json:"frequency"`
		RepeatEvery *json.RawMessage `json:"repeatEvery"`
		RunAt       *string          `json:"runAt"`
		RepeatOn    *wireRepeatOn    `json:"repeatOn"`
	}
	wireRepeatOn struct {
		Type           *string             `json:"type"`
		DaysOfWeek     *[]json.RawMessage  `json:"daysOfWeek"`
		DayOfMonth     *json.RawMessage    `json:"dayOfMonth"`
		WeekDayOfMonth *wireWeekDayOfMonth `json:"weekDayOfMonth"`
	}
	wireWeekDayOfMonth struct {
		FirstOrLast *string          `json:"firstOrLast"`
		WeekDay     *json.RawMessage `json:"weekDay"`
	}
	wireSchedulerDetail struct {
		ConnectionID *json.RawMessage `json:"connectionId"`
		Description  *string          `json:"description"`
		JobSettings  *wireJobSettings `json:"jobSettings"`
	}
	wireJobSettings struct {
		IsIncludeMetadata                  *bool            `json:"isIncludeMetadata"`
		IsIncludeBinaryObjects             *bool            `json:"isIncludeBinaryObjects"`
		IsIncludeBigObjects                *bool            `json:"isIncludeBigObjects"`
		IsIncludeFeedObjects               *bool            `json:"isIncludeFeedObjects"`
		IsIncludeShareObjects              *bool            `json:"isIncludeShareObjects"`
		IsIncludeHistoryObjects            *bool            `json:"isIncludeHistoryObjects"`
		IsIncludeCustomMetadataTypeObjects *bool            `json:"isIncludeCustomMetadataTypeObjects"`
		IsIncludeTagObjects                *bool            `json:"isIncludeTagObjects"`
		TemplateID                         *json.RawMessage `json:"templateId"`
	}
)

// ListSchedulers reads every scheduler of a connection, or those of one
// template when templateID is not nil, sorted by id. A scheduler of another
// template is an *UnexpectedAnswerError, as is an id listed twice.
func (c *Client) ListSchedulers(ctx context.Context, connectionID int64, templateID *int64) ([]SchedulerSummary, error) {
	path := belowConnection(connectionID) + "/schedulers"
	query := url.Values{}
	if templateID != nil {
		query.Set("templateId", strconv.FormatInt(*templateID, 10))
	}
	return remember(ctx, &c.memo, path+"?"+query.Encode(), func(ctx context.Context) ([]SchedulerSummary, error) {
		answer, err := getJSON[[]SchedulerSummary, []wireSchedulerSummary](ctx, c, path, query)
		if err != nil {
			return nil, err
		}
		schedulers := *answer
		for _, s := range schedulers {
			if templateID != nil && (s.TemplateID == nil || *s.TemplateID != *templateID) {
				got := "none"
				if s.TemplateID != nil {
					got = strconv.FormatInt(*s.TemplateID, 10)
				}
				return nil, &UnexpectedAnswerError{Path: path, Field: fmt.Sprintf("templateId of scheduler %d", s.ID),
					Want: strconv.FormatInt(*templateID, 10), Got: got}
			}
		}
		slices.SortFunc(schedulers, func(a, b SchedulerSummary) int { return cmp.Compare(a.ID, b.ID) })
		for i := 1; i < len(schedulers); i++ {
			if schedulers[i].ID == schedulers[i-1].ID {
				return nil, &UnexpectedAnswerError{Path: path, Field: "id", Want: "each scheduler once", Got: fmt.Sprintf("scheduler %d twice", schedulers[i].ID)}
			}
		}
		return schedulers, nil
	})
}

// GetBackupScheduler reads one scheduler of a connection by its id. An
// answer about another scheduler, or naming another connection, is an
// *UnexpectedAnswerError; a scheduler the API does not let the caller see
// is an *APIError with IsConflict.
func (c *Client) GetBackupScheduler(ctx context.Context, connectionID, id int64) (*Scheduler, error) {
	path := belowConnection(connectionID) + "/schedulers/backup/" + strconv.FormatInt(id, 10)
	return remember(ctx, &c.memo, path, func(ctx context.Context) (*Scheduler, error) {
		body, err := c.get(ctx, path, nil)
		if err != nil {
			return nil, err
		}
		// The answer is the list's item plus a few fields: each part is
		// decoded through its own wire type.
		summary, err := decode[SchedulerSummary, wireSchedulerSummary](path, body)
		if err != nil {
			return nil, err
		}
		detail, err := decode[SchedulerDetail, wireSchedulerDetail](path, body)
		if err != nil {
			return nil, err
		}
		switch {
		case summary.ID != id:
			return nil, unexpectedID(path, "id", id, summary.ID)
		case detail.ConnectionID != connectionID:
			return nil, unexpectedID(path, "connectionId", connectionID, detail.ConnectionID)
		}
		return &Scheduler{SchedulerSummary: *summary, SchedulerDetail: *detail}, nil
	})
}
