package file

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"

	"github.com/auditlog/auditlog/logger"
	"github.com/auditlog/auditlog/store"
)

func init() { store.Register("file", openURL) }

// openURL opens a store from a URL such as file://./audits or
// file:///var/audits?partition=resource_name&sync=true. The query
// parameters are the Options: partition (PartitionBy), segment_bytes
// (SegmentBytes) and sync (Sync, a boolean as strconv.ParseBool reads
// it); any other is an error.
func openURL(u *url.URL) (logger.Store, error) {
	dir, err := store.Path(u)
	if err != nil {
		return nil, err
	}
	var opts Options
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("store/file: %q: %w", u.Redacted(), err)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vs := q[k]
		if len(vs) != 1 {
			return nil, fmt.Errorf("store/file: %q: parameter %q given %d times", u.Redacted(), k, len(vs))
		}
		v := vs[0]
		switch k {
		case "partition":
			opts.PartitionBy = v
		case "segment_bytes":
			if opts.SegmentBytes, err = strconv.ParseInt(v, 10, 64); err != nil {
				return nil, fmt.Errorf("store/file: %q: segment_bytes: %w", u.Redacted(), err)
			}
		case "sync":
			if opts.Sync, err = strconv.ParseBool(v); err != nil {
				return nil, fmt.Errorf("store/file: %q: sync: %w", u.Redacted(), err)
			}
		default:
			return nil, fmt.Errorf("store/file: %q: unknown parameter %q (want partition, segment_bytes or sync)", u.Redacted(), k)
		}
	}
	return Open(dir, opts)
}
