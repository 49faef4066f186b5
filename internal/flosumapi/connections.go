package flosumapi

import (
	"context"
	"net/url"
	"strconv"
)

// PageLimit is the largest page the list endpoint serves.
const PageLimit = 2000

const connectionsPath = "/api/v1/connections"

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

// Page is one page of the list endpoint.
type Page struct {
	// Total is the number of connections matching, over all pages.
	Total int64
	Items []ConnectionSummary
}

// GetConnection reads one connection by its id.
func (c *Client) GetConnection(ctx context.Context, id int64) (*Connection, error) {
	path := connectionsPath + "/" + strconv.FormatInt(id, 10)
	return remember(ctx, &c.memo, path, func(ctx context.Context) (*Connection, error) {
		body, err := c.get(ctx, path, nil)
		if err != nil {
			return nil, err
		}
		return decodeConnection(path, body)
	})
}

// GetConnectionID finds the id of the connection for a Salesforce org id,
// which is sent as given: callers normalise it first.
func (c *Client) GetConnectionID(ctx context.Context, salesforceOrgID string) (int64, error) {
	path := connectionsPath + "/connectionId/" + url.PathEscape(salesforceOrgID)
	return remember(ctx, &c.memo, path, func(ctx context.Context) (int64, error) {
		body, err := c.get(ctx, path, nil)
		if err != nil {
			return 0, err
		}
		return decodeConnectionID(path, body)
	})
}

// ListConnectionsPage reads one page of the list; search may be empty.
func (c *Client) ListConnectionsPage(ctx context.Context, search string, page, limit int) (*Page, error) {
	query := url.Values{}
	query.Set("page", strconv.Itoa(page))
	query.Set("limit", strconv.Itoa(limit))
	if search != "" {
		query.Set("search", search)
	}
	body, err := c.get(ctx, connectionsPath, query)
	if err != nil {
		return nil, err
	}
	return decodePage(body)
}
