package bench

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestMain fails loudly, rather than letting the Terraform-driven test skip,
// when no terraform binary can be found.
func TestMain(m *testing.M) {
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		path, err := exec.LookPath("terraform")
		if err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: the Terraform-driven tests need a terraform binary on PATH (or TF_ACC_TERRAFORM_PATH); none was found.")
			os.Exit(1)
		}
		terraform = path
	}
	if _, err := os.Stat(terraform); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: terraform binary %s: %v\n", terraform, err)
		os.Exit(1)
	}
	// A CLI config file that does not exist only makes terraform warn.
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			_ = os.Setenv("TF_CLI_CONFIG_FILE", os.DevNull)
		}
	}
	os.Exit(m.Run())
}
