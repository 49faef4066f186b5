package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flosum/terraform-provider-flosum/internal/testserver"
)

// refreshTokenFile writes token to a new file, mode 0644 (as an editor
// might), and returns its path.
func refreshTokenFile(t *testing.T, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flosum-refresh-token")
	if err := os.WriteFile(path, []byte(token+"\n"), 0o644); err != nil { //nolint:gosec // the test checks that the client narrows it
		t.Fatal(err)
	}
	return path
}

func withRefreshTokenFile(path string) func(*Config) {
	return func(c *Config) { c.OAuth.RefreshToken, c.OAuth.RefreshTokenFile = "", path }
}

func assertMode0600(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("%s has mode %o, want 600", filepath.Base(path), mode)
	}
}

func readToken(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}

func assertNoReplacedRefreshTokenSent(t *testing.T, srv *testserver.Server) {
	t.Helper()
	for i, e := range srv.TokenExchanges() {
		if e.ReplacedRefreshToken || e.Status != http.StatusOK {
			t.Errorf("exchange %d sent a refresh token already replaced, or failed: %+v", i, e)
		}
	}
}

// With rotation, the file always holds the newest refresh token, mode 0600,
// and the client never says it could not keep one.
func TestRefreshTokenFile_rotation(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	path := refreshTokenFile(t, srv.OAuthConfig().RefreshToken)
	c, _ := oauthClient(t, srv, withRefreshTokenFile(path))
	for id := range int64(3) {
		if _, err := c.GetConnection(t.Context(), id+1); err != nil {
			t.Fatal(err)
		}
		srv.ExpireAccessTokens()
		if got := readToken(t, path); got != srv.LatestRefreshToken() {
			t.Fatalf("after exchange %d the file holds another token than the newest", id+1)
		}
	}
	if n := exchangeCount(srv); n != 3 {
		t.Errorf("exchanges = %d, want 3", n)
	}
	assertNoReplacedRefreshTokenSent(t, srv)
	for _, p := range []string{path, path + ".lock", path + ".access.json"} {
		assertMode0600(t, p)
	}
	if c.RefreshTokenReplaced() {
		t.Error("RefreshTokenReplaced = true, but the file keeps the new token")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

// Separate clients on one file, as the provider processes of one run: they
// share one exchange through the access token stored beside the file, and
// after the token expires one of them renews it for all.
func TestRefreshTokenFile_sharedByClients(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{Connections: testserver.Seed(20), OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	path := refreshTokenFile(t, srv.OAuthConfig().RefreshToken)
	clients := make([]*Client, 8)
	for i := range clients {
		clients[i], _ = oauthClient(t, srv, withRefreshTokenFile(path))
	}
	round := func(id int64) {
		t.Helper()
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				if _, err := c.GetConnection(t.Context(), id); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	round(1)
	if n := exchangeCount(srv); n != 1 {
		t.Errorf("exchanges = %d for 8 clients on one file, want 1", n)
	}
	srv.ExpireAccessTokens()
	round(2)
	if n := exchangeCount(srv); n != 2 {
		t.Errorf("exchanges = %d after the access token expired, want 2", n)
	}
	assertNoReplacedRefreshTokenSent(t, srv)
	if readToken(t, path) != srv.LatestRefreshToken() {
		t.Error("the file does not hold the newest refresh token")
	}
}

// The lock is held from reading the token to writing the new one: many
// stores on one file (each opens it anew, as another process would) never
// read a token that another has already replaced.
func TestRefreshTokenFile_lockAndAtomicWrite(t *testing.T) {
	t.Parallel()
	path := refreshTokenFile(t, "rt-0")
	var latest atomic.Value
	latest.Store("rt-0")
	var issued atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for range 20 {
		store := &fileStore{path: path, secrets: newRedactor()}
		wg.Go(func() {
			for range 10 {
				errs <- updateStore(store, func(tokens *storedTokens) error {
					if tokens.Refresh != latest.Load() {
						return fmt.Errorf("read %s while %s is the newest", tokens.Refresh, latest.Load())
					}
					time.Sleep(100 * time.Microsecond) // the exchange
					next := fmt.Sprintf("rt-%d", issued.Add(1))
					tokens.Refresh = next
					latest.Store(next)
					return nil
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := readToken(t, path), latest.Load(); got != want || issued.Load() != 200 {
		t.Errorf("file = %s after %d updates, want %s", got, issued.Load(), want)
	}
	assertMode0600(t, path)
}

// An access token stored for another refresh token (the file was replaced
// by hand) is not used.
func TestRefreshTokenFile_cacheOfAnotherRefreshTokenIgnored(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{})
	path := refreshTokenFile(t, srv.OAuthConfig().RefreshToken)
	cache := fmt.Sprintf(`{"access_token":"fat_someone_else","renew_after":%q,"refresh_token_sha256":%q}`,
		time.Now().Add(time.Hour).Format(time.RFC3339), digest("another-refresh-token"))
	if err := os.WriteFile(path+".access.json", []byte(cache), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := oauthClient(t, srv, withRefreshTokenFile(path))
	if _, err := c.GetConnection(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if n := exchangeCount(srv); n != 1 {
		t.Errorf("exchanges = %d, want 1: the stored access token belongs to another refresh token", n)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Authorization, "someone_else") {
			t.Error("the access token of another refresh token was sent")
		}
	}
}

func TestRefreshTokenFile_errors(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{})
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		path string
		want []string
		is   error
	}{
		"missing": {path: filepath.Join(dir, "missing"), want: []string{"refresh token file", "missing", "no such file"}, is: fs.ErrNotExist},
		"empty":   {path: empty, want: []string{"getting an access token: refresh token file", "a refresh token is required"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _ := oauthClient(t, srv, withRefreshTokenFile(tc.path))
			_, err := c.GetConnection(t.Context(), 1)
			var fileErr *RefreshTokenFileError
			var tokenErr *TokenError
			if !errors.As(err, &fileErr) || fileErr.Path != tc.path || !errors.As(err, &tokenErr) || tokenErr.Kind != RefreshTokenFileFailed {
				t.Fatalf("err = %v, want a *TokenError with a *RefreshTokenFileError for %s", err, tc.path)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.is)
			}
			assertContains(t, mustErr(t, err), tc.want...)
		})
	}
	assertRequests(t, srv, "/", 0)
}

// updateStore updates store, failing when the update, or saving what it
// left, failed.
func updateStore(store tokenStore, fn func(*storedTokens) error) error {
	notSaved, err := store.update(context.Background(), fn)
	if notSaved != nil {
		return notSaved
	}
	return err
}

// lockHelperEnv makes the test binary, run by
// TestRefreshTokenFile_twoProcesses, count up in a refresh token file
// instead of running tests.
const lockHelperEnv = "FLOSUM_TEST_LOCK_HELPER_FILE"

const helperUpdates = 100

// countUp replaces the file's "rt-<n>" by "rt-<n+1>" under the store's
// lock, as an exchange replaces a refresh token.
func countUp(store *fileStore) error {
	return updateStore(store, func(tokens *storedTokens) error {
		var n int
		if _, err := fmt.Sscanf(tokens.Refresh, "rt-%d", &n); err != nil {
			return err
		}
		tokens.Refresh = fmt.Sprintf("rt-%d", n+1)
		return nil
	})
}

// lockHelper is the helper process: helperUpdates updates, then exit 0.
func lockHelper(path string) int {
	store := &fileStore{path: path, secrets: newRedactor()}
	for range helperUpdates {
		if err := countUp(store); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// Two processes (this test binary, re-executed) and this one update one
// file at once: no update is lost, as none reads a token another has
// already replaced.
func TestRefreshTokenFile_twoProcesses(t *testing.T) {
	t.Parallel()
	path := refreshTokenFile(t, "rt-0")
	var wg sync.WaitGroup
	for range 2 {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), lockHelperEnv+"="+path)
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("helper process: %v: %s", err, out)
			}
		})
	}
	store := &fileStore{path: path, secrets: newRedactor()}
	for range helperUpdates {
		if err := countUp(store); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got, want := readToken(t, path), fmt.Sprintf("rt-%d", 3*helperUpdates); got != want {
		t.Errorf("file = %s, want %s: updates were lost", got, want)
	}
	assertMode0600(t, path)
}

// unwritableFolderFile writes token to a file beside which no new file can
// be created, so that the new refresh token cannot be written (a temporary
// file and a rename) while the file itself stays readable. Its name is as
// long as a name may be less the lock file's ".lock": the temporary file's
// name is longer still. (A read-only folder would not do: tests may run as
// root, whom its mode does not stop.)
func unwritableFolderFile(t *testing.T, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), strings.Repeat("r", 250))
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// When the new refresh token cannot be written to the file, the client
// keeps it in memory and goes on with it (never sending the replaced one),
// tells once why the file was not updated, and logs it at WARN, never with
// a token; the access token cache, which cannot be written either, is only
// logged.
func TestRefreshTokenFile_newTokenKeptWhenFileCannotBeWritten(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	original := srv.OAuthConfig().RefreshToken
	path := unwritableFolderFile(t, original)
	c, rec := oauthClient(t, srv, withRefreshTokenFile(path))
	if err := c.RefreshTokenFileNotUpdated(); err != nil {
		t.Fatalf("RefreshTokenFileNotUpdated before any exchange = %v", err)
	}
	for id := range int64(3) {
		if _, err := c.GetConnection(t.Context(), id+1); err != nil {
			t.Fatalf("read %d: %v", id+1, err)
		}
		srv.ExpireAccessTokens()
	}
	if n := exchangeCount(srv); n != 3 {
		t.Errorf("exchanges = %d, want 3", n)
	}
	assertNoReplacedRefreshTokenSent(t, srv)
	if readToken(t, path) != original {
		t.Error("the file changed")
	}
	err := c.RefreshTokenFileNotUpdated()
	var fileErr *RefreshTokenFileError
	if !errors.As(err, &fileErr) || fileErr.Path != path {
		t.Fatalf("RefreshTokenFileNotUpdated = %v, want a *RefreshTokenFileError for the file", err)
	}
	assertContains(t, err.Error(), "refresh token file "+path, "writing the new refresh token", "file name too long")
	assertNoOAuthSecret(t, srv, err.Error())
	if again := c.RefreshTokenFileNotUpdated(); again != nil {
		t.Errorf("RefreshTokenFileNotUpdated a second time = %v: the user would be told twice", again)
	}
	if c.RefreshTokenReplaced() {
		t.Error("RefreshTokenReplaced = true: that warning is for a client without a file")
	}
	if n := len(rec.find("WARN", "Could not write the new Flosum refresh token")); n != 3 {
		t.Errorf("WARN entries for the refresh token file = %d, want 3 (one per rotation)", n)
	}
	if n := len(rec.find("WARN", "Could not write the Flosum access token cache")); n != 3 {
		t.Errorf("WARN entries for the access token cache = %d, want 3", n)
	}
}

// Once the file holds another refresh token (put there by hand, or by
// another process), the one kept in memory is dropped for it.
func TestRefreshTokenFile_keptTokenYieldsToANewFile(t *testing.T) {
	t.Parallel()
	path := unwritableFolderFile(t, "rt-0")
	store := &fileStore{path: path, secrets: newRedactor()}
	notSaved, err := store.update(t.Context(), func(tokens *storedTokens) error {
		tokens.Refresh = "rt-1"
		return nil
	})
	if err != nil || notSaved == nil {
		t.Fatalf("update = %v, %v; want the new token not saved and no error", notSaved, err)
	}
	var seen []string
	see := func(tokens *storedTokens) error {
		seen = append(seen, tokens.Refresh)
		return nil
	}
	if _, err := store.update(t.Context(), see); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("rt-by-hand\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.update(t.Context(), see); err != nil {
		t.Fatal(err)
	}
	if want := []string{"rt-1", "rt-by-hand"}; !slices.Equal(seen, want) {
		t.Errorf("refresh tokens seen = %v, want %v", seen, want)
	}
}

// An access token cache that cannot be written is logged at WARN; the
// exchange succeeds and the new refresh token is saved.
func TestRefreshTokenFile_cacheWriteFailureOnlyWarns(t *testing.T) {
	t.Parallel()
	srv := startOAuthServer(t, testserver.Options{OAuth: testserver.OAuth{RotateRefreshTokens: true}})
	path := refreshTokenFile(t, srv.OAuthConfig().RefreshToken)
	// A folder in the cache's place: no rename can replace it.
	if err := os.Mkdir(path+".access.json", 0o700); err != nil {
		t.Fatal(err)
	}
	c, rec := oauthClient(t, srv, withRefreshTokenFile(path))
	if _, err := c.GetConnection(t.Context(), 1); err != nil {
		t.Fatalf("GetConnection: %v, want the cache's failure to be only a warning", err)
	}
	if readToken(t, path) != srv.LatestRefreshToken() {
		t.Error("the new refresh token was not saved")
	}
	warnings := rec.find("WARN", "Could not write the Flosum access token cache")
	if len(warnings) != 1 || !strings.Contains(fmt.Sprint(warnings[0].Fields["error"]), path+".access.json") {
		t.Errorf("cache warnings = %+v, want one naming the cache", warnings)
	}
	if err := c.RefreshTokenFileNotUpdated(); err != nil {
		t.Errorf("RefreshTokenFileNotUpdated = %v, but the refresh token was saved", err)
	}
	if n := exchangeCount(srv); n != 1 {
		t.Errorf("exchanges = %d, want 1", n)
	}
}
