//go:build unix

package flosumapi

import "os"

// syncDir flushes a folder's entries, such as a rename into it, to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	return d.Sync()
}
