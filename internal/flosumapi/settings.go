package flosumapi

import (
	"context"
	"encoding/json"
	"strconv"
)

// ConnectionSettings is what a connection's settings endpoint answers.
type ConnectionSettings struct {
	APIQuota APIQuota
	// Info names the connection the settings belong to; only its id is
	// read, to check the answer against the question.
	Info                      ConnectionInfo
	Scheduler                 SchedulerRunCapability
	InitialBinaryRecordsLimit int64
}

// APIQuota is the share of the org's API limits Flosum may use, in percent.
type APIQuota struct {
	Rest, Bulk int64
}

// ConnectionInfo is the connection a settings answer is about.
type ConnectionInfo struct {
	ID int64
}

// SchedulerRunCapability says which scheduled jobs are switched off.
type SchedulerRunCapability struct {
	IsBackupsDisabled, IsArchivesDisabled bool
}

// Wire types of the settings endpoint (see decode).
type (
	wireConnectionSettings struct {
		APIQuota                  *wireAPIQuota               `json:"apiQuota"`
		Info                      *wireConnectionInfo         `json:"info"`
		Scheduler                 *wireSchedulerRunCapability `json:"scheduler"`
		InitialBinaryRecordsLimit *json.RawMessage            `json:"initialBinaryRecordsLimit"`
	}
	wireAPIQuota struct {
		Rest *json.RawMessage `json:"rest"`
		Bulk *json.RawMessage `json:"bulk"`
	}
	wireConnectionInfo struct {
		ID *json.RawMessage `json:"id"`
	}
	wireSchedulerRunCapability struct {
		IsBackupsDisabled  *bool `json:"isBackupsDisabled"`
		IsArchivesDisabled *bool `json:"isArchivesDisabled"`
	}
)

// belowConnection is the path of connection id, below which its data is.
func belowConnection(id int64) string {
	return ConnectionsPath + "/" + strconv.FormatInt(id, 10)
}

// GetConnectionSettings reads a connection's settings; an answer about
// another connection is an *UnexpectedAnswerError.
func (c *Client) GetConnectionSettings(ctx context.Context, connectionID int64) (*ConnectionSettings, error) {
	path := belowConnection(connectionID) + "/settings"
	return remember(ctx, &c.memo, path, func(ctx context.Context) (*ConnectionSettings, error) {
		settings, err := getJSON[ConnectionSettings, wireConnectionSettings](ctx, c, path, nil)
		if err == nil && settings.Info.ID != connectionID {
			return nil, unexpectedID(path, "info.id", connectionID, settings.Info.ID)
		}
		return settings, err
	})
}

// unexpectedID is an answer whose field holds id got where want was asked
// for.
func unexpectedID(path, field string, want, got int64) *UnexpectedAnswerError {
	return &UnexpectedAnswerError{Path: path, Field: field, Want: strconv.FormatInt(want, 10), Got: strconv.FormatInt(got, 10)}
}
