// Package testterraform finds the terraform (or OpenTofu) binary that the
// Terraform-driven tests run, so that they fail loudly instead of skipping
// when there is none.
package testterraform

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Path returns TF_ACC_TERRAFORM_PATH when set (e.g. OpenTofu's tofu), else
// terraform from PATH.
func Path() (string, error) {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		found, err := exec.LookPath("terraform")
		if err != nil {
			return "", errors.New("the Terraform-driven tests need a terraform binary: put terraform (1.8 or later) on PATH, or set TF_ACC_TERRAFORM_PATH (e.g. to OpenTofu's tofu); none was found")
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

// Main is a package's TestMain: it exits with a failure when no terraform
// binary is found, points a TF_CLI_CONFIG_FILE that names a missing file
// (which only makes terraform warn) at os.DevNull, unsets the variables in
// unset so that a developer's shell cannot change results, and runs m.
func Main(m *testing.M, unset ...string) {
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
