// Package examples has no code of its own: its tests run every Terraform
// configuration under the repository's examples/ directory with the real
// terraform against the test server, and check each one's outputs.
package examples
