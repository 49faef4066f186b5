//go:build unix

package flosumapi

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

// syncDir syncs a real folder, and fails for a missing one: it opens and
// fsyncs the folder rather than doing nothing.
func TestSyncDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := syncDir(dir); err != nil {
		t.Errorf("syncDir(%s) = %v", dir, err)
	}
	if err := syncDir(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("syncDir(missing) = %v, want fs.ErrNotExist", err)
	}
	durable, err := writeAtomically(filepath.Join(dir, "token"), []byte("rt\n"))
	if durable != nil || err != nil {
		t.Errorf("writeAtomically = %v, %v", durable, err)
	}
}
