package flosumapi

import (
	"sync"

	"golang.org/x/sync/singleflight"
)

// memo shares identical calls: callers asking for the same key while a call
// is in flight wait for it, and successful results are kept for the client's
// lifetime (one Terraform operation), so repeated lookups cost one request.
type memo struct {
	group  singleflight.Group
	mu     sync.Mutex
	values map[string]any
}

func remember[T any](m *memo, key string, fetch func() (T, error)) (T, error) {
	m.mu.Lock()
	cached, ok := m.values[key].(T)
	m.mu.Unlock()
	if ok {
		return cached, nil
	}
	shared, err, _ := m.group.Do(key, func() (any, error) {
		value, err := fetch()
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
	value, _ := shared.(T)
	return value, err
}
