package server

import (
	"context"
	"fmt"
)

// FeedLag says how many ledger events the daemon's pools have not applied
// yet: the ledger's last event, read first, less the change feed's
// position, so that it counts only events that were there before the
// position was read. The position waits for a catch-up in progress; FeedLag
// waits for it until ctx ends.
func (d *Daemon) FeedLag(ctx context.Context) (int64, error) {
	last, err := d.st.LastEventID(ctx)
	if err != nil {
		return 0, err
	}
	pos := make(chan int64, 1)
	go func() { pos <- d.alloc.FeedPosition() }()
	select {
	case p := <-pos:
		return max(last-p, 0), nil
	case <-ctx.Done():
		return 0, fmt.Errorf("read the change feed's position: %w", ctx.Err())
	}
}
