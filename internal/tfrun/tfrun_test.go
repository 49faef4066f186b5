package tfrun

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDevOverrides(t *testing.T) {
	const address = "registry.terraform.io/flosum/flosum"
	for _, tt := range []struct {
		name, host, namespace string
		want                  []string
	}{{
		name: "Terraform's and OpenTofu's hosts",
		want: []string{
			`"registry.terraform.io/flosum/flosum" = "/plugins"`,
			`"registry.opentofu.org/flosum/flosum" = "/plugins"`,
		},
	}, {
		name: "a host already listed is not repeated", host: "registry.opentofu.org",
		want: []string{
			`"registry.terraform.io/flosum/flosum" = "/plugins"`,
			`"registry.opentofu.org/flosum/flosum" = "/plugins"`,
		},
	}, {
		name: "TF_ACC_PROVIDER_NAMESPACE as the address has it is not repeated", host: "registry.opentofu.org", namespace: "flosum",
		want: []string{
			`"registry.terraform.io/flosum/flosum" = "/plugins"`,
			`"registry.opentofu.org/flosum/flosum" = "/plugins"`,
		},
	}, {
		// Another namespace is added, not put in place of the address's:
		// the variables describe the provider under test, and another
		// provider (the benchmark's hashicorp/http) must keep its own.
		name: "TF_ACC_PROVIDER_HOST and TF_ACC_PROVIDER_NAMESPACE", host: "registry.example.com", namespace: "acme",
		want: []string{
			`"registry.terraform.io/flosum/flosum" = "/plugins"`,
			`"registry.opentofu.org/flosum/flosum" = "/plugins"`,
			`"registry.example.com/flosum/flosum" = "/plugins"`,
			`"registry.terraform.io/acme/flosum" = "/plugins"`,
			`"registry.opentofu.org/acme/flosum" = "/plugins"`,
			`"registry.example.com/acme/flosum" = "/plugins"`,
		},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TF_ACC_PROVIDER_HOST", tt.host)
			t.Setenv("TF_ACC_PROVIDER_NAMESPACE", tt.namespace)
			want := "provider_installation {\n  dev_overrides {\n    " + strings.Join(tt.want, "\n    ") + "\n  }\n  direct {}\n}\n"
			if got := devOverrides(address, "/plugins"); got != want {
				t.Errorf("devOverrides:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestNewEnvironment(t *testing.T) {
	for _, kv := range []string{"FLOSUM_ACCESS_TOKEN=secret", "TF_VAR_x=1", "TF_CLI_ARGS=-no-color", "GOGC=1", "TF_LOG=debug", "TFRUN_TEST_KEPT=yes"} {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	cliConfig := filepath.Join(t.TempDir(), "terraformrc")
	tf, err := New(cliConfig, "registry.terraform.io/flosum/flosum", "/plugins")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range []string{"TF_LOG=debug", "TFRUN_TEST_KEPT=yes", "TF_CLI_CONFIG_FILE=" + cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"} {
		if !slices.Contains(tf.Env, kv) {
			t.Errorf("environment lacks %s", kv)
		}
	}
	for _, kv := range tf.Env {
		for _, dropped := range []string{"FLOSUM_", "TF_VAR_", "TF_CLI_ARGS=", "GOGC="} {
			if strings.HasPrefix(kv, dropped) {
				t.Errorf("environment keeps %s", kv)
			}
		}
	}
	written, err := os.ReadFile(cliConfig)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(written), `"registry.terraform.io/flosum/flosum" = "/plugins"`) {
		t.Errorf("the CLI configuration does not override the provider:\n%s", written)
	}
}

func TestPathRefusesADirectory(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TF_ACC_TERRAFORM_PATH", dir)
	if _, err := Path(); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Path() with TF_ACC_TERRAFORM_PATH=%s: error %v, want one saying it is a directory", dir, err)
	}
}

// A failing command's error names it and carries what it printed.
func TestRunReportsFailure(t *testing.T) {
	tf, err := New(filepath.Join(t.TempDir(), "terraformrc"), "registry.terraform.io/flosum/flosum", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, err = tf.Run(context.Background(), t.TempDir(), "no-such-subcommand")
	if err == nil {
		t.Fatal("terraform no-such-subcommand succeeded")
	}
	for _, want := range []string{filepath.Base(tf.Path) + " no-such-subcommand", "--- stdout:", "--- stderr:", "no-such-subcommand"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestMain(m *testing.M) { Main(m) }
