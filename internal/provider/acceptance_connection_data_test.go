package provider

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// What is read below the tenant's connection agrees with itself: each data
// source names the connection, lists hold total items in their order, dates
// are RFC 3339, and the first backup template read by id is the one listed.
func TestAccDataSources_belowAConnection(t *testing.T) {
	t.Parallel()
	tn := accTenant(t)
	terraformTest(t, resource.TestStep{
		Config: tn.providerBlock() + fmt.Sprintf(`
locals {
  connection_id = %d
}

data "flosum_connection_settings" "c" {
  connection_id = local.connection_id
}

data "flosum_backups" "all" {
  connection_id = local.connection_id
}

data "flosum_backup_templates" "all" {
  connection_id = local.connection_id
}

locals {
  backup_template_ids = [for t in data.flosum_backup_templates.all.templates : t.id if t.type == "backup"]
}

data "flosum_backup_template" "first" {
  count         = min(length(local.backup_template_ids), 1)
  connection_id = local.connection_id
  id            = local.backup_template_ids[0]
}

data "flosum_backup_schedulers" "all" {
  connection_id = local.connection_id
}
`, tn.connectionID),
		ConfigStateChecks: []statecheck.StateCheck{relationCheck(func(s accState) error { return s.agreeBelow(tn) })},
	})
}

func (s accState) agreeBelow(tn *tenant) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, address := range []string{"data.flosum_connection_settings.c", "data.flosum_backups.all", "data.flosum_backup_templates.all", "data.flosum_backup_schedulers.all"} {
		if id, ok := wholeNumber(s.values[address]["connection_id"]); !ok || id != tn.connectionID {
			fail("%s connection_id = %v, want %d", address, s.values[address]["connection_id"], tn.connectionID)
		}
	}
	quota, _ := s.values["data.flosum_connection_settings.c"]["api_quota"].(map[string]any)
	for _, name := range []string{"rest", "bulk"} {
		if n, ok := wholeNumber(quota[name]); !ok || n < 1 || n > 100 {
			fail("api_quota.%s = %v, want a percentage, 1 to 100 (the vendor document's range)", name, quota[name])
		}
	}

	// Backups: newest first, ties by id descending.
	backups := s.items("data.flosum_backups.all", "backups", fail)
	var previous time.Time
	previousID := int64(0)
	for i, b := range backups {
		started, err := time.Parse(time.RFC3339, fmt.Sprint(b["started_date"]))
		id, _ := wholeNumber(b["id"])
		switch {
		case err != nil:
			fail("backup %v: started_date %v is not RFC 3339", b["id"], b["started_date"])
		case i > 0 && (started.After(previous) || started.Equal(previous) && id >= previousID):
			fail("backup %v (started %v) follows backup %d (started %v): want newest first, then id descending", b["id"], b["started_date"], previousID, previous)
		}
		previous, previousID = started, id
	}

	// Templates and schedulers: by id ascending.
	templates := s.items("data.flosum_backup_templates.all", "templates", fail)
	ascending("templates", templates, fail)
	for _, tmpl := range templates {
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(tmpl["updated_at"])); err != nil {
			fail("template %v: updated_at %v is not RFC 3339", tmpl["id"], tmpl["updated_at"])
		}
	}
	ascending("schedulers", s.items("data.flosum_backup_schedulers.all", "schedulers", fail), fail)

	// The first backup template, read by id, is the one listed.
	first, read := s.values["data.flosum_backup_template.first[0]"]
	for _, tmpl := range templates {
		if tmpl["type"] == "backup" && !read {
			fail("backup template %v is listed but the first one was not read by id", tmpl["id"])
			break
		}
	}
	if read {
		for _, tmpl := range templates {
			if jsonEqual(tmpl["id"], first["id"]) && (!jsonEqual(tmpl["name"], first["name"]) || !jsonEqual(tmpl["type"], first["type"])) {
				fail("template %v: listed as %v (%v), read by id as %v (%v)", tmpl["id"], tmpl["name"], tmpl["type"], first["name"], first["type"])
			}
		}
		if _, ok := first["roots"].([]any); !ok {
			fail("template %v read by id has no roots list", first["id"])
		}
	}
	return errors.Join(errs...)
}

// items returns the list attribute of address, checking that its total
// (when it has one) counts it.
func (s accState) items(address, attribute string, fail func(string, ...any)) []map[string]any {
	raw, ok := s.values[address][attribute].([]any)
	if !ok {
		fail("%s.%s is not a list: %v", address, attribute, s.values[address][attribute])
	}
	if total, has := s.values[address]["total"]; has {
		if n, ok := wholeNumber(total); !ok || n != int64(len(raw)) {
			fail("%s: total %v, %d %s", address, total, len(raw), attribute)
		}
	}
	items := make([]map[string]any, len(raw))
	for i, r := range raw {
		items[i], _ = r.(map[string]any)
	}
	return items
}

// ascending checks that items have ids of at least 1, ascending.
func ascending(what string, items []map[string]any, fail func(string, ...any)) {
	previous := int64(0)
	for i, item := range items {
		id, ok := wholeNumber(item["id"])
		if !ok || id <= previous {
			fail("%s: element %d has id %v after %d: want ids of at least 1, ascending", what, i, item["id"], previous)
		}
		previous = id
	}
}
