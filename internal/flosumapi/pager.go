package flosumapi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"
)

// PageLimit is the largest page the list endpoints serve.
const PageLimit = 2000

// listAttempts is how many times a list whose pages did not add up is read
// before the client reports it.
const listAttempts = 3

// InconsistentListError reports a list whose pages did not add up in any
// of its reads.
type InconsistentListError struct {
	// List names what was listed, such as "connections".
	List string
	// Reason is how the last read did not add up.
	Reason string
	// Attempts is how many full reads were tried.
	Attempts int
	// Changed is true when the reads did not add up in different ways: the
	// list was probably changing while it was read. When false, every read
	// found the same contradiction: the API's pages contradict each other.
	Changed bool
}

func (e *InconsistentListError) Error() string {
	kind := "the same way each time: the API's pages contradict each other"
	if e.Changed {
		kind = "differently each time: the list was probably changing while it was read"
	}
	return fmt.Sprintf("the %s list did not add up in %d read(s): %s; %s", e.List, e.Attempts, e.Reason, kind)
}

// ListTooLargeError is a list that holds, or claims to hold, more items
// than the client's MaxListItems. It is reported before the pages beyond
// the first are read.
type ListTooLargeError struct {
	// List names what was listed, such as "connections".
	List       string
	Total, Max int64
}

func (e *ListTooLargeError) Error() string {
	return fmt.Sprintf("the %s list holds %d items, more than the limit of %d (MaxListItems)", e.List, e.Total, e.Max)
}

// list is an endpoint that answers {total, items} a page at a time, with
// page and limit in the query; T is an item, W its wire type.
type list[T, W any] struct {
	// noun names the items in messages: "connections".
	noun string
	path string
	// query holds the filters sent with every page.
	query url.Values
	id    func(T) int64
	// firstPage, when set, also reads page 1's body, for what an endpoint
	// answers beside the items.
	firstPage func(body []byte) error
}

type (
	page[T any] struct {
		Total int64
		Items []T
	}
	wirePage[W any] struct {
		Total *json.RawMessage `json:"total" check:"nonnegative"`
		Items *[]W             `json:"items"`
	}
)

func (l list[T, W]) readPage(ctx context.Context, c *Client, number, limit int) (*page[T], error) {
	query := url.Values{"page": {strconv.Itoa(number)}, "limit": {strconv.Itoa(limit)}}
	for key, values := range l.query {
		query[key] = values
	}
	body, err := c.get(ctx, l.path, query)
	if err != nil {
		return nil, err
	}
	read, err := decode[page[T], wirePage[W]](l.path, body)
	if err == nil && number == 1 && l.firstPage != nil {
		err = l.firstPage(body)
	}
	if err != nil {
		return nil, err
	}
	return read, nil
}

// readAll reads every item of l, page by page at PageLimit, with up to the
// client's concurrency in flight, in ⌈total/PageLimit⌉ requests. The result
// is sorted by id and holds each id once; a list whose pages disagree is read
// again, up to listAttempts times, then reported.
//
// What is guaranteed: every page repeated page 1's total, held the number of
// items its position calls for, and shared no id with another page; each page
// is what the API held when that page was read. A list that did not change
// while it was read is returned exactly. A change that alters the total, or
// moves an item onto a page already read (it is listed twice), is detected.
// A deletion and an addition between the reads of two pages that leave the
// total as it was are not: the result then lacks an item that moved back
// across a page boundary and may hold the deleted one
// (TestListDeleteAndAddBetweenPages). Detecting that would cost a re-read of
// each boundary (BenchmarkListRecheckCost).
func readAll[T, W any](ctx context.Context, c *Client, l list[T, W]) ([]T, error) {
	var firstReason string
	changed := false
	for attempt := 1; ; attempt++ {
		items, err := readOnce(ctx, c, l)
		var inconsistent *InconsistentListError
		if !errors.As(err, &inconsistent) {
			return items, err
		}
		if attempt == 1 {
			firstReason = inconsistent.Reason
		}
		inconsistent.Attempts = attempt
		changed = changed || inconsistent.Reason != firstReason
		inconsistent.Changed = changed
		if attempt == listAttempts {
			return nil, err
		}
		c.log.Warn(ctx, fmt.Sprintf("The %s list changed while it was read; reading it again", l.noun), map[string]any{
			"reason": inconsistent.Reason, "attempt": attempt + 1,
		})
	}
}

// readOnce reads page 1, learns the total, then reads the remaining pages
// concurrently. Each page is checked as it arrives (see listRead.add), and
// the first that does not fit stops the read: a misbehaving server costs a
// few requests, never ⌈total/PageLimit⌉ of them, and nothing is allocated
// from the total it claims.
func readOnce[T, W any](ctx context.Context, c *Client, l list[T, W]) ([]T, error) {
	first, err := l.readPage(ctx, c, 1, PageLimit)
	if err != nil {
		return nil, err
	}
	if first.Total > int64(c.maxListItems) {
		return nil, &ListTooLargeError{List: l.noun, Total: first.Total, Max: int64(c.maxListItems)}
	}
	// Every page's count is checked against the total, so this bounds what
	// is read too.
	read := &listRead[T]{noun: l.noun, id: l.id, total: first.Total, seen: map[int64]struct{}{}}
	// ⌈total/PageLimit⌉, at least 1, without overflowing near MaxInt64.
	pageCount := int64(1)
	if read.total > PageLimit {
		pageCount = (read.total-1)/PageLimit + 1
	}
	if err := read.add(1, first); err != nil {
		return nil, err
	}
	progress := &progress{log: c.log, noun: l.noun, pages: pageCount, total: read.total}
	progress.done(ctx, len(first.Items))

	group, groupCtx := errgroup.WithContext(ctx)
	group.SetLimit(c.concurrency)
	for number := int64(2); number <= pageCount && groupCtx.Err() == nil; number++ {
		group.Go(func() error {
			page, err := l.readPage(groupCtx, c, int(number), PageLimit)
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

// listRead gathers the pages of one read of a list and checks that they
// agree: every page repeats page 1's total, holds exactly the number of
// items its position calls for, and shares no id with another page.
type listRead[T any] struct {
	noun  string
	id    func(T) int64
	total int64

	mu    sync.Mutex
	seen  map[int64]struct{}
	items []T
	pages int64
}

func (r *listRead[T]) inconsistent(format string, args ...any) error {
	return &InconsistentListError{List: r.noun, Reason: fmt.Sprintf(format, args...)}
}

func (r *listRead[T]) add(number int64, page *page[T]) error {
	if page.Total != r.total {
		return r.inconsistent("page 1 said there were %d %s, page %d said %d", r.total, r.noun, number, page.Total)
	}
	want := min(PageLimit, max(0, r.total-(number-1)*PageLimit))
	if int64(len(page.Items)) != want {
		return r.inconsistent("page %d held %d %s where %d were expected (%d in all, %d a page)",
			number, len(page.Items), r.noun, want, r.total, PageLimit)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, item := range page.Items {
		id := r.id(item)
		if _, dup := r.seen[id]; dup {
			return r.inconsistent("id %d was listed twice (page %d repeated it)", id, number)
		}
		r.seen[id] = struct{}{}
		r.items = append(r.items, item)
	}
	r.pages++
	return nil
}

// result joins the pages, sorted by id.
func (r *listRead[T]) result(pageCount int64) ([]T, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pages != pageCount || int64(len(r.items)) != r.total {
		return nil, r.inconsistent("the API said there were %d %s in %d page(s) but %d were read in %d page(s)",
			r.total, r.noun, pageCount, len(r.items), r.pages)
	}
	all := r.items
	if all == nil {
		all = []T{} // an empty list, not a missing one
	}
	slices.SortFunc(all, func(a, b T) int { return cmp.Compare(r.id(a), r.id(b)) })
	return all, nil
}

// progress logs one line per page read, so that TF_LOG=INFO shows how far a
// long list has got.
type progress struct {
	log       Logger
	noun      string
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
	p.log.Info(ctx, fmt.Sprintf("Read %s page %d/%d, %d/%d %s", p.noun, pagesRead, p.pages, itemsRead, p.total, p.noun), map[string]any{
		"pages_read": pagesRead, "pages": p.pages, "items_read": itemsRead, "total": p.total,
	})
}
