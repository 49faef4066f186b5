// Package tfrun runs terraform, or OpenTofu's tofu, against a provider built
// from this module, for the Terraform-driven tests, the benchmarks and the
// demo: it finds the binary, builds the provider, writes a CLI configuration
// whose dev_overrides point at it (so no terraform init and no network), and
// runs commands in an environment of their own.
//
// It knows nothing of the provider itself (callers pass its address), so the
// provider's own tests can use it.
package tfrun

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// ProviderPackage is the provider's main package, this module's root.
const ProviderPackage = "github.com/flosum/terraform-provider-flosum"

// openTofuHost is the registry host OpenTofu gives a source address such as
// "flosum/flosum".
const openTofuHost = "registry.opentofu.org"

// Path returns TF_ACC_TERRAFORM_PATH when set (e.g. OpenTofu's tofu), else
// terraform from PATH.
func Path() (string, error) {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		found, err := exec.LookPath("terraform")
		if err != nil {
			return "", errors.New("no terraform binary found: put terraform (1.8 or later) on PATH, or set TF_ACC_TERRAFORM_PATH (e.g. to OpenTofu's tofu)")
		}
		return found, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH: %w", err)
	}
	if info.IsDir() {
		return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH=%s is a directory, not a terraform binary", path)
	}
	return path, nil
}

// Main is a package's TestMain (m is its *testing.M): it exits with a
// failure when no terraform binary is found, rather than letting tests skip;
// points a TF_CLI_CONFIG_FILE that names a missing file (which only makes
// terraform warn) at os.DevNull; unsets the variables in unset so that a
// developer's shell cannot change results; and runs m.
func Main(m interface{ Run() int }, unset ...string) {
	if _, err := Path(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: "+err.Error())
		os.Exit(1)
	}
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			_ = os.Setenv("TF_CLI_CONFIG_FILE", os.DevNull)
		}
	}
	for _, name := range unset {
		_ = os.Unsetenv(name)
	}
	os.Exit(m.Run())
}

// ModuleRoot returns the directory of the main module's go.mod, as the go
// command finds it from the working directory.
func ModuleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run this inside the provider's module (no go.mod in the working directory or above it)")
	}
	return filepath.Dir(gomod), nil
}

// Build builds the main package pkg (an import path of this module) into
// the binary out, adding .exe on Windows, and returns out.
func Build(ctx context.Context, pkg, out string) (string, error) {
	return BuildIn(ctx, "", pkg, out)
}

// BuildIn is Build for a main package of the module in dir (such as a tools
// module's); "" is the working directory's module.
func BuildIn(ctx context.Context, dir, pkg, out string) (string, error) {
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = dir
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, output)
	}
	return out, nil
}

// ProviderBinary is where terraform looks for the provider of address
// (host/namespace/type) in a dev_overrides directory:
// dir/terraform-provider-<type>, without .exe.
func ProviderBinary(dir, address string) string {
	return filepath.Join(dir, "terraform-provider-"+path.Base(address))
}

// Terraform is a terraform (or tofu) binary set up to use a provider from a
// local directory.
type Terraform struct {
	// Path is the binary.
	Path string
	// Env is the environment every command runs with; append to it.
	Env []string
}

// New finds the binary (see Path), writes the CLI configuration cliConfig
// whose dev_overrides make terraform use the provider in pluginDir (see
// ProviderBinary), and returns it with an environment made from this
// process's: without FLOSUM_* settings, without the TF_* ones that change
// what terraform does (TF_CLI_ARGS, TF_VAR_*, TF_DATA_DIR, ...; TF_LOG* are
// kept, to debug with) and without Go runtime settings for the provider
// (GOGC, GOMEMLIMIT, GODEBUG); with cliConfig, no update check and
// automation-style output.
//
// The override holds for address under Terraform's registry host, under
// OpenTofu's and under TF_ACC_PROVIDER_HOST, with address's namespace and
// with TF_ACC_PROVIDER_NAMESPACE when set, so that the same configuration
// runs with either CLI. (Those variables describe the provider under test
// for terraform-plugin-testing; another provider, such as the benchmark's
// hashicorp/http, keeps its own namespace.)
func New(cliConfig, address, pluginDir string) (*Terraform, error) {
	bin, err := Path()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(cliConfig, []byte(devOverrides(address, pluginDir)), 0o600); err != nil {
		return nil, err
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "FLOSUM_"):
		case strings.HasPrefix(name, "TF_") && !strings.HasPrefix(name, "TF_LOG"):
		case name == "GOGC" || name == "GOMEMLIMIT" || name == "GODEBUG":
		default:
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return &Terraform{Path: bin, Env: env}, nil
}

// WithProvider builds ProviderPackage into dir/bin and returns terraform set
// up to use it (see New), with its CLI configuration in dir.
func WithProvider(ctx context.Context, dir, address string) (*Terraform, error) {
	binDir := filepath.Join(dir, "bin")
	if _, err := Build(ctx, ProviderPackage, ProviderBinary(binDir, address)); err != nil {
		return nil, err
	}
	return New(filepath.Join(dir, "terraformrc"), address, binDir)
}

// devOverrides is a CLI configuration that installs address, under every
// host a test may run it with, from pluginDir.
func devOverrides(address, pluginDir string) string {
	host, rest, _ := strings.Cut(address, "/")
	namespace, typeName, _ := strings.Cut(rest, "/")
	namespaces := []string{namespace}
	if ns := os.Getenv("TF_ACC_PROVIDER_NAMESPACE"); ns != "" && ns != namespace {
		namespaces = append(namespaces, ns)
	}
	hosts := []string{host, openTofuHost}
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" && !slices.Contains(hosts, h) {
		hosts = append(hosts, h)
	}
	var cfg strings.Builder
	cfg.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, ns := range namespaces {
		for _, h := range hosts {
			fmt.Fprintf(&cfg, "    %q = %q\n", h+"/"+ns+"/"+typeName, pluginDir)
		}
	}
	cfg.WriteString("  }\n  direct {}\n}\n")
	return cfg.String()
}

// Command makes a terraform command run in dir. Canceling ctx interrupts it
// once, as terraform expects for a graceful stop, and kills it if it is
// still running 10 seconds later.
func (tf *Terraform) Command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, tf.Path, args...)
	cmd.Dir = dir
	cmd.Env = slices.Clone(tf.Env)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// Run runs a terraform command in dir and returns its standard output; see
// Output.
func (tf *Terraform) Run(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return Output(tf.Command(ctx, dir, args...))
}

// Output runs cmd and returns its standard output. When it fails, the error
// gives the command, how long it ran and everything it printed.
func Output(cmd *exec.Cmd) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%s %s: %w (after %.1fs)\n--- stdout:\n%s\n--- stderr:\n%s",
			filepath.Base(cmd.Path), strings.Join(cmd.Args[1:], " "), err, time.Since(start).Seconds(), stdout.String(), stderr.String())
	}
	return stdout.Bytes(), nil
}

// Version returns the first line of `terraform version`.
func (tf *Terraform) Version(ctx context.Context) (string, error) {
	out, err := tf.Run(ctx, "", "version")
	first, _, _ := strings.Cut(string(out), "\n")
	return first, err
}
