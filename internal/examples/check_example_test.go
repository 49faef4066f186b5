package examples_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// TestProductionBackupsCheck runs the check example against data where its
// assertion holds and data where it fails: Terraform warns then, naming the
// org, and the apply still succeeds.
func TestProductionBackupsCheck(t *testing.T) {
	const name = "checks/production_backups/main.tf"
	config, err := os.ReadFile(filepath.Join(examplesDir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, c := range []struct {
		name string
		data map[int64]testserver.ConnectionData
		// missing lists the production orgs without a recent backup.
		missing []string
	}{
		{name: "every production org backed up"},
		{
			// Connection 6, a production org, was last backed up three days ago;
			// connection 7, a sandbox, never: only 6 counts.
			name: "one production org not backed up for three days",
			data: map[int64]testserver.ConnectionData{
				6: {Backups: testserver.SeedBackups(6, 12, now.Add(-72*time.Hour))},
				7: {Backups: []testserver.Backup{}},
			},
			missing: []string{"Operations Production 6"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeConfig(t, dir, filepath.Base(name), config)
			srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(seededConnections), Data: c.data})
			run := terraformFor(t, srv)
			applied := string(run(dir, "apply", "-auto-approve", "-input=false", "-no-color"))
			got := readOutputs(t, run(dir, "output", "-json"))

			warned := strings.Contains(applied, "Warning: Check block assertion failed")
			message := "No completed backup in the last 24 hours for: " + strings.Join(c.missing, ", ") + "."
			switch {
			case len(c.missing) == 0 && warned:
				t.Errorf("the check warned where every production org was backed up:\n%s", applied)
			case len(c.missing) > 0 && (!warned || !strings.Contains(applied, message)):
				t.Errorf("the apply's output does not hold the check's warning %q:\n%s", message, applied)
			}
			want := normalize(t, map[string]any{"production_orgs_checked": 3, "without_recent_backup": append([]string{}, c.missing...)})
			if !reflect.DeepEqual(any(got), want) {
				t.Errorf("outputs = %s, want %s", compactJSON(got), compactJSON(want))
			}
			// One list of connections, and one read of backups per production org.
			if srv.RequestCount() != 1+3 {
				t.Errorf("requests = %d, want 4: %+v", srv.RequestCount(), srv.Requests())
			}
		})
	}
}
