package flosumapi

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
)

// ConnectionsPath is the connections endpoint under the Backup API root.
const ConnectionsPath = "/api/v1/connections"

// Connection is one Backup & Archive connection: a Salesforce org that Flosum
// backs up.
type Connection struct {
	ID                int64
	ExternalID        int64
	Name              string
	UserFullName      string
	UserName          string
	SalesforceOrgID   string
	SalesforceOrgType string
}

// ConnectionSummary is a connection as the list endpoint describes it.
type ConnectionSummary struct {
	ID                int64
	ExternalID        int64
	Name              string
	UserName          string
	SalesforceOrgType string
}

// Wire types of the connections endpoints (see decode).
type (
	wireConnection struct {
		ID                *json.RawMessage `json:"id"`
		ExternalID        *json.RawMessage `json:"externalId"`
		Name              *string          `json:"name"`
		UserFullName      *string          `json:"userFullName"`
		UserName          *string          `json:"userName"`
		SalesforceOrgID   *string          `json:"salesforceOrgId" check:"orgid"`
		SalesforceOrgType *string          `json:"salesforceOrgType"`
	}
	wireConnectionSummary struct {
		ID                *json.RawMessage `json:"id"`
		ExternalID        *json.RawMessage `json:"externalId"`
		Name              *string          `json:"name"`
		UserName          *string          `json:"userName"`
		SalesforceOrgType *string          `json:"salesforceOrgType"`
	}
	connectionID     struct{ ConnectionID int64 }
	wireConnectionID struct {
		ConnectionID *json.RawMessage `json:"connectionId"`
	}
)

// GetConnection reads one connection by its id; an answer about another
// connection is an *UnexpectedAnswerError.
func (c *Client) GetConnection(ctx context.Context, id int64) (*Connection, error) {
	path := belowConnection(id)
	return remember(ctx, &c.memo, path, func(ctx context.Context) (*Connection, error) {
		conn, err := getJSON[Connection, wireConnection](ctx, c, path, nil)
		if err == nil && conn.ID != id {
			return nil, unexpectedID(path, "id", id, conn.ID)
		}
		return conn, err
	})
}

// GetConnectionID finds the id of the connection for a Salesforce org id,
// which is sent as given: callers normalise it first. An id below 1 is an
// *UnexpectedAnswerError.
func (c *Client) GetConnectionID(ctx context.Context, salesforceOrgID string) (int64, error) {
	path := ConnectionsPath + "/connectionId/" + url.PathEscape(salesforceOrgID)
	return remember(ctx, &c.memo, path, func(ctx context.Context) (int64, error) {
		answer, err := getJSON[connectionID, wireConnectionID](ctx, c, path, nil)
		if err != nil {
			return 0, err
		}
		if answer.ConnectionID < 1 {
			return 0, &UnexpectedAnswerError{Path: path, Field: "connectionId", Want: "a connection id (1 or more)", Got: strconv.FormatInt(answer.ConnectionID, 10)}
		}
		return answer.ConnectionID, nil
	})
}

// connectionsList is the list endpoint, filtered by search when not empty.
func connectionsList(search string) list[ConnectionSummary, wireConnectionSummary] {
	query := url.Values{}
	if search != "" {
		query.Set("search", search)
	}
	return list[ConnectionSummary, wireConnectionSummary]{
		noun: "connections", path: ConnectionsPath, query: query,
		id: func(s ConnectionSummary) int64 { return s.ID },
	}
}

// ListConnections reads every connection matching search (all when empty),
// sorted by id; see readAll for what is guaranteed when the list changes
// while it is read. A list over MaxListItems is a *ListTooLargeError.
func (c *Client) ListConnections(ctx context.Context, search string) ([]ConnectionSummary, error) {
	return remember(ctx, &c.memo, ConnectionsPath+"?all&search="+search, func(ctx context.Context) ([]ConnectionSummary, error) {
		return readAll(ctx, c, connectionsList(search))
	})
}
