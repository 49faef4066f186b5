package flosumapi

import (
	"context"
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
// what fn left in it, even when fn fails: fn changes the refresh token
// only to one Flosum issued, which must not be lost because the rest of the
// answer was unusable. It returns fn's error, else the store's; notSaved is
// set when a new refresh token could be kept in memory only.
type tokenStore interface {
	update(ctx context.Context, fn func(*storedTokens) error) (notSaved *RefreshTokenFileError, err error)
	// persistent says whether a refresh token kept outlives the process.
	persistent() bool
}

// memoryStore keeps the tokens for the process's lifetime only.
type memoryStore struct {
	mu     sync.Mutex
	tokens storedTokens
}

func (m *memoryStore) update(_ context.Context, fn func(*storedTokens) error) (*RefreshTokenFileError, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return nil, fn(&m.tokens)
}

func (m *memoryStore) persistent() bool { return false }

// fileStore keeps the refresh token in a file that it rewrites when Flosum
// answers with a new one. Beside it, it keeps
//   - <file>.lock: empty, locked exclusively (flock on unix, LockFileEx on
//     windows) from reading the refresh token to writing the new one;
//     never removed, as removing a lock file races with its next user;
//   - <file>.access.json: the newest access token, when it expires and is to
//     be renewed, and the SHA-256 of the refresh token it was obtained with,
//     so that the several provider processes of one Terraform run exchange
//     once, and a refresh token put in the file by hand is never paired with
//     an access token of another.
//
// Both the file and the cache are written to a temporary file in the same
// folder, then renamed over the old one (and the folder synced, on unix), so
// that a reader never sees half a token and the rename survives a crash.
// All three get mode 0600 on unix; on Windows no mode is applied (os.Chmod
// only sets or clears the read-only flag there), so they get the folder's
// permissions.
//
// When the new refresh token cannot be written, the store keeps it in
// memory and uses it, and tries to write it again, for as long as the file
// still holds the token it replaced; a cache that cannot be written is only
// logged, as the next exchange makes a new one.
type fileStore struct {
	path string
	// secrets learns every token read from disk.
	secrets *redactor
	// log, when set, receives the warnings of writes that failed.
	log Logger

	// mu orders this process's updates; the lock file orders processes.
	mu sync.Mutex
	// unsaved is a new refresh token that could not be written, in place
	// of the one whose SHA-256 is over.
	unsaved, over string
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

func (f *fileStore) update(ctx context.Context, fn func(*storedTokens) error) (*RefreshTokenFileError, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := lockFile(f.path + ".lock")
	if err != nil {
		return nil, &RefreshTokenFileError{Path: f.path, Err: fmt.Errorf("locking %s.lock: %w", filepath.Base(f.path), err)}
	}
	defer unlock()
	raw, err := os.ReadFile(f.path)
	if err != nil {
		return nil, &RefreshTokenFileError{Path: f.path, Err: errors.Unwrap(err)}
	}
	onFile := strings.TrimSpace(string(raw))
	f.secrets.Add(onFile)
	if _, err := CheckRefreshToken(onFile); err != nil {
		return nil, &RefreshTokenFileError{Path: f.path, Err: err}
	}
	refresh := onFile
	if f.unsaved != "" && digest(onFile) == f.over {
		refresh = f.unsaved
	}
	f.unsaved, f.over = "", ""
	tokens := storedTokens{Refresh: refresh}
	if cache, ok := f.readCache(); ok && cache.RefreshTokenSHA256 == digest(refresh) {
		tokens.Access, tokens.RenewAt, tokens.ExpiresAt = cache.AccessToken, cache.RenewAfter, cache.ExpiresAt
	}
	before := tokens
	err = fn(&tokens)
	var notSaved *RefreshTokenFileError
	if tokens.Refresh != onFile {
		if durable, writeErr := writeAtomically(f.path, []byte(tokens.Refresh+"\n")); writeErr != nil {
			f.unsaved, f.over = tokens.Refresh, digest(onFile)
			notSaved = &RefreshTokenFileError{Path: f.path, Err: fmt.Errorf("writing the new refresh token: %w", writeErr)}
			f.warn(ctx, "Could not write the new Flosum refresh token to the refresh token file; keeping it in memory", notSaved)
		} else if durable != nil {
			f.warn(ctx, "Wrote the new Flosum refresh token, but could not sync its folder: a crash may undo the write", &RefreshTokenFileError{Path: f.path, Err: durable})
		}
	}
	if tokens.Access != before.Access {
		cache, _ := json.Marshal(accessCache{AccessToken: tokens.Access, ExpiresAt: tokens.ExpiresAt.UTC(), RenewAfter: tokens.RenewAt.UTC(), RefreshTokenSHA256: digest(tokens.Refresh)})
		if _, writeErr := writeAtomically(f.cachePath(), cache); writeErr != nil {
			f.warn(ctx, "Could not write the Flosum access token cache; other provider processes will exchange the refresh token themselves",
				&RefreshTokenFileError{Path: f.cachePath(), Err: writeErr})
		}
	}
	return notSaved, err
}

// warn logs a write that failed without failing the update.
func (f *fileStore) warn(ctx context.Context, msg string, err error) {
	if f.log != nil {
		f.log.Warn(ctx, msg, map[string]any{"error": f.secrets.hide(err.Error())})
	}
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
// file in the same folder and a rename, then syncs the folder so that the
// rename survives a crash. err is a failure before the rename, which
// leaves path as it was; durable is the sync's, when path holds data.
func writeAtomically(path string, data []byte) (durable, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, fs.ErrInvalid) {
		_ = tmp.Close()
		return nil, err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, err
	}
	return syncDir(filepath.Dir(path)), nil
}

// openLockFile opens (creating, mode 0600) the lock file.
func openLockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
