package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// results hold, for each key, one value per round (and the allocations
// per op of per-call measures).
type results struct {
	rounds int
	vals   map[string][]float64
	allocs map[string][]float64
}

func newResults(rounds int) *results {
	return &results{rounds: rounds, vals: map[string][]float64{}, allocs: map[string][]float64{}}
}

func (r *results) add(key string, v float64) { r.vals[key] = append(r.vals[key], v) }

func (r *results) addAllocs(key string, a float64) { r.allocs[key] = append(r.allocs[key], a) }

// median returns the median of xs (the mean of the middle two for an
// even count), NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// advantage returns auditlog's advantage over a contender in one round:
// how many times less time or space it takes, or how many times more
// events per second it ingests. Above 1, auditlog is ahead.
func advantage(u unit, contender, auditlog float64) float64 {
	if u == rate {
		return auditlog / contender
	}
	return contender / auditlog
}

// ratio is the median over the rounds of auditlog's advantage over key
// against ref, each taken within its round.
func (r *results) ratio(u unit, key, ref string) float64 {
	a, b := r.vals[key], r.vals[ref]
	per := make([]float64, 0, len(a))
	for i := range min(len(a), len(b)) {
		per = append(per, advantage(u, a[i], b[i]))
	}
	return median(per)
}

// table renders the rows as a Markdown table.
func (r *results) table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "| Measure | Contender | Median | Range (%d rounds) | allocs/op | auditlog's advantage | Target | Met |\n", r.rounds)
	sb.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, rw := range rows {
		vals := r.vals[rw.key]
		v := value{median: median(vals), allocs: median(r.allocs[rw.key]), ratio: math.NaN()}
		allocs := ""
		if rw.allocs {
			allocs = fmt.Sprintf("%.0f", v.allocs)
		}
		var ratios []string
		for i, ref := range rw.refs {
			x := r.ratio(rw.unit, rw.key, ref)
			if i == 0 {
				v.ratio = x
			}
			ratios = append(ratios, fmt.Sprintf("%s× vs %s", formatRatio(x), shortName(ref)))
		}
		met := ""
		if rw.met != nil {
			met = "yes"
			if !rw.met(v) {
				met = "**no**"
			}
		}
		median := format(rw.unit, v.median)
		if rw.refs == nil {
			median = "**" + median + "**"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s–%s | %s | %s | %s | %s |\n",
			rw.section, rw.label, median, format(rw.unit, slices.Min(vals)), format(rw.unit, slices.Max(vals)),
			allocs, strings.Join(ratios, "; "), rw.target, met)
	}
	return sb.String()
}

// shortName names an auditlog row in a ratio: "memory", "journal", ...
func shortName(key string) string {
	switch key {
	case callerMemory, ingestMemory:
		return "memory"
	case callerJournal, ingestJournal, diskJournal:
		return "journal"
	case queryAuditlog:
		return "Query"
	case statsAuditlog:
		return "Statistics"
	case heapAuditlog:
		return "heap"
	}
	return key
}

func formatRatio(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x >= 100:
		return thousands(math.Round(x))
	case x >= 10:
		return fmt.Sprintf("%.0f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}

// format prints v in unit u.
func format(u unit, v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	switch u {
	case rate:
		return thousands(round3(v)) + "/s"
	case byteCount:
		return fmt.Sprintf("%.0f B", v)
	}
	switch {
	case v < 100:
		return fmt.Sprintf("%.1f ns", v)
	case v < 1e3:
		return fmt.Sprintf("%.0f ns", v)
	case v < 1e6:
		return fmt.Sprintf("%.3g µs", v/1e3)
	case v < 1e9:
		return fmt.Sprintf("%.3g ms", v/1e6)
	}
	return fmt.Sprintf("%.3g s", v/1e9)
}

// round3 rounds v to three significant digits.
func round3(v float64) float64 {
	if v <= 0 {
		return v
	}
	p := math.Pow(10, math.Floor(math.Log10(v))-2)
	return math.Round(v/p) * p
}

// thousands prints a whole number with commas between thousands.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
