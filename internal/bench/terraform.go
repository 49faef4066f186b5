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

	"github.com/flosum/terraform-provider-flosum/internal/flosumapi"
	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

// Main packages the plan runner builds, besides tfrun.ProviderPackage.
const (
	ProfiledProviderPackage = tfrun.ProviderPackage + "/internal/cmd/provider-profiled"
	// FrameworkOnlyPackage is the provider served by the framework alone,
	// without the protocol server's direct reads: the baseline they are
	// measured against.
	FrameworkOnlyPackage = tfrun.ProviderPackage + "/internal/cmd/provider-framework-only"
	measurePackage       = tfrun.ProviderPackage + "/internal/cmd/measure"
)

// HTTPProviderAddress is hashicorp/http's address: the peer the provider is
// measured against, listing the same connections with its http data source
// and Terraform's jsondecode.
const HTTPProviderAddress = "registry.terraform.io/hashicorp/http"

// httpProviderModule is the tools module that pins hashicorp/http, and
// httpProviderPackage its main package there.
const (
	httpProviderModule  = "tools/peerhttp"
	httpProviderPackage = "github.com/terraform-providers/terraform-provider-http"
)

// ProcessUsage is what one terraform command used.
type ProcessUsage struct {
	// Invocations is how many provider processes Terraform started.
	Invocations int
	// CPU is their user plus system CPU time, summed.
	CPU time.Duration
	// PeakRSS is the largest peak resident set size of any one, in bytes.
	PeakRSS int64
	// Wall is the terraform command's own wall time.
	Wall time.Duration
	// PlanCPU is the user plus system CPU time of terraform and every
	// process it started and waited for (the provider processes among them).
	PlanCPU time.Duration
}

// PlanRunner runs terraform plan against a provider binary whose every
// process is measured: Terraform finds, through dev_overrides, a script in
// the provider's place that runs the real binary under the measure command,
// which appends each process's rusage to a file.
type PlanRunner struct {
	tf        *tfrun.Terraform
	dir       string
	usageFile string
}

// BuildProvider builds the main package mainPackage (an import path of this
// module) into dir as the provider of address.
func BuildProvider(ctx context.Context, mainPackage, address, dir string) (string, error) {
	return tfrun.Build(ctx, mainPackage, tfrun.ProviderBinary(dir, address))
}

// BuildHTTPProvider builds hashicorp/http, as pinned by tools/peerhttp, into
// dir.
func BuildHTTPProvider(ctx context.Context, dir string) (string, error) {
	root, err := tfrun.ModuleRoot(ctx)
	if err != nil {
		return "", err
	}
	return tfrun.BuildIn(ctx, filepath.Join(root, httpProviderModule), httpProviderPackage, tfrun.ProviderBinary(dir, HTTPProviderAddress))
}

// NewPlanRunner makes terraform, with its files in dir, use providerBinary
// as the provider of address, measuring every process of it.
func NewPlanRunner(ctx context.Context, providerBinary, address, dir string) (*PlanRunner, error) {
	if runtime.GOOS == "windows" {
		return nil, errors.New("measuring the provider process needs a Unix shell and rusage; it does not run on Windows")
	}
	r := &PlanRunner{dir: dir, usageFile: filepath.Join(dir, "usage.log")}
	measure, err := tfrun.Build(ctx, measurePackage, filepath.Join(dir, "measure"))
	if err != nil {
		return nil, err
	}
	pluginDir := filepath.Join(dir, "plugin")
	if err := os.MkdirAll(pluginDir, 0o755); err != nil {
		return nil, err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %q -o %q -- %q \"$@\"\n", measure, r.usageFile, providerBinary)
	if err := os.WriteFile(tfrun.ProviderBinary(pluginDir, address), []byte(script), 0o755); err != nil {
		return nil, err
	}
	if r.tf, err = tfrun.New(filepath.Join(dir, "cli.tfrc"), address, pluginDir); err != nil {
		return nil, err
	}
	// Logging would change what the provider does.
	r.tf.Env = slices.DeleteFunc(r.tf.Env, func(kv string) bool { return strings.HasPrefix(kv, "TF_LOG") })
	return r, nil
}

// SetEnv adds environment variables (NAME=value) for the provider.
func (r *PlanRunner) SetEnv(env ...string) { r.tf.Env = append(r.tf.Env, env...) }

// FlosumConfig lists every connection of srv with flosum_connections and
// outputs how many there are.
func FlosumConfig(srv *testserver.Server) string {
	return fmt.Sprintf(`terraform {
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
}

// HTTPConfig does what FlosumConfig does with hashicorp/http, as a user
// without this provider would: page 1 tells the total, one data source per
// further page, and jsondecode of every page.
func HTTPConfig(srv *testserver.Server) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    http = { source = "hashicorp/http" }
  }
}

locals {
  url     = "%[1]s%[2]s"
  limit   = %[4]d
  headers = { Authorization = "Bearer %[3]s" }
  first   = jsondecode(data.http.first.response_body)
}

data "http" "first" {
  url             = "${local.url}?page=1&limit=${local.limit}"
  request_headers = local.headers
}

data "http" "rest" {
  count           = ceil(local.first.total / local.limit) - 1
  url             = "${local.url}?page=${count.index + 2}&limit=${local.limit}"
  request_headers = local.headers
}

output "total" {
  value = length(concat(local.first.items, flatten([for page in data.http.rest : jsondecode(page.response_body).items])))
}
`, srv.URL, flosumapi.ConnectionsPath, srv.Token(), flosumapi.PageLimit)
}

// Plan runs terraform plan of config, checks that it shows the output
// total = want, and returns what terraform and the provider processes used.
func (r *PlanRunner) Plan(ctx context.Context, config string, want int) (ProcessUsage, error) {
	work, err := os.MkdirTemp(r.dir, "plan-")
	if err != nil {
		return ProcessUsage{}, err
	}
	defer os.RemoveAll(work)
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o644); err != nil {
		return ProcessUsage{}, err
	}
	if err := os.Remove(r.usageFile); err != nil && !os.IsNotExist(err) {
		return ProcessUsage{}, err
	}

	cmd := r.tf.Command(ctx, work, "plan", "-input=false", "-no-color", "-lock=false")
	start := time.Now()
	out, err := tfrun.Output(cmd)
	wall := time.Since(start)
	if err != nil {
		return ProcessUsage{}, err
	}
	if wantLine := fmt.Sprintf("total = %d", want); !strings.Contains(string(out), wantLine) {
		return ProcessUsage{}, fmt.Errorf("terraform plan did not show %q:\n%s", wantLine, out)
	}
	usage, err := readUsage(r.usageFile)
	usage.Wall = wall
	usage.PlanCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
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
