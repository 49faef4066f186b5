// Command demo is what `make demo` runs: it shows the provider working, with
// no network and no Flosum account. It builds the provider, serves sample
// connections from the test server on a free loopback port, points terraform
// at the built provider through a temporary CLI configuration (dev_overrides,
// so no `terraform init`), applies a copy of examples/demo, prints the
// outputs, then stops the server and removes every temporary file, also when
// interrupted.
//
// Run it inside the module: go run ./internal/cmd/demo.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/provider"
	"github.com/flosum/terraform-provider-flosum/internal/testserver"
	"github.com/flosum/terraform-provider-flosum/internal/tfrun"
)

// demoConfigDir is the demo's configuration, relative to the module root.
const demoConfigDir = "examples/demo"

func main() {
	connections := flag.Int("connections", 12, "number of sample connections the test server holds")
	keep := flag.Bool("keep", false, "keep the temporary directory (its path is printed) for inspection")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()

	err := run(ctx, *connections, *keep)
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "\ndemo: interrupted; the test server is stopped and temporary files are removed.")
		os.Exit(130)
	case err != nil:
		fmt.Fprintf(os.Stderr, "\ndemo: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, connections int, keep bool) error {
	start := time.Now()
	root, err := tfrun.ModuleRoot(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "flosum-demo-")
	if err != nil {
		return err
	}
	defer func() {
		if keep {
			fmt.Printf("demo: kept %s\n", tmp)
		} else if err := os.RemoveAll(tmp); err != nil {
			fmt.Fprintf(os.Stderr, "demo: removing %s: %v\n", tmp, err)
		}
	}()
	workDir := filepath.Join(tmp, "work")

	step("Building the provider")
	tf, err := tfrun.WithProvider(ctx, tmp, provider.Address)
	if err != nil {
		return err
	}

	step("Starting the test server with %d sample connections", connections)
	// Rotating refresh tokens, the strictest case: the provider keeps the
	// newest one in refresh_token_file, as the authentication guide says.
	srv, httpServer, err := testserver.Listen("127.0.0.1:0", testserver.Options{
		Connections: testserver.Seed(connections),
		OAuth:       testserver.OAuth{RotateRefreshTokens: true},
	})
	if err != nil {
		return err
	}
	defer func() { _ = httpServer.Close() }()
	fmt.Printf("    serving the fake Flosum Backup API and its OAuth token endpoint at %s\n", srv.URL)

	oauth := srv.OAuthConfig()
	refreshTokenFile := filepath.Join(tmp, "refresh_token")
	if err := os.WriteFile(refreshTokenFile, []byte(oauth.RefreshToken+"\n"), 0o600); err != nil {
		return err
	}
	tf.Env = append(tf.Env,
		"FLOSUM_BASE_URL="+srv.URL, "FLOSUM_GLOBAL_SETTINGS_URL="+srv.GlobalSettingsURL,
		"FLOSUM_CLIENT_ID="+oauth.ClientID, "FLOSUM_CLIENT_SECRET="+oauth.ClientSecret,
		"FLOSUM_REDIRECT_URI="+oauth.RedirectURI, "FLOSUM_REFRESH_TOKEN_FILE="+refreshTokenFile)
	fmt.Println("    signing in with OAuth: a refresh token in FLOSUM_REFRESH_TOKEN_FILE, exchanged by the provider")
	if err := copyTerraformFiles(filepath.Join(root, demoConfigDir), workDir); err != nil {
		return err
	}

	step("%s apply on a copy of %s (no init: dev_overrides points at the built provider)", filepath.Base(tf.Path), demoConfigDir)
	applyLog, err := runTerraform(ctx, tf, workDir, "apply", "-auto-approve", "-input=false", "-compact-warnings", "-no-color")
	if err != nil {
		return err
	}
	fmt.Print(indent(readLines(string(applyLog)), "    "))

	outputs, err := runTerraform(ctx, tf, workDir, "output", "-json")
	if err != nil {
		return err
	}
	if err := printOutputs(outputs); err != nil {
		return err
	}

	step("Done in %.1fs: the provider read %s from the test server, signed in with %s",
		time.Since(start).Seconds(), plural(connections, "connection"), plural(len(srv.TokenExchanges()), "token exchange"))
	return nil
}

// runTerraform runs a terraform command in a process group of its own, so
// that a Ctrl-C reaches it only once, from the demo (through ctx).
func runTerraform(ctx context.Context, tf *tfrun.Terraform, dir string, args ...string) ([]byte, error) {
	cmd := tf.Command(ctx, dir, args...)
	setProcessGroup(cmd)
	return tfrun.Output(cmd)
}

// copyTerraformFiles copies the .tf files of src into a new directory dst.
func copyTerraformFiles(src, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	files, _ := filepath.Glob(filepath.Join(src, "*.tf")) // the pattern is well-formed
	if len(files) == 0 {
		return fmt.Errorf("no .tf files in %s", src)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(name)), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// outputTitles names the demo's outputs, in the order they are printed;
// any other output follows under its own name.
var outputTitles = []struct{ name, title string }{
	{"connections", "Connections (flosum_connections): id, org type, name"},
	{"connection_for_org_id", "Lookup by Salesforce org id (flosum_connection_id, then flosum_connection)"},
	{"connection_by_id", "Lookup by id (flosum_connection)"},
	{"latest_backups", "Latest backup of each connection (flosum_backups)"},
	{"schedules", "Schedulers of each connection (flosum_backup_schedulers): how many, how often"},
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
		if strings.Contains(line, "Read complete") || strings.Contains(line, "Apply complete") {
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

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
