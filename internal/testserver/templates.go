package testserver

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Sort fields of the templates list (its sortBy parameter).
var templateSortFields = []string{"name", "updatedAt"}

// serveTemplates answers GET .../templates. Templates match when their name
// contains search (case-insensitively) and their type is in types; they are
// sorted by sortBy (default updatedAt) in order (default DESC), ties by id.
// The vendor does not say what the per-type counts count: here, the
// templates of each type that match search, whatever types asks for.
func serveTemplates(w http.ResponseWriter, r *http.Request, _ Connection, _ int64, data ConnectionData) {
	q := r.URL.Query()
	var messages []string
	pq := parsePageQuery(q, &messages)
	types := enumListParam(q, "types", TemplateTypes, &messages)
	sortBy := enumParam(q, "sortBy", templateSortFields, "updatedAt", &messages)
	order := enumParam(q, "order", sortOrders, "DESC", &messages)
	if len(messages) > 0 {
		writeBadRequest(w, messages)
		return
	}

	body := TemplatePage{}
	var matches []Template
	for _, t := range data.Templates {
		if !containsFold(t.Name, pq.search) {
			continue
		}
		switch t.Type {
		case TemplateTypeBackup:
			body.BackupTemplatesCount++
		case TemplateTypeArchive:
			body.ArchiveTemplatesCount++
		}
		if slices.Contains(types, t.Type) {
			matches = append(matches, t)
		}
	}
	slices.SortFunc(matches, func(a, b Template) int {
		c := a.UpdatedAt.Compare(b.UpdatedAt)
		if sortBy == "name" {
			c = strings.Compare(a.Name, b.Name)
		}
		if c = ordered(order, c); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	body.Total = len(matches)
	for _, t := range pageOf(matches, pq.page, pq.limit) {
		body.Items = append(body.Items, t.Row())
	}
	if body.Items == nil {
		body.Items = []TemplateRow{}
	}
	writeJSON(w, http.StatusOK, body)
}

// serveTemplate answers GET .../templates/backup/{id}: only backup
// templates, as the path says; an archive template's id is not found.
func serveTemplate(w http.ResponseWriter, _ *http.Request, c Connection, id int64, data ConnectionData) {
	i := slices.IndexFunc(data.Templates, func(t Template) bool { return t.ID == id && t.Type == TemplateTypeBackup })
	if i < 0 {
		writeNotFound(w, fmt.Sprintf("Backup template with id %d not found for connection %d", id, c.ID))
		return
	}
	writeJSON(w, http.StatusOK, data.Templates[i].Detail())
}
