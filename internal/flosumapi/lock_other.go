//go:build (!unix && !windows) || solaris || aix

package flosumapi

import "errors"

// lockFile is not available where neither flock nor LockFileEx exists: a
// refresh token file cannot be shared safely there.
func lockFile(string) (func(), error) {
	return nil, errors.New("file locking is not supported on this platform; give the refresh token itself instead of a file")
}
