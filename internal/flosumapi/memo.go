package flosumapi

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/sync/singleflight"
)

// memo shares identical calls: callers asking for the same key while a call
// is in flight wait for it, and successful results are kept for the client's
// lifetime (one Terraform operation), so repeated lookups cost one request.
// Callers must not modify what they get back: it is shared.
type memo struct {
	group  singleflight.Group
	mu     sync.Mutex
	values map[string]any
}

// remember returns the value for key, fetching it with ctx when no caller
// has yet. A waiter stops waiting when its own ctx ends, and when the caller
// whose fetch it shared was cancelled, it fetches again with its own ctx.
func remember[T any](ctx context.Context, m *memo, key string, fetch func(context.Context) (T, error)) (T, error) {
	var zero T
	for {
		m.mu.Lock()
		cached, ok := m.values[key].(T)
		m.mu.Unlock()
		if ok {
			return cached, nil
		}
		ran := false // whether this caller's fetch is the one shared
		results := m.group.DoChan(key, func() (any, error) {
			ran = true
			value, err := fetch(ctx)
			if err != nil {
				return nil, err
			}
			m.mu.Lock()
			if m.values == nil {
				m.values = map[string]any{}
			}
			m.values[key] = value
			m.mu.Unlock()
			return value, nil
		})
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case res := <-results:
			if res.Err != nil {
				if !ran && cancelled(res.Err) && ctx.Err() == nil {
					continue // another caller's cancellation, not ours
				}
				return zero, res.Err
			}
			value, _ := res.Val.(T)
			return value, nil
		}
	}
}

// cancelled reports whether err is a caller's context ending, as opposed to
// a request timing out (a TransportError, which may wrap a deadline too).
func cancelled(err error) bool {
	var transportErr *TransportError
	if errors.As(err, &transportErr) {
		return false
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
