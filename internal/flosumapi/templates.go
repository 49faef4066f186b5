package flosumapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// TemplateTypes are the values of the templates list's types filter, in
// the vendor document's order.
var TemplateTypes = []string{"backup", "archive"}

// TemplateSummary is a template as the templates list describes it.
type TemplateSummary struct {
	ID   int64
	Name string
	Type string
	// UpdatedAt is as the API wrote it, an RFC 3339 date and time.
	UpdatedAt string
}

// Templates is the answer of the templates list: the templates that match,
// sorted by id, and the per-type counts the API gives beside them.
type Templates struct {
	Templates                                   []TemplateSummary
	BackupTemplatesCount, ArchiveTemplatesCount int64
}

// BackupTemplate is one backup template, read by id.
type BackupTemplate struct {
	ID          int64
	Name        string
	Type        string
	Description *string
	// Roots holds groups of objects, each a tree flattened into a list.
	Roots [][]TemplateRoot
}

// TemplateRoot is one object of a template's tree; a nil field is one the
// API left out.
type TemplateRoot struct {
	ID                int64
	Level             int64
	ParentID          *int64
	ObjectAPIName     string
	Label             string
	RelationshipName  *string
	FilterMode        *string
	SOQLFilter        *string
	CustomLogic       *string
	SkipRemove        *bool
	DeclarativeFilter *[]DeclarativeFilterLine
}

// DeclarativeFilterLine is one condition of a root's declarative filter.
type DeclarativeFilterLine struct {
	Field, Label, Option, Value string
}

// Wire types of the templates endpoints (see decode).
type (
	wireTemplateSummary struct {
		ID        *json.RawMessage `json:"id"`
		Name      *string          `json:"name"`
		Type      *string          `json:"type"`
		UpdatedAt *string          `json:"updatedAt" check:"datetime"`
	}
	templateCounts struct {
		BackupTemplatesCount, ArchiveTemplatesCount int64
	}
	wireTemplateCounts struct {
		BackupTemplatesCount  *json.RawMessage `json:"backupTemplatesCount" check:"nonnegative"`
		ArchiveTemplatesCount *json.RawMessage `json:"archiveTemplatesCount" check:"nonnegative"`
	}
	wireBackupTemplate struct {
		ID          *json.RawMessage      `json:"id"`
		Name        *string               `json:"name"`
		Type        *string               `json:"type"`
		Description *string               `json:"description"`
		Roots       *[][]wireTemplateRoot `json:"roots"`
	}
	wireTemplateRoot struct {
		ID                *json.RawMessage             `json:"id"`
		Level             *json.RawMessage             `json:"level"`
		ParentID          *json.RawMessage             `json:"parentId"`
		ObjectAPIName     *string                      `json:"objectApiName"`
		Label             *string                      `json:"label"`
		RelationshipName  *string                      `json:"relationshipName"`
		FilterMode        *string                      `json:"filterMode"`
		SOQLFilter        *string                      `json:"soqlFilter"`
		CustomLogic       *string                      `json:"customLogic"`
		SkipRemove        *bool                        `json:"skipRemove"`
		DeclarativeFilter *[]wireDeclarativeFilterLine `json:"declarativeFilter"`
	}
	wireDeclarativeFilterLine struct {
		Field  *string `json:"field"`
		Label  *string `json:"label"`
		Option *string `json:"option"`
		Value  *string `json:"value"`
	}
)

// ListTemplates reads every template of a connection of the given types
// (TemplateTypes) whose name matches search (all when empty), in as many
// pages as it takes. A template of a documented type that was not asked
// for is an *UnexpectedAnswerError; see readAll for the other guarantees.
func (c *Client) ListTemplates(ctx context.Context, connectionID int64, types []string, search string) (*Templates, error) {
	query := url.Values{"types": sorted(types)}
	setIf(query, "search", search)
	path := belowConnection(connectionID) + "/templates"
	return remember(ctx, &c.memo, path+"?all&"+query.Encode(), func(ctx context.Context) (*Templates, error) {
		var counts *templateCounts
		l := list[TemplateSummary, wireTemplateSummary]{
			noun: "templates", path: path, query: query,
			id: func(t TemplateSummary) int64 { return t.ID },
			// The counts are beside the items, on every page; page 1's are
			// kept.
			firstPage: func(body []byte) (err error) {
				counts, err = decode[templateCounts, wireTemplateCounts](path, body)
				return err
			},
		}
		items, err := readAll(ctx, c, l)
		if err != nil {
			return nil, err
		}
		for _, t := range items {
			if notAskedFor(t.Type, TemplateTypes, types) {
				return nil, &UnexpectedAnswerError{Path: path, Field: fmt.Sprintf("type of template %d", t.ID),
					Want: fmt.Sprintf("one of %q", types), Got: strconv.Quote(t.Type)}
			}
		}
		return &Templates{Templates: items, BackupTemplatesCount: counts.BackupTemplatesCount, ArchiveTemplatesCount: counts.ArchiveTemplatesCount}, nil
	})
}

// GetBackupTemplate reads one backup template of a connection by its id;
// an answer about another template is an *UnexpectedAnswerError.
func (c *Client) GetBackupTemplate(ctx context.Context, connectionID, id int64) (*BackupTemplate, error) {
	path := belowConnection(connectionID) + "/templates/backup/" + strconv.FormatInt(id, 10)
	return remember(ctx, &c.memo, path, func(ctx context.Context) (*BackupTemplate, error) {
		template, err := getJSON[BackupTemplate, wireBackupTemplate](ctx, c, path, nil)
		if err == nil && template.ID != id {
			return nil, unexpectedID(path, "id", id, template.ID)
		}
		return template, err
	})
}
