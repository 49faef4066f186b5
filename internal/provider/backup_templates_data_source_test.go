package provider

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

func templateSummariesCheck(templates ...testserver.Template) knownvalue.Check {
	checks := make([]knownvalue.Check, len(templates))
	for i, tmpl := range templates {
		checks[i] = templateSummaryCheck(tmpl)
	}
	return knownvalue.ListExact(checks)
}

// The list is sorted by id (the API sorts by update time), with the API's
// per-type counts; filters are sent as the API takes them; no match is an
// empty list.
func TestBackupTemplatesDataSource(t *testing.T) {
	t.Parallel()
	now := time.Now()
	srv := startDataServer(t, 3, now, nil)
	seeded := seedDataOf(2, now).Templates
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_backup_templates" "all" { connection_id = 2 }
data "flosum_backup_templates" "archive" {
  connection_id = 2
  types         = ["archive"]
  search        = "cases"
}
data "flosum_backup_templates" "none" {
  connection_id = 2
  search        = "no such template"
}
`,
		Check: checkNow(func() error {
			if err := requestsTo(srv, "/api/v1/connections/2/templates", 3); err != nil {
				return err
			}
			for _, r := range srv.Requests() {
				q, _ := url.ParseQuery(r.Query)
				if q.Get("search") == "cases" && fmt.Sprint(q) != fmt.Sprint(url.Values{"page": {"1"}, "limit": {"2000"}, "types": {"archive"}, "search": {"cases"}}) {
					return fmt.Errorf("query = %v", q)
				}
				if q.Get("search") == "" && fmt.Sprint(q["types"]) != "[archive backup]" {
					return fmt.Errorf("query = %v, want both types", q)
				}
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_backup_templates.all", "total", knownvalue.Int64Exact(3)),
			expectAttr("data.flosum_backup_templates.all", "backup_templates_count", knownvalue.Int64Exact(2)),
			expectAttr("data.flosum_backup_templates.all", "archive_templates_count", knownvalue.Int64Exact(1)),
			expectAttr("data.flosum_backup_templates.all", "types", stringSet("backup", "archive")),
			expectAttr("data.flosum_backup_templates.all", "search", knownvalue.Null()),
			expectAttr("data.flosum_backup_templates.all", "templates", templateSummariesCheck(seeded...)),
			expectAttr("data.flosum_backup_templates.archive", "total", knownvalue.Int64Exact(1)),
			expectAttr("data.flosum_backup_templates.archive", "backup_templates_count", knownvalue.Int64Exact(0)),
			expectAttr("data.flosum_backup_templates.archive", "archive_templates_count", knownvalue.Int64Exact(1)),
			expectAttr("data.flosum_backup_templates.archive", "templates", templateSummariesCheck(seeded[2])),
			expectAttr("data.flosum_backup_templates.none", "total", knownvalue.Int64Exact(0)),
			expectAttr("data.flosum_backup_templates.none", "templates", knownvalue.ListExact([]knownvalue.Check{})),
			// Spelled out, not derived from the seed.
			expectAttr("data.flosum_backup_templates.archive", "templates", knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id": knownvalue.Int64Exact(2003), "name": knownvalue.StringExact("Old cases"), "type": knownvalue.StringExact("archive"),
				"updated_at": knownvalue.StringExact(now.UTC().Truncate(time.Hour).Add(-240 * time.Hour).Format(time.RFC3339)),
			})})),
		},
	})
}

// 2,500 templates take two pages; every one is in state, sorted by id.
func TestBackupTemplatesDataSource_paging(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var templates []testserver.Template
	for i := range int64(2500) {
		templates = append(templates, testserver.Template{ID: 10 + i, Name: fmt.Sprintf("Template %d", i), Type: testserver.TemplateTypes[i%2],
			UpdatedAt: now.Add(-time.Duration(i) * time.Minute), Roots: [][]testserver.Root{}})
	}
	srv := startDataServer(t, 1, now, map[int64]testserver.ConnectionData{1: {Templates: templates}})
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `data "flosum_backup_templates" "all" { connection_id = 1 }`,
		Check:  checkNow(func() error { return requestsTo(srv, "/api/v1/connections/1/templates", 2) }),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_backup_templates.all", "total", knownvalue.Int64Exact(2500)),
			expectAttr("data.flosum_backup_templates.all", "backup_templates_count", knownvalue.Int64Exact(1250)),
			expectAttr("data.flosum_backup_templates.all", "templates", templateSummariesCheck(templates...)),
		},
	})
}

// A backup template read by id, with its tree of roots; fields the API
// leaves out are null.
func TestBackupTemplateDataSource(t *testing.T) {
	t.Parallel()
	now := time.Now()
	srv := startDataServer(t, 3, now, nil)
	seeded := seedDataOf(3, now).Templates
	terraformTest(t, resource.TestStep{
		Config: providerBlock(srv, "") + `
data "flosum_backup_template" "accounts" {
  connection_id = 3
  id            = 3001
}
data "flosum_backup_template" "custom" {
  connection_id = 3
  id            = 3002
}
`,
		Check: checkNow(func() error {
			if srv.RequestCount() != 2 || countPath(srv, "/api/v1/connections/3/templates/backup/3001") != 1 {
				return fmt.Errorf("requests = %+v, want one per template", srv.Requests())
			}
			return nil
		}),
		ConfigStateChecks: []statecheck.StateCheck{
			expectAttr("data.flosum_backup_template.accounts", "connection_id", knownvalue.Int64Exact(3)),
			expectAttr("data.flosum_backup_template.accounts", "id", knownvalue.Int64Exact(3001)),
			expectAttr("data.flosum_backup_template.accounts", "name", knownvalue.StringExact(seeded[0].Name)),
			expectAttr("data.flosum_backup_template.accounts", "type", knownvalue.StringExact("backup")),
			expectAttr("data.flosum_backup_template.accounts", "description", stringOrNull(seeded[0].Description)),
			expectAttr("data.flosum_backup_template.accounts", "roots", rootsCheck(seeded[0].Roots)),
			expectAttr("data.flosum_backup_template.custom", "description", knownvalue.Null()),
			expectAttr("data.flosum_backup_template.custom", "roots", rootsCheck(seeded[1].Roots)),
			// Spelled out: the Case root leaves out every optional field
			// but its parent and relationship.
			statecheckRoot("data.flosum_backup_template.accounts", 0, 2, map[string]knownvalue.Check{
				"id": knownvalue.Int64Exact(3), "level": knownvalue.Int64Exact(2), "parent_id": knownvalue.Int64Exact(2),
				"object_api_name": knownvalue.StringExact("Case"), "label": knownvalue.StringExact("Case"),
				"relationship_name": knownvalue.StringExact("Cases"), "filter_mode": knownvalue.Null(), "soql_filter": knownvalue.Null(),
				"custom_logic": knownvalue.Null(), "skip_remove": knownvalue.Null(), "declarative_filter": knownvalue.Null(),
			}),
		},
	})
}
