package flosumapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
)

// listAttempts is how many times a list that changed while it was read is
// read again before the client reports it.
const listAttempts = 3

// InconsistentListError reports a list whose pages did not add up, for
// example because connections were added or removed while it was read.
type InconsistentListError struct {
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
	return remember(ctx, &c.memo, key, func(ctx context.Context) ([]ConnectionSummary, error) {
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
// concurrently. Each page is checked as it arrives (see listRead.add), and
// the first that does not fit stops the read: a misbehaving server costs a
// few requests, never ⌈total/PageLimit⌉ of them, and nothing is allocated
// from the total it claims.
func (c *Client) listOnce(ctx context.Context, search string) ([]ConnectionSummary, error) {
	first, err := c.ListConnectionsPage(ctx, search, 1, PageLimit)
	if err != nil {
		return nil, err
	}
	read := &listRead{total: first.Total, seen: map[int64]struct{}{}}
	// ⌈total/PageLimit⌉, at least 1, without overflowing near MaxInt64.
	pageCount := int64(1)
	if read.total > PageLimit {
		pageCount = (read.total-1)/PageLimit + 1
	}
	if err := read.add(1, first); err != nil {
		return nil, err
	}
	progress := &progress{log: c.log, pages: pageCount, total: read.total}
	progress.done(ctx, len(first.Items))

	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(c.concurrency)
	for number := int64(2); number <= pageCount && groupCtx.Err() == nil; number++ {
		group.Go(func() error {
			page, err := c.ListConnectionsPage(groupCtx, search, int(number), PageLimit)
			if err != nil {
				return err
			}
			if err := read.add(number, page); err != nil {
				return err
			}
			progress.done(ctx, len(page.Items))
			return nil
		})
	}
	if err := group.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return read.result(pageCount)
}

// listRead gathers the pages of one read of the list and checks that they
// agree: every page repeats page 1's total, holds exactly the number of
// items its position calls for, and shares no id with another page.
type listRead struct {
	total int64

	mu    sync.Mutex
	seen  map[int64]struct{}
	items []ConnectionSummary
	pages int64
}

func (r *listRead) inconsistent(format string, args ...any) error {
	return &InconsistentListError{Reason: fmt.Sprintf(format, args...)}
}

func (r *listRead) add(number int64, page *Page) error {
	if page.Total != r.total {
		return r.inconsistent("page 1 said there were %d connections, page %d said %d", r.total, number, page.Total)
	}
	want := min(PageLimit, max(0, r.total-(number-1)*PageLimit))
	if int64(len(page.Items)) != want {
		return r.inconsistent("page %d held %d connections where %d were expected (%d in all, %d a page)",
			number, len(page.Items), want, r.total, PageLimit)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, item := range page.Items {
		if _, dup := r.seen[item.ID]; dup {
			return r.inconsistent("connection %d was listed twice (page %d repeated it)", item.ID, number)
		}
		r.seen[item.ID] = struct{}{}
		r.items = append(r.items, item)
	}
	r.pages++
	return nil
}

// result joins the pages, sorted by id.
func (r *listRead) result(pageCount int64) ([]ConnectionSummary, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pages != pageCount || int64(len(r.items)) != r.total {
		return nil, r.inconsistent("the API said there were %d connections in %d page(s) but %d were read in %d page(s)",
			r.total, pageCount, len(r.items), r.pages)
	}
	all := r.items
	if all == nil {
		all = []ConnectionSummary{} // an empty list, not a missing one
	}
	slices.SortFunc(all, func(a, b ConnectionSummary) int { return cmp.Compare(a.ID, b.ID) })
	return all, nil
}

// progress logs one line per page read, so that TF_LOG=INFO shows how far a
// long list has got.
type progress struct {
	log       Logger
	pages     int64
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
