package contract_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
)

// TestClientReadsBelowAConnectionFollowTheSpec sends every read the client
// makes below a connection, with and without filters, and checks each
// request and answer (200, 400, 404, 409) against the vendor's document.
func TestClientReadsBelowAConnectionFollowTheSpec(t *testing.T) {
	checker, srv, url := serve(t, 5)
	client, err := flosumapi.New(flosumapi.Config{BaseURL: url, AccessToken: srv.Token(), RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	yes := true
	template := int64(2001)
	calls := []struct {
		name string
		call func() error
		want func(error) bool
	}{
		{"settings", func() error { _, err := client.GetConnectionSettings(ctx, 2); return err }, nil},
		{"settings of no connection", func() error { _, err := client.GetConnectionSettings(ctx, 99); return err }, flosumapi.IsNotFound},
		{"backups", func() error {
			_, err := client.ListBackups(ctx, 2, flosumapi.BackupFilter{Types: flosumapi.BackupTypes, Statuses: flosumapi.JobStatuses})
			return err
		}, nil},
		{"backups, every filter", func() error {
			_, err := client.ListBackups(ctx, 2, flosumapi.BackupFilter{
				Types: []string{"full", "archive"}, Statuses: []string{"Completed"}, Search: "Backup", IncludeMetadata: &yes,
				StartedDate: "2020-01-01T00:00:00Z", EndDate: "2030-01-01T00:00:00.000Z",
			})
			return err
		}, nil},
		{"backups, a date the API refuses", func() error {
			_, err := client.ListBackups(ctx, 2, flosumapi.BackupFilter{Types: flosumapi.BackupTypes, Statuses: flosumapi.JobStatuses, StartedDate: "soon"})
			return err
		}, flosumapi.IsBadRequest},
		{"templates", func() error { _, err := client.ListTemplates(ctx, 2, flosumapi.TemplateTypes, ""); return err }, nil},
		{"templates, filtered", func() error { _, err := client.ListTemplates(ctx, 2, []string{"archive"}, "cases"); return err }, nil},
		{"template", func() error { _, err := client.GetBackupTemplate(ctx, 2, 2001); return err }, nil},
		{"no such template", func() error { _, err := client.GetBackupTemplate(ctx, 2, 2003); return err }, flosumapi.IsNotFound},
		{"schedulers", func() error { _, err := client.ListSchedulers(ctx, 2, nil); return err }, nil},
		{"schedulers of a template", func() error { _, err := client.ListSchedulers(ctx, 2, &template); return err }, nil},
		{"scheduler", func() error { _, err := client.GetBackupScheduler(ctx, 2, 2015); return err }, nil},
		{"inaccessible scheduler", func() error { _, err := client.GetBackupScheduler(ctx, 2, 2016); return err }, flosumapi.IsConflict},
		{"no such scheduler", func() error { _, err := client.GetBackupScheduler(ctx, 2, 9); return err }, flosumapi.IsNotFound},
	}
	for _, c := range calls {
		err := c.call()
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != nil && !c.want(err):
			t.Errorf("%s: error %v is not the one expected", c.name, err)
		}
	}
	if got := checker.Checked(); got != len(calls) {
		t.Errorf("checked %d exchanges, want %d", got, len(calls))
	}
	if v := checker.Violations(); len(v) > 0 {
		t.Errorf("traffic does not follow the spec:\n%s", strings.Join(v, "\n"))
	}
	if srv.RequestCount() != len(calls) {
		t.Errorf("server saw %d requests, want %d", srv.RequestCount(), len(calls))
	}
}
