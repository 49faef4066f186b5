package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// ProcessUsage is what the provider processes of one terraform command used.
type ProcessUsage struct {
	// Invocations is how many provider processes Terraform started.
	Invocations int
	// CPU is their user plus system CPU time, summed.
	CPU time.Duration
	// PeakRSS is the largest peak resident set size of any one, in bytes.
	PeakRSS int64
	// Wall is the terraform command's own wall time.
	Wall time.Duration
}

// PlanRunner runs terraform plan against a locally built provider whose
// every process is measured: Terraform finds, through dev_overrides, a
// script named terraform-provider-flosum that runs the real binary under the
// measure command, which appends each process's rusage to a file.
type PlanRunner struct {
	dir       string
	usageFile string
	cliConfig string
	extraEnv  []string
}

// NewPlanRunner builds the provider (the module at moduleDir, or its
// mainPackage when not ".") and the measure command into dir.
func NewPlanRunner(ctx context.Context, moduleDir, mainPackage, dir string) (*PlanRunner, error) {
	r := &PlanRunner{
		dir:       dir,
		usageFile: filepath.Join(dir, "usage.log"),
		cliConfig: filepath.Join(dir, "cli.tfrc"),
	}
	providerBinary := filepath.Join(dir, "real", "terraform-provider-flosum")
	measure := filepath.Join(dir, "measure")
	for _, build := range [][]string{
		{"go", "build", "-trimpath", "-o", providerBinary, mainPackage},
		{"go", "build", "-o", measure, "./internal/bench/cmd/measure"},
	} {
		cmd := exec.CommandContext(ctx, build[0], build[1:]...)
		cmd.Dir = moduleDir
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s: %v\n%s", strings.Join(build, " "), err, out)
		}
	}
	pluginDir := filepath.Join(dir, "plugin")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		return nil, err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %q -o %q -- %q \"$@\"\n", measure, r.usageFile, providerBinary)
	if err := os.WriteFile(filepath.Join(pluginDir, "terraform-provider-flosum"), []byte(script), 0o755); err != nil {
		return nil, err
	}
	cli := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"registry.terraform.io/flosum/flosum\" = %q\n  }\n  direct {}\n}\n", pluginDir)
	if err := os.WriteFile(r.cliConfig, []byte(cli), 0o644); err != nil {
		return nil, err
	}
	return r, nil
}

// SetEnv adds environment variables (NAME=value) for the provider.
func (r *PlanRunner) SetEnv(env ...string) { r.extraEnv = append(r.extraEnv, env...) }

// PlanConnections runs terraform plan of a configuration that lists every
// connection of srv with flosum_connections and outputs the total, checks
// the total is want, and returns what the provider processes used.
func (r *PlanRunner) PlanConnections(ctx context.Context, srv *testserver.Server, want int) (ProcessUsage, error) {
	work, err := os.MkdirTemp(r.dir, "plan-")
	if err != nil {
		return ProcessUsage{}, err
	}
	defer os.RemoveAll(work)
	config := fmt.Sprintf(`terraform {
  required_providers {
    flosum = { source = "flosum/flosum" }
  }
}

provider "flosum" {
  base_url     = %q
  access_token = %q
}

data "flosum_connections" "all" {}

output "total" {
  value = data.flosum_connections.all.total
}
`, srv.URL, srv.Token())
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o644); err != nil {
		return ProcessUsage{}, err
	}
	if err := os.Remove(r.usageFile); err != nil && !os.IsNotExist(err) {
		return ProcessUsage{}, err
	}

	cmd := exec.CommandContext(ctx, "terraform", "plan", "-input=false", "-no-color", "-lock=false")
	cmd.Dir = work
	cmd.Env = append(cleanEnv(), "TF_CLI_CONFIG_FILE="+r.cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	cmd.Env = append(cmd.Env, r.extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("terraform plan: %v\n%s", err, out.String())
	}
	if wantLine := fmt.Sprintf("total = %d", want); !strings.Contains(out.String(), wantLine) {
		return ProcessUsage{}, fmt.Errorf("terraform plan did not show %q:\n%s", wantLine, out.String())
	}
	usage, err := readUsage(r.usageFile)
	usage.Wall = wall
	return usage, err
}

// cleanEnv is the environment without Terraform logging and test settings,
// which would change what the provider does.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_LOG") || strings.HasPrefix(name, "TF_ACC") || name == "TF_CLI_CONFIG_FILE" ||
			name == "GOGC" || name == "GOMEMLIMIT" || name == "GODEBUG" || name == "TF_REATTACH_PROVIDERS" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// readUsage sums the lines measure wrote: "<cpu seconds> <max rss KiB> <wall seconds>".
func readUsage(name string) (ProcessUsage, error) {
	f, err := os.Open(name)
	if err != nil {
		return ProcessUsage{}, fmt.Errorf("no provider process was measured: %w", err)
	}
	defer f.Close()
	var u ProcessUsage
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) < 2 {
			return u, fmt.Errorf("%s: bad line %q", name, lines.Text())
		}
		cpu, err1 := strconv.ParseFloat(fields[0], 64)
		rssKiB, err2 := strconv.ParseInt(fields[1], 10, 64)
		if err1 != nil || err2 != nil {
			return u, fmt.Errorf("%s: bad line %q", name, lines.Text())
		}
		u.Invocations++
		u.CPU += time.Duration(cpu * float64(time.Second))
		u.PeakRSS = max(u.PeakRSS, rssKiB*1024)
	}
	return u, lines.Err()
}
