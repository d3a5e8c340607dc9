package report

import "strconv"

// Charts are the report's two bar charts, laid out for inline SVG.
type Charts struct {
	PerDay, ByOperation Chart
}

// Chart is a bar chart of Width × Height SVG units.
type Chart struct {
	Width, Height int
	Bars          []Bar
	Baseline      float64 // y of the axis, for the per-day chart
}

// Bar is one bar, its label and its value. Empty marks a day over, in
// the period, without events, drawn as a red mark on the axis; a day not
// over or outside the period has no mark.
type Bar struct {
	X, Y, W, H     float64
	LabelX, LabelY float64
	Label, Value   string
	Title          string
	Empty          bool
}

// Colours of the charts; the browser test looks for them in a screenshot.
const (
	BarColour   = "#2f6db5"
	EmptyColour = "#d0342c"
)

func charts(r *Report) Charts {
	return Charts{PerDay: perDay(r.Days, r.Partial), ByOperation: byOperation(r.Operations)}
}

func perDay(days []Day, partial bool) Chart {
	const w, h, top, bottom = 930, 240, 20, 24
	c := Chart{Width: w, Height: h, Baseline: h - bottom}
	peak := 1
	for _, d := range days {
		peak = max(peak, d.Events)
	}
	slot := float64(w) / float64(max(len(days), 1))
	for i, d := range days {
		x := float64(i)*slot + slot*0.15
		bh := float64(h-top-bottom) * float64(d.Events) / float64(peak)
		b := Bar{
			X: x, W: slot * 0.7, Y: c.Baseline - bh, H: bh,
			LabelX: x + slot*0.35, LabelY: float64(h - 8),
			Label: d.Label, Value: strconv.Itoa(d.Events),
			Title: d.Date + ": " + strconv.Itoa(d.Events) + " events",
		}
		switch {
		case d.Events > 0:
		case d.NotYet:
			b.Title = d.Date + ": not over when the report was made"
		case d.Outside:
			b.Title = d.Date + ": outside the period selected"
		case partial:
			b.Empty, b.Y, b.H = true, c.Baseline-4, 4
			b.Title = d.Date + ": no event matches the filters"
		default:
			b.Empty, b.Y, b.H = true, c.Baseline-4, 4
			b.Title = d.Date + ": no events (a gap in auditing?)"
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

func byOperation(ops []Count) Chart {
	const w, row, label = 930, 28, 110
	c := Chart{Width: w, Height: max(len(ops), 1) * row}
	peak := 1
	for _, o := range ops {
		peak = max(peak, o.N)
	}
	for i, o := range ops {
		y := float64(i*row) + 4
		bw := float64(w-label-80) * float64(o.N) / float64(peak)
		c.Bars = append(c.Bars, Bar{
			X: label, Y: y, W: bw, H: row - 8,
			LabelX: label - 8, LabelY: y + row/2,
			Label: o.Name, Value: strconv.Itoa(o.N),
			Title: o.Name + ": " + strconv.Itoa(o.N) + " events",
		})
	}
	return c
}
