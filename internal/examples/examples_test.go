package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

// seededConnections is how many sample connections the test server holds;
// the org ids written in the examples are those of testserver.Seed.
const seededConnections = 12

// expectedOutputs lists, for every .tf file under examples/ (by its path
// relative to examples/), the exact value of each of its outputs, as
// `terraform output -json` gives it. Values are compared as JSON: write them
// as any Go value that marshals to the expected JSON. A file missing here
// fails TestExamples, as does an output not listed.
var expectedOutputs = map[string]map[string]any{
	"provider/provider.tf": {
		"connection_count": seededConnections,
	},
	"ephemeral-resources/flosum_access_token/ephemeral-resource.tf": {
		"connection_count": seededConnections,
	},
	"data-sources/flosum_connection/data-source.tf": {
		"by_id": map[string]any{
			"name":              "Marketing Sandbox 3",
			"salesforce_org_id": "00DEMOAKtqtrlI02HI",
			"org_type":          "SANDBOX",
			"user_name":         "admin3@marketing.example.com",
		},
		"by_org_id": map[string]any{
			"id":                1,
			"name":              "Sales Production 1",
			"salesforce_org_id": "00DUVOzcwTOBaD0", // as written
			"org_type":          "PRODUCTION",
		},
	},
	"data-sources/flosum_connections/data-source.tf": {
		"connection_count": seededConnections,
		"production_orgs": map[string]any{
			"1": map[string]any{
				"name":              "Sales Production 1",
				"salesforce_org_id": "00DUVOzcwTOBaD02RL",
				"user_full_name":    "Admin 1",
			},
			"6": map[string]any{
				"name":              "Operations Production 6",
				"salesforce_org_id": "00DTP6GpV8W3ZF02KN",
				"user_full_name":    "Admin 6",
			},
			"11": map[string]any{
				"name":              "Marketing Production 11",
				"salesforce_org_id": "00Di3p7z4ndvXH0EAM",
				"user_full_name":    "Admin 11",
			},
		},
		"sales_connection_ids": []int{1, 9},
		"sandbox_names": []string{
			"Service Sandbox 2", "Marketing Sandbox 3", "Finance Sandbox 4", "Support Sandbox 5",
			"Commerce Sandbox 7", "Partner Sandbox 8", "Sales Sandbox 9", "Service Sandbox 10",
			"Finance Sandbox 12",
		},
	},
	"data-sources/flosum_connection_id/data-source.tf": {
		"connection_id":   4,
		"connection_name": "Finance Sandbox 4",
	},
	"data-sources/flosum_connection_settings/data-source.tf": {
		"api_quota":             map[string]any{"rest": 51, "bulk": 31},
		"scheduled_backups_run": true,
	},
	"data-sources/flosum_backups/data-source.tf": {
		"completed_last_week": 7,
		"latest_completed":    "Templated Backup 11",
	},
	"data-sources/flosum_backup_templates/data-source.tf": {
		"templates":         map[string]any{"Accounts and contacts": "backup", "Custom objects": "backup", "Old cases": "archive"},
		"archive_templates": 1,
	},
	"data-sources/flosum_backup_template/data-source.tf": {
		"description": "Accounts with their contacts and cases",
		"objects":     [][]string{{"Account", "Contact", "Case"}, {"Opportunity"}},
	},
	"data-sources/flosum_backup_schedulers/data-source.tf": {
		"schedules": map[string]any{
			"Hourly full backup":     "hourly at 00:15 UTC",
			"Daily accounts":         "daily at 02:00 Europe/Berlin",
			"Weekly full and sync":   "weekly at 03:30 America/New_York",
			"Monthly custom objects": "monthly at 04:00 UTC",
			"Archive old cases":      "monthly at 23:00 Asia/Tokyo",
			"Retention policy":       "daily at 05:00 UTC",
		},
		"default_scheduler": "Hourly full backup",
	},
	"data-sources/flosum_backup_scheduler/data-source.tf": {
		"description":       "Accounts every night",
		"template_name":     "Accounts and contacts",
		"includes_metadata": false,
	},
	// Every seeded connection had a completed backup in the last 24 hours;
	// TestProductionBackupsCheck runs it where one had not.
	"checks/production_backups/main.tf": {
		"production_orgs_checked": 3,
		"without_recent_backup":   []string{},
	},
	"functions/salesforce_id_18/function.tf": {
		"case_safe_id": "00DB00000003brXMAQ",
		"restored_id":  "00DB00000003brXMAQ",
		"same_org":     true,
	},
	"functions/salesforce_id_15/function.tf": {
		"short_id":            "00DB00000003brX",
		"sales_org_is_listed": true,
	},
	"demo/main.tf": {
		"latest_backups": []string{
			"  1  Sales Production 1        Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  2  Service Sandbox 2         Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  3  Marketing Sandbox 3       Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  4  Finance Sandbox 4         Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  5  Support Sandbox 5         Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  6  Operations Production 6   Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  7  Commerce Sandbox 7        Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  8  Partner Sandbox 8         Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			"  9  Sales Sandbox 9           Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			" 10  Service Sandbox 10        Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			" 11  Marketing Production 11   Templated Archive 12 (In Progress); last completed: Templated Backup 11",
			" 12  Finance Sandbox 12        Templated Archive 12 (In Progress); last completed: Templated Backup 11",
		},
		"schedules": []string{
			"  1  Sales Production 1        6: hourly, daily, weekly, monthly, monthly, daily",
			"  2  Service Sandbox 2         6: hourly, daily, weekly, monthly, monthly, daily",
			"  3  Marketing Sandbox 3       6: hourly, daily, weekly, monthly, monthly, daily",
			"  4  Finance Sandbox 4         6: hourly, daily, weekly, monthly, monthly, daily",
			"  5  Support Sandbox 5         6: hourly, daily, weekly, monthly, monthly, daily",
			"  6  Operations Production 6   6: hourly, daily, weekly, monthly, monthly, daily",
			"  7  Commerce Sandbox 7        6: hourly, daily, weekly, monthly, monthly, daily",
			"  8  Partner Sandbox 8         6: hourly, daily, weekly, monthly, monthly, daily",
			"  9  Sales Sandbox 9           6: hourly, daily, weekly, monthly, monthly, daily",
			" 10  Service Sandbox 10        6: hourly, daily, weekly, monthly, monthly, daily",
			" 11  Marketing Production 11   6: hourly, daily, weekly, monthly, monthly, daily",
			" 12  Finance Sandbox 12        6: hourly, daily, weekly, monthly, monthly, daily",
		},
		"connections": []string{
			"  1  PRODUCTION  Sales Production 1",
			"  2  SANDBOX     Service Sandbox 2",
			"  3  SANDBOX     Marketing Sandbox 3",
			"  4  SANDBOX     Finance Sandbox 4",
			"  5  SANDBOX     Support Sandbox 5",
			"  6  PRODUCTION  Operations Production 6",
			"  7  SANDBOX     Commerce Sandbox 7",
			"  8  SANDBOX     Partner Sandbox 8",
			"  9  SANDBOX     Sales Sandbox 9",
			" 10  SANDBOX     Service Sandbox 10",
			" 11  PRODUCTION  Marketing Production 11",
			" 12  SANDBOX     Finance Sandbox 12",
		},
		"connection_for_org_id": map[string]any{
			"salesforce_org_id":    "00DEMOAKtqtrlI0",
			"id":                   3,
			"name":                 "Marketing Sandbox 3",
			"salesforce_org_id_18": "00DEMOAKtqtrlI02HI",
			"user_name":            "admin3@marketing.example.com",
		},
		"connection_by_id": map[string]any{
			"id":                  1,
			"name":                "Sales Production 1",
			"salesforce_org_id":   "00DUVOzcwTOBaD02RL",
			"salesforce_org_type": "PRODUCTION",
			"user_full_name":      "Admin 1",
		},
	},
}

// Set up by TestMain for every test.
var (
	// tf is the terraform (or tofu) the tests run, using the provider built
	// for them.
	tf *tfrun.Terraform
	// terraformVersion is its first line of `terraform version`.
	terraformVersion string
	// examplesDir is the repository's examples directory.
	examplesDir string
	// buildTime is how long building the provider took.
	buildTime time.Duration
)

// TestMain builds the provider once and sets up terraform to use it
// (dev_overrides, so no `terraform init` and no network). It fails loudly,
// rather than letting the tests skip, when no terraform binary can be found:
// TF_ACC_TERRAFORM_PATH (say, OpenTofu's tofu) or else terraform on PATH.
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "FAIL: internal/examples: %v\n", err)
		return 1
	}
	ctx := context.Background()
	root, err := tfrun.ModuleRoot(ctx)
	if err != nil {
		return fail(err)
	}
	examplesDir = filepath.Join(root, "examples")

	tmp, err := os.MkdirTemp("", "flosum-examples-")
	if err != nil {
		return fail(err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	start := time.Now()
	if tf, err = tfrun.WithProvider(ctx, tmp, provider.Address); err != nil {
		return fail(err)
	}
	buildTime = time.Since(start)
	if terraformVersion, err = tf.Version(ctx); err != nil {
		return fail(err)
	}
	return m.Run()
}

// TestExamples applies every example with the real terraform, in a
// directory of its own, against a test server of its own with seeded data,
// configured through the FLOSUM_* environment variables as a user would;
// then it checks every output of `terraform output -json`. The examples run
// in parallel: each command gets its environment through exec.Cmd.Env.
func TestExamples(t *testing.T) {
	t.Logf("running %s (%s); the provider was built in %.1fs", tf.Path, terraformVersion, buildTime.Seconds())
	files := exampleFiles(t)
	for name := range expectedOutputs {
		if !slices.Contains(files, name) {
			t.Errorf("expectedOutputs lists examples/%s, which does not exist; remove it", name)
		}
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, ok := expectedOutputs[name]
			if !ok {
				t.Fatalf("examples/%s has no expected outputs: add its outputs and their values to expectedOutputs in internal/examples/examples_test.go", name)
			}
			if len(want) == 0 {
				t.Fatalf("examples/%s: expectedOutputs lists no outputs; an example should show its result with at least one output", name)
			}
			if strings.HasPrefix(name, "ephemeral-resources/") && !supportsEphemeralResources(terraformVersion) {
				t.Skipf("%s has no ephemeral resources (Terraform 1.10 and OpenTofu 1.11 have them)", terraformVersion)
			}
			config, err := os.ReadFile(filepath.Join(examplesDir, filepath.FromSlash(name)))
			if err != nil {
				t.Fatal(err)
			}

			dir := t.TempDir()
			writeConfig(t, dir, filepath.Base(name), config)

			srv := testserver.Start(t, testserver.Options{Connections: testserver.Seed(seededConnections)})
			run := terraformFor(t, srv)
			run(dir, "apply", "-auto-approve", "-input=false", "-no-color")
			got := readOutputs(t, run(dir, "output", "-json"))

			if names, wantNames := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(names, wantNames) {
				t.Errorf("examples/%s has outputs %q, but expectedOutputs lists %q; list every output with its expected value", name, names, wantNames)
			}
			for _, output := range slices.Sorted(maps.Keys(want)) {
				gotValue, ok := got[output]
				if !ok {
					continue // reported above
				}
				wantValue := normalize(t, want[output])
				if !reflect.DeepEqual(gotValue, wantValue) {
					t.Errorf("examples/%s: output %q differs (-want +got):\n%s\nwant: %s\ngot:  %s",
						name, output, strings.Join(diff("", wantValue, gotValue), "\n"), compactJSON(wantValue), compactJSON(gotValue))
				}
			}
			if srv.RequestCount() == 0 && usesDataSources(string(config)) {
				t.Errorf("examples/%s reads data sources but the test server received no request", name)
			}
		})
	}
}

// requiredProvidersFile is written beside an example that does not declare
// the provider's source itself: a configuration using such an example (the
// data sources' examples are fragments) declares it in its root module.
const requiredProvidersFile = `terraform {
  required_providers {
    flosum = {
      source = "` + provider.Source + `"
    }
  }
}
`

// writeConfig writes the example into dir, with the provider's source
// declared if the example does not declare it: without it terraform would
// look for hashicorp/flosum.
func writeConfig(t *testing.T, dir, base string, config []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, base), config, 0o600); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(config, []byte("required_providers")) {
		return
	}
	const name = "zz_required_providers.tf"
	if base == name {
		t.Fatalf("an example named %s needs a required_providers block", name)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(requiredProvidersFile), 0o600); err != nil {
		t.Fatal(err)
	}
}

// terraformFor returns a function that runs terraform in a directory,
// configured for srv through the FLOSUM_* environment variables as a user
// would, and returns its standard output; it fails the test, with
// everything terraform printed, if terraform fails. Commands are stopped a
// little before the test binary's deadline (go test -timeout), so that a
// hung terraform is reported rather than the whole binary panicking.
func terraformFor(t *testing.T, srv *testserver.Server) func(dir string, args ...string) []byte {
	ctx := t.Context()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-30*time.Second))
		t.Cleanup(cancel)
	}
	forServer := *tf
	forServer.Env = append(slices.Clone(tf.Env), "FLOSUM_BASE_URL="+srv.URL, "FLOSUM_ACCESS_TOKEN="+srv.Token())
	return func(dir string, args ...string) []byte {
		t.Helper()
		out, err := forServer.Run(ctx, dir, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// readOutputs decodes `terraform output -json` into each output's value.
func readOutputs(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &outputs); err != nil {
		t.Fatalf("decoding terraform output -json: %v\n%s", err, raw)
	}
	values := make(map[string]any, len(outputs))
	for name, o := range outputs {
		v, err := decodeJSON(o.Value)
		if err != nil {
			t.Fatalf("decoding the value of output %q: %v\n%s", name, err, o.Value)
		}
		values[name] = v
	}
	return values
}

// normalize turns an expected value into what decoding its JSON gives, so
// that it compares with a decoded output.
func normalize(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("expected value %#v: %v", v, err)
	}
	decoded, err := decodeJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	return decoded
}

// decodeJSON decodes one JSON value, keeping numbers as written (json.Number),
// so that they compare exactly.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// diff lists where want and got, decoded JSON values, differ: one line per
// difference, with its path.
func diff(path string, want, got any) []string {
	at := path
	if at == "" {
		at = "(value)"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			break
		}
		var lines []string
		for _, k := range slices.Sorted(maps.Keys(w)) {
			p := fmt.Sprintf("%s[%q]", path, k)
			if gv, ok := g[k]; ok {
				lines = append(lines, diff(p, w[k], gv)...)
			} else {
				lines = append(lines, fmt.Sprintf("- %s: %s", p, compactJSON(w[k])))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(g)) {
			if _, ok := w[k]; !ok {
				lines = append(lines, fmt.Sprintf("+ %s[%q]: %s", path, k, compactJSON(g[k])))
			}
		}
		return lines
	case []any:
		g, ok := got.([]any)
		if !ok {
			break
		}
		var lines []string
		for i := range max(len(w), len(g)) {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(g):
				lines = append(lines, fmt.Sprintf("- %s: %s", p, compactJSON(w[i])))
			case i >= len(w):
				lines = append(lines, fmt.Sprintf("+ %s: %s", p, compactJSON(g[i])))
			default:
				lines = append(lines, diff(p, w[i], g[i])...)
			}
		}
		return lines
	default:
		if reflect.DeepEqual(want, got) {
			return nil
		}
	}
	return []string{
		fmt.Sprintf("- %s: %s", at, compactJSON(want)),
		fmt.Sprintf("+ %s: %s", at, compactJSON(got)),
	}
}

func compactJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(raw)
}

// exampleFiles returns every .tf file under examples/, relative to it, with
// forward slashes, sorted.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(examplesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != examplesDir {
				return filepath.SkipDir // .terraform and the like
			}
			return nil
		}
		if filepath.Ext(path) == ".tf" {
			rel, err := filepath.Rel(examplesDir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", examplesDir, err)
	}
	if len(files) == 0 {
		t.Fatalf("no .tf files under %s", examplesDir)
	}
	slices.Sort(files)
	return files
}

func usesDataSources(config string) bool {
	return strings.Contains(config, `data "flosum_`)
}

// supportsEphemeralResources reports whether the first line of `terraform
// version` names Terraform 1.10 or later, or OpenTofu 1.11 or later.
func supportsEphemeralResources(version string) bool {
	m := regexp.MustCompile(`^(Terraform|OpenTofu) v(\d+)\.(\d+)`).FindStringSubmatch(version)
	if m == nil {
		return false
	}
	major, _ := strconv.Atoi(m[2])
	minor, _ := strconv.Atoi(m[3])
	least := 10
	if m[1] == "OpenTofu" {
		least = 11
	}
	return major > 1 || (major == 1 && minor >= least)
}
