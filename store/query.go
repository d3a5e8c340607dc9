package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/auditlog/auditlog/logger"
)

// ErrInvalidFilter is returned, wrapped, for a Filter no store can answer:
// a negative Limit or Offset.
var ErrInvalidFilter = errors.New("store: invalid filter")

// CheckFilter returns an error wrapping ErrInvalidFilter for a Filter
// with a negative Limit or Offset, and nil otherwise.
func CheckFilter(f *logger.Filter) error {
	if f.Limit < 0 {
		return fmt.Errorf("%w: Limit %d is negative", ErrInvalidFilter, f.Limit)
	}
	if f.Offset < 0 {
		return fmt.Errorf("%w: Offset %d is negative", ErrInvalidFilter, f.Offset)
	}
	return nil
}

// Select returns the events of evs that match f, ordered and windowed as
// a Store's Query returns them; evs is left as it is. A store that scans
// its events uses it, and it is the model the conformance tests compare
// every store with.
func Select(evs []logger.Event, f logger.Filter) []logger.Event {
	out := evs[:0:0]
	for i := range evs {
		if f.Matches(&evs[i]) {
			out = append(out, evs[i])
		}
	}
	slices.SortFunc(out, func(a, b logger.Event) int {
		c := logger.CompareEvents(&a, &b)
		if !f.Ascending {
			c = -c
		}
		return c
	})
	return Window(out, f)
}

// Window applies f's Offset and Limit to events already ordered.
func Window(evs []logger.Event, f logger.Filter) []logger.Event {
	off := min(max(f.Offset, 0), len(evs))
	evs = evs[off:]
	if f.Limit > 0 && f.Limit < len(evs) {
		evs = evs[:f.Limit]
	}
	return evs
}

// EntityHistory returns the stored events about one resource, newest
// first, at most limit of them (0: all), as Logger.EntityHistory does in
// memory.
func EntityHistory(ctx context.Context, s logger.Store, resourceType, resourceID string, limit int) ([]logger.Event, error) {
	if resourceType == "" && resourceID == "" {
		return nil, fmt.Errorf("%w: EntityHistory needs a resource type or id", ErrInvalidFilter)
	}
	return s.Query(ctx, logger.Filter{ResourceType: resourceType, ResourceID: resourceID, Limit: limit})
}

// UserActivity returns the stored events of one user at or after since
// (zero: all of them), newest first, at most limit of them (0: all), as
// Logger.UserActivity does in memory.
func UserActivity(ctx context.Context, s logger.Store, userID string, since time.Time, limit int) ([]logger.Event, error) {
	if userID == "" {
		return nil, fmt.Errorf("%w: UserActivity needs a user", ErrInvalidFilter)
	}
	return s.Query(ctx, logger.Filter{UserID: userID, Since: since, Limit: limit})
}
