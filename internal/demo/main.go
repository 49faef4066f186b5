// Command demo is what `make demo` runs: it shows the provider working, with
// no network and no Flosum account. It builds the provider and the test
// server, starts the server with sample connections on a free loopback port,
// points terraform at the built provider through a temporary CLI
// configuration (dev_overrides, so no `terraform init`), applies a copy of
// examples/demo, prints the outputs, then stops the server and removes every
// temporary file, also when interrupted.
//
// Run it from the repository's root: go run ./internal/demo.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	providerAddress = "registry.terraform.io/flosum/flosum"
	demoConfigDir   = "examples/demo"
	// demoToken is the bearer token the demo's test server accepts (the test
	// server's default token).
	demoToken = "flosum-test-token"
)

func main() {
	connections := flag.Int("connections", 12, "number of sample connections the test server holds")
	keep := flag.Bool("keep", false, "keep the temporary directory (its path is printed) for inspection")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	d := &demo{connections: *connections, keep: *keep}
	err := d.run(ctx)
	d.cleanup()
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "\ndemo: interrupted; the test server is stopped and temporary files are removed.")
		os.Exit(130)
	case err != nil:
		fmt.Fprintf(os.Stderr, "\ndemo: %v\n", err)
		os.Exit(1)
	}
}

type demo struct {
	connections int
	keep        bool

	tmp    string
	server *exec.Cmd
	// serverDone is closed once the server process has been waited for.
	serverDone chan struct{}
}

func (d *demo) run(ctx context.Context) error {
	start := time.Now()
	if _, err := os.Stat(filepath.Join(demoConfigDir, "main.tf")); err != nil {
		return fmt.Errorf("run the demo from the repository's root (make demo): %w", err)
	}
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH; install Terraform 1.8 or later (https://developer.hashicorp.com/terraform/install)")
	}

	d.tmp, err = os.MkdirTemp("", "flosum-demo-")
	if err != nil {
		return err
	}
	binDir := filepath.Join(d.tmp, "bin")
	workDir := filepath.Join(d.tmp, "work")

	step("Building the provider and the test server")
	build := exec.CommandContext(ctx, "go", "build", "-o", binDir+string(filepath.Separator), ".", "./internal/cmd/flosum-testserver")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}

	step("Starting the test server with %d sample connections", d.connections)
	serverBin := filepath.Join(binDir, "flosum-testserver")
	if runtime.GOOS == "windows" {
		serverBin += ".exe"
	}
	url, err := d.startServer(ctx, serverBin)
	if err != nil {
		return err
	}
	fmt.Printf("    serving the fake Flosum Backup API at %s\n", url)

	cliConfig := filepath.Join(d.tmp, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, providerAddress, binDir)), 0o600); err != nil {
		return err
	}
	if err := copyTerraformFiles(demoConfigDir, workDir); err != nil {
		return err
	}

	env := append(withoutFlosumEnv(os.Environ()),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1", // no "run terraform init" hints
		"CHECKPOINT_DISABLE=1",
		"FLOSUM_BASE_URL="+url,
		"FLOSUM_ACCESS_TOKEN="+demoToken,
	)
	colour := isTerminal(os.Stdout)

	step("terraform apply on a copy of %s (no init: dev_overrides points at the built provider)", demoConfigDir)
	applyArgs := []string{"apply", "-auto-approve", "-input=false", "-compact-warnings"}
	if !colour {
		applyArgs = append(applyArgs, "-no-color")
	}
	var applyLog strings.Builder
	apply := d.terraform(ctx, terraform, workDir, env, applyArgs...)
	apply.Stdout, apply.Stderr = &applyLog, &applyLog
	if err := apply.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fmt.Print(applyLog.String())
		return fmt.Errorf("terraform apply: %w", err)
	}
	fmt.Print(indent(readLines(applyLog.String()), "    "))

	output := d.terraform(ctx, terraform, workDir, env, "output", "-json")
	var outputJSON bytes.Buffer
	output.Stdout, output.Stderr = &outputJSON, os.Stderr
	if err := output.Run(); err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	if err := printOutputs(outputJSON.Bytes()); err != nil {
		return err
	}

	step("Done in %.1fs: the provider read %s from the test server", time.Since(start).Seconds(), plural(d.connections, "connection"))
	return nil
}

// startServer runs the test server on a free loopback port and returns the
// base URL it prints on its first line.
func (d *demo) startServer(ctx context.Context, bin string) (string, error) {
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-connections", strconv.Itoa(d.connections), "-token", demoToken)
	cmd.Stderr = os.Stderr
	setProcessGroup(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting the test server: %w", err)
	}
	d.server = cmd
	d.serverDone = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(d.serverDone)
	}()

	first := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		first <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-first:
		if !strings.HasPrefix(line, "http://") {
			return "", fmt.Errorf("the test server did not print its URL (got %q)", line)
		}
		return line, nil
	case <-d.serverDone:
		return "", errors.New("the test server exited before printing its URL")
	case <-time.After(15 * time.Second):
		return "", errors.New("the test server did not print its URL within 15s")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// terraform makes a terraform command that an interrupt stops gracefully:
// one SIGINT, as terraform expects, then a kill if it lingers. It runs in
// its own process group so that a Ctrl-C reaches it only once, from here.
func (d *demo) terraform(ctx context.Context, bin, dir string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// cleanup stops the server and removes the temporary directory. It is safe
// to call whatever run got to.
func (d *demo) cleanup() {
	if d.server != nil && d.server.Process != nil {
		_ = d.server.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.serverDone:
		case <-time.After(5 * time.Second):
			_ = d.server.Process.Kill()
			<-d.serverDone
		}
	}
	if d.tmp == "" {
		return
	}
	if d.keep {
		fmt.Printf("demo: kept %s\n", d.tmp)
		return
	}
	if err := os.RemoveAll(d.tmp); err != nil {
		fmt.Fprintf(os.Stderr, "demo: removing %s: %v\n", d.tmp, err)
	}
}

// copyTerraformFiles copies the .tf files of src into a new directory dst.
func copyTerraformFiles(src, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".tf" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// withoutFlosumEnv drops FLOSUM_* variables, so that settings of the
// user's own (a region, a token) cannot leak into the demo.
func withoutFlosumEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "FLOSUM_") && !strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			out = append(out, kv)
		}
	}
	return out
}

// outputTitles names the demo's outputs, in the order they are printed;
// any other output follows under its own name.
var outputTitles = []struct{ name, title string }{
	{"connections", "Connections (flosum_connections): id, org type, name"},
	{"connection_for_org_id", "Lookup by Salesforce org id (flosum_connection_id, then flosum_connection)"},
	{"connection_by_id", "Lookup by id (flosum_connection)"},
}

// printOutputs prints `terraform output -json`: lists one item a line,
// objects as aligned key/value lines.
func printOutputs(raw []byte) error {
	var outputs map[string]struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &outputs); err != nil {
		return fmt.Errorf("reading terraform output -json: %w", err)
	}
	var names, titles []string
	for _, o := range outputTitles {
		if _, ok := outputs[o.name]; ok {
			names, titles = append(names, o.name), append(titles, o.title)
		}
	}
	var others []string
	for name := range outputs {
		if !slices.Contains(names, name) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range others {
		names, titles = append(names, name), append(titles, name)
	}
	for i, name := range names {
		step("%s", titles[i])
		fmt.Print(formatValue(outputs[name].Value))
	}
	return nil
}

// formatValue renders a JSON value for people, indented by four spaces.
func formatValue(raw json.RawMessage) string {
	var list []any
	if json.Unmarshal(raw, &list) == nil {
		var b strings.Builder
		for _, item := range list {
			b.WriteString("    " + scalar(item) + "\n")
		}
		return b.String()
	}
	var object map[string]any
	if json.Unmarshal(raw, &object) == nil {
		keys := slices.Sorted(maps.Keys(object))
		width := 0
		for _, k := range keys {
			width = max(width, len(k))
		}
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "    %-*s  %s\n", width, k, scalar(object[k]))
		}
		return b.String()
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	return "    " + scalar(v) + "\n"
}

func scalar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(data)
}

func step(format string, args ...any) {
	fmt.Printf("\n==> "+format+"\n", args...)
}

// readLines keeps the lines of terraform's apply log worth showing: the
// reads and the summary, not the dev_overrides warning box or the outputs,
// which are printed next.
func readLines(log string) []string {
	var lines []string
	for _, line := range strings.Split(log, "\n") {
		plain := stripANSI(line)
		if strings.Contains(plain, "Read complete") || strings.Contains(plain, "Apply complete") {
			lines = append(lines, line)
		}
	}
	return lines
}

func indent(lines []string, prefix string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < '@' || s[j] > '~') {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
