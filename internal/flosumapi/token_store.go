package flosumapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// storedTokens is what a token store keeps between exchanges.
type storedTokens struct {
	// Refresh is the refresh token to exchange next.
	Refresh string
	// Access and RenewAt are the newest access token and when it is to be
	// replaced; a file store shares them between processes.
	Access             string
	RenewAt, ExpiresAt time.Time
}

// tokenStore keeps the refresh token. update calls fn with what the store
// holds, under a lock that keeps every other user of the store (goroutine
// or, for a file, process) from reading it until fn has returned, and keeps
// what fn left in it when fn succeeds.
type tokenStore interface {
	update(fn func(*storedTokens) error) error
	// persistent says whether a refresh token kept outlives the process.
	persistent() bool
}

// memoryStore keeps the tokens for the process's lifetime only.
type memoryStore struct {
	mu     sync.Mutex
	tokens storedTokens
}

func (m *memoryStore) update(fn func(*storedTokens) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	next := m.tokens
	if err := fn(&next); err != nil {
		return err
	}
	m.tokens = next
	return nil
}

func (m *memoryStore) persistent() bool { return false }

// fileStore keeps the refresh token in a file that it rewrites when Flosum
// answers with a new one. Beside it, with the same mode 0600, it keeps
//   - <file>.lock: empty, locked exclusively (flock on unix, LockFileEx on
//     windows) from reading the refresh token to writing the new one;
//     never removed, as removing a lock file races with its next user;
//   - <file>.access.json: the newest access token, when it expires and is to
//     be renewed,
//     and the SHA-256 of the refresh token it was obtained with, so that the
//     several provider processes of one Terraform run exchange once, and a
//     refresh token put in the file by hand is never paired with an access
//     token of another.
//
// Both the file and the cache are written to a temporary file in the same
// folder, then renamed over the old one, so that a reader never sees half
// a token.
type fileStore struct {
	path string
	// secrets learns every token read from disk.
	secrets *redactor
}

// accessCache is the JSON of <file>.access.json.
type accessCache struct {
	AccessToken        string    `json:"access_token"`
	ExpiresAt          time.Time `json:"expires_at"`
	RenewAfter         time.Time `json:"renew_after"`
	RefreshTokenSHA256 string    `json:"refresh_token_sha256"`
}

// RefreshTokenFileError is a refresh token file that could not be read,
// locked or written.
type RefreshTokenFileError struct {
	Path string
	Err  error
}

func (e *RefreshTokenFileError) Error() string {
	return fmt.Sprintf("refresh token file %s: %v", e.Path, e.Err)
}

func (e *RefreshTokenFileError) Unwrap() error { return e.Err }

func (f *fileStore) persistent() bool { return true }

func (f *fileStore) cachePath() string { return f.path + ".access.json" }

func (f *fileStore) update(fn func(*storedTokens) error) error {
	unlock, err := lockFile(f.path + ".lock")
	if err != nil {
		return &RefreshTokenFileError{Path: f.path, Err: fmt.Errorf("locking %s.lock: %w", filepath.Base(f.path), err)}
	}
	defer unlock()
	raw, err := os.ReadFile(f.path)
	if err != nil {
		return &RefreshTokenFileError{Path: f.path, Err: errors.Unwrap(err)}
	}
	refresh := strings.TrimSpace(string(raw))
	f.secrets.Add(refresh)
	if _, err := CheckAccessToken(refresh); err != nil {
		return &RefreshTokenFileError{Path: f.path, Err: errors.New(strings.NewReplacer("an access token", "a refresh token", "access token", "refresh token").Replace(err.Error()))}
	}
	tokens := storedTokens{Refresh: refresh}
	if cache, ok := f.readCache(); ok && cache.RefreshTokenSHA256 == digest(refresh) {
		tokens.Access, tokens.RenewAt, tokens.ExpiresAt = cache.AccessToken, cache.RenewAfter, cache.ExpiresAt
	}
	before := tokens
	if err := fn(&tokens); err != nil {
		return err
	}
	if tokens.Refresh != before.Refresh {
		if err := writeAtomically(f.path, []byte(tokens.Refresh+"\n")); err != nil {
			return &RefreshTokenFileError{Path: f.path, Err: fmt.Errorf("writing the new refresh token: %w", err)}
		}
	}
	if tokens.Access != before.Access {
		cache, _ := json.Marshal(accessCache{AccessToken: tokens.Access, ExpiresAt: tokens.ExpiresAt.UTC(), RenewAfter: tokens.RenewAt.UTC(), RefreshTokenSHA256: digest(tokens.Refresh)})
		if err := writeAtomically(f.cachePath(), cache); err != nil {
			return &RefreshTokenFileError{Path: f.path, Err: fmt.Errorf("writing the access token cache: %w", err)}
		}
	}
	return nil
}

// readCache reads the access token cache; a missing or unreadable one is
// no cache.
func (f *fileStore) readCache() (accessCache, bool) {
	var cache accessCache
	raw, err := os.ReadFile(f.cachePath())
	if err != nil || json.Unmarshal(raw, &cache) != nil || cache.AccessToken == "" {
		return accessCache{}, false
	}
	if _, err := CheckAccessToken(cache.AccessToken); err != nil {
		return accessCache{}, false
	}
	f.secrets.Add(cache.AccessToken)
	return cache, true
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// writeAtomically replaces path with data, mode 0600, through a temporary
// file in the same folder and a rename.
func writeAtomically(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return errors.Unwrap(err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, fs.ErrInvalid) {
		_ = tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// openLockFile opens (creating, mode 0600) the lock file.
func openLockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
