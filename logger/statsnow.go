package logger

// StatsNow returns the logger's figures as Statistics does, without
// waiting for the writer: it never blocks on a busy or stuck writer, so a
// metrics scrape or a probe can call it at any time. Unlike Statistics it
// may miss the events still in the queue (QueueDepth counts them); call
// Flush first to see every event logged so far.
func (l *Logger) StatsNow() Stats {
	return l.snapshot()
}
