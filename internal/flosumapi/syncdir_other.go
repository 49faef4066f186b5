//go:build !unix

package flosumapi

// syncDir does nothing where a folder cannot be opened to be synced, such
// as Windows: there a rename is as durable as the file system makes it.
func syncDir(string) error { return nil }
