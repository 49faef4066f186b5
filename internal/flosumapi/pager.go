package flosumapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// listAttempts is how many times a list that changed while it was read is
// read again before the client reports it.
const listAttempts = 3

// InconsistentListError reports a list whose pages did not add up, for
// example because connections were added or removed while it was read.
type InconsistentListError struct {
	Search string
	Reason string
	// Attempts is how many full reads were tried.
	Attempts int
}

func (e *InconsistentListError) Error() string {
	return fmt.Sprintf("the connections list did not add up in %d read(s): %s", e.Attempts, e.Reason)
}

// ListConnections reads every connection matching search (all when empty),
// page by page at PageLimit, with up to the client's concurrency in flight.
// The result is sorted by id, holds each id once, and is never partial: a
// list whose pages disagree is read again, then reported.
func (c *Client) ListConnections(ctx context.Context, search string) ([]ConnectionSummary, error) {
	key := connectionsPath + "?all&search=" + search
	return remember(&c.memo, key, func() ([]ConnectionSummary, error) {
		for attempt := 1; ; attempt++ {
			items, err := c.listOnce(ctx, search)
			var inconsistent *InconsistentListError
			if !errors.As(err, &inconsistent) {
				return items, err
			}
			inconsistent.Attempts = attempt
			if attempt == listAttempts {
				return nil, err
			}
			c.log.Warn(ctx, "The connections list changed while it was read; reading it again", map[string]any{
				"reason": inconsistent.Reason, "attempt": attempt + 1,
			})
		}
	})
}

// listOnce reads page 1, learns the total, then reads the remaining pages
// concurrently. It never reads more than ⌈total/PageLimit⌉ pages, and stops
// scheduling pages after an empty one.
func (c *Client) listOnce(ctx context.Context, search string) ([]ConnectionSummary, error) {
	first, err := c.ListConnectionsPage(ctx, search, 1, PageLimit)
	if err != nil {
		return nil, err
	}
	total := first.Total
	pageCount := max(1, int((total+PageLimit-1)/PageLimit))
	pages := make([]*Page, pageCount)
	pages[0] = first

	progress := &progress{log: c.log, pages: pageCount, total: total}
	progress.done(ctx, len(first.Items))

	var lastPage atomic.Int64 // pages after an empty one are not requested
	lastPage.Store(int64(pageCount))
	if len(first.Items) == 0 {
		lastPage.Store(1)
	}
	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(c.concurrency)
	for number := 2; number <= pageCount; number++ {
		group.Go(func() error {
			if int64(number) > lastPage.Load() {
				return nil
			}
			page, err := c.ListConnectionsPage(groupCtx, search, number, PageLimit)
			if err != nil {
				return err
			}
			if len(page.Items) == 0 {
				lowerTo(&lastPage, int64(number))
			}
			pages[number-1] = page
			progress.done(ctx, len(page.Items))
			return nil
		})
	}
	if err := group.Wait(); err != nil {
		return nil, err
	}
	return merge(search, total, pages)
}

// merge checks that the pages agree with each other and joins them, sorted
// by id, each id once.
func merge(search string, total int64, pages []*Page) ([]ConnectionSummary, error) {
	inconsistent := func(format string, args ...any) error {
		return &InconsistentListError{Search: search, Reason: fmt.Sprintf(format, args...)}
	}
	all := make([]ConnectionSummary, 0, total)
	seen := make(map[int64]struct{}, total)
	for i, page := range pages {
		if page == nil {
			continue // after an empty page
		}
		if page.Total != total {
			return nil, inconsistent("page 1 said there were %d connections, page %d said %d", total, i+1, page.Total)
		}
		if len(page.Items) > PageLimit {
			return nil, inconsistent("page %d held %d connections, more than the page size %d", i+1, len(page.Items), PageLimit)
		}
		for _, item := range page.Items {
			if _, dup := seen[item.ID]; dup {
				continue
			}
			seen[item.ID] = struct{}{}
			all = append(all, item)
		}
	}
	if int64(len(all)) != total {
		return nil, inconsistent("the API said there were %d connections but its pages held %d distinct ones", total, len(all))
	}
	slices.SortFunc(all, func(a, b ConnectionSummary) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return all, nil
}

func lowerTo(v *atomic.Int64, n int64) {
	for {
		current := v.Load()
		if n >= current || v.CompareAndSwap(current, n) {
			return
		}
	}
}

// progress logs one line per page read, so that TF_LOG=INFO shows how far a
// long list has got.
type progress struct {
	log       Logger
	pages     int
	total     int64
	mu        sync.Mutex
	pagesRead int
	itemsRead int64
}

func (p *progress) done(ctx context.Context, items int) {
	p.mu.Lock()
	p.pagesRead++
	p.itemsRead += int64(items)
	pagesRead, itemsRead := p.pagesRead, p.itemsRead
	p.mu.Unlock()
	p.log.Info(ctx, fmt.Sprintf("Read connections page %d/%d, %d/%d connections", pagesRead, p.pages, itemsRead, p.total), map[string]any{
		"pages_read": pagesRead, "pages": p.pages, "connections_read": itemsRead, "total": p.total,
	})
}
