package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

// Main packages the plan runner builds, besides tfrun.ProviderPackage.
const (
	ProfiledProviderPackage = tfrun.ProviderPackage + "/internal/cmd/provider-profiled"
	measurePackage          = tfrun.ProviderPackage + "/internal/cmd/measure"
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
	tf        *tfrun.Terraform
	dir       string
	usageFile string
}

// NewPlanRunner builds the provider's main package mainPackage (an import
// path) and the measure command into dir.
func NewPlanRunner(ctx context.Context, mainPackage, dir string) (*PlanRunner, error) {
	if runtime.GOOS == "windows" {
		return nil, errors.New("measuring the provider process needs a Unix shell and rusage; it does not run on Windows")
	}
	r := &PlanRunner{dir: dir, usageFile: filepath.Join(dir, "usage.log")}
	providerBinary, err := tfrun.Build(ctx, mainPackage, tfrun.ProviderBinary(filepath.Join(dir, "real"), provider.Address))
	if err != nil {
		return nil, err
	}
	measure, err := tfrun.Build(ctx, measurePackage, filepath.Join(dir, "measure"))
	if err != nil {
		return nil, err
	}
	pluginDir := filepath.Join(dir, "plugin")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		return nil, err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %q -o %q -- %q \"$@\"\n", measure, r.usageFile, providerBinary)
	if err := os.WriteFile(tfrun.ProviderBinary(pluginDir, provider.Address), []byte(script), 0o755); err != nil {
		return nil, err
	}
	if r.tf, err = tfrun.New(filepath.Join(dir, "cli.tfrc"), provider.Address, pluginDir); err != nil {
		return nil, err
	}
	// Logging would change what the provider does.
	r.tf.Env = slices.DeleteFunc(r.tf.Env, func(kv string) bool { return strings.HasPrefix(kv, "TF_LOG") })
	return r, nil
}

// SetEnv adds environment variables (NAME=value) for the provider.
func (r *PlanRunner) SetEnv(env ...string) { r.tf.Env = append(r.tf.Env, env...) }

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
    flosum = { source = %q }
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
`, provider.Source, srv.URL, srv.Token())
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o644); err != nil {
		return ProcessUsage{}, err
	}
	if err := os.Remove(r.usageFile); err != nil && !os.IsNotExist(err) {
		return ProcessUsage{}, err
	}

	start := time.Now()
	out, err := r.tf.Run(ctx, work, "plan", "-input=false", "-no-color", "-lock=false")
	wall := time.Since(start)
	if err != nil {
		return ProcessUsage{}, err
	}
	if wantLine := fmt.Sprintf("total = %d", want); !strings.Contains(string(out), wantLine) {
		return ProcessUsage{}, fmt.Errorf("terraform plan did not show %q:\n%s", wantLine, out)
	}
	usage, err := readUsage(r.usageFile)
	usage.Wall = wall
	return usage, err
}

// readUsage sums the lines measure wrote: "<cpu seconds> <peak RSS bytes> <wall seconds>".
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
		rss, err2 := strconv.ParseInt(fields[1], 10, 64)
		if err1 != nil || err2 != nil {
			return u, fmt.Errorf("%s: bad line %q", name, lines.Text())
		}
		u.Invocations++
		u.CPU += time.Duration(cpu * float64(time.Second))
		u.PeakRSS = max(u.PeakRSS, rss)
	}
	return u, lines.Err()
}
