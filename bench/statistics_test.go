package bench

import "testing"

// BenchmarkStatistics measures computing the figures (total, by
// operation, by status, success rate, average duration) over the -events
// events of the dataset: Logger.Statistics, which reads kept counters,
// beside one SQL aggregate over the table. See
// compare.Dataset.StatsSources.
func BenchmarkStatistics(b *testing.B) {
	d := dataset(b)
	for _, s := range d.StatsSources() {
		b.Run(s.Name, s.Bench)
	}
}
