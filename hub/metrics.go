package hub

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// OnlineWithin is how recent a point's last heartbeat must be for it to
// count as online: three heartbeats missed.
const OnlineWithin = 3 * time.Minute

// metrics are the hub's counters since it started, written in the
// Prometheus text format by hand (a handful of series need no library).
type metrics struct {
	mu         sync.Mutex
	ingested   uint64
	duplicates uint64
	relBytes   uint64            // release archive bytes sent
	relFetches uint64            // release archive answers (whole or ranges)
	refused    map[string]uint64 // by reason
	latency    map[string]*histogram
	bounds     []float64 // the histogram's upper bounds, seconds
}

type histogram struct {
	counts []uint64 // per bound, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{
		refused: map[string]uint64{},
		latency: map[string]*histogram{},
		bounds:  []float64{0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}
}

func (m *metrics) visits(stored, duplicates int) {
	m.mu.Lock()
	m.ingested += uint64(stored)
	m.duplicates += uint64(duplicates)
	m.mu.Unlock()
}

func (m *metrics) releaseSent(n int64) {
	m.mu.Lock()
	m.relBytes += uint64(n)
	m.relFetches++
	m.mu.Unlock()
}

func (m *metrics) refuse(reason string) {
	m.mu.Lock()
	m.refused[reason]++
	m.mu.Unlock()
}

func (m *metrics) observe(path string, d time.Duration) {
	s := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.latency[path]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(m.bounds)+1)}
		m.latency[path] = h
	}
	i, _ := slices.BinarySearch(m.bounds, s)
	h.counts[i]++
	h.sum += s
	h.n++
}

// escapeLabel escapes a label value (\, " and newline).
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// writeMetrics writes every series.
func (s *Server) writeMetrics(ctx context.Context, w io.Writer) error {
	now := s.now()
	statuses, err := s.store.Statuses(ctx)
	if err != nil {
		return err
	}
	pts, err := s.store.Points(ctx)
	if err != nil {
		return err
	}
	online := 0
	for _, st := range statuses {
		if now.Sub(st.Seen) <= OnlineWithin {
			online++
		}
	}
	var b strings.Builder
	metric := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	metric("kiosk_hub_points", "gauge", "Lookup points known to the hub.")
	fmt.Fprintf(&b, "kiosk_hub_points %d\n", len(pts))
	metric("kiosk_hub_points_online", "gauge", "Points whose last heartbeat arrived within 3 minutes.")
	fmt.Fprintf(&b, "kiosk_hub_points_online %d\n", online)
	metric("kiosk_hub_point_heartbeat_age_seconds", "gauge", "Seconds since the point's last heartbeat.")
	for _, p := range pts {
		if st, ok := statuses[p.ID]; ok {
			fmt.Fprintf(&b, "kiosk_hub_point_heartbeat_age_seconds{point=\"%s\"} %s\n", escapeLabel(p.ID), fmtFloat(now.Sub(st.Seen).Seconds()))
		}
	}

	m := s.metrics
	m.mu.Lock()
	metric("kiosk_hub_visits_ingested_total", "counter", "Visits stored since the hub started (each visit once).")
	fmt.Fprintf(&b, "kiosk_hub_visits_ingested_total %d\n", m.ingested)
	metric("kiosk_hub_visits_duplicate_total", "counter", "Visits received again that the hub already held.")
	fmt.Fprintf(&b, "kiosk_hub_visits_duplicate_total %d\n", m.duplicates)
	metric("kiosk_hub_release_bytes_sent_total", "counter", "Bytes of release archives sent to points.")
	fmt.Fprintf(&b, "kiosk_hub_release_bytes_sent_total %d\n", m.relBytes)
	metric("kiosk_hub_release_downloads_total", "counter", "Release archive answers (whole archives and resumed ranges).")
	fmt.Fprintf(&b, "kiosk_hub_release_downloads_total %d\n", m.relFetches)
	metric("kiosk_hub_requests_refused_total", "counter", "Requests refused, by reason.")
	for _, r := range slices.Sorted(maps.Keys(m.refused)) {
		fmt.Fprintf(&b, "kiosk_hub_requests_refused_total{reason=\"%s\"} %d\n", escapeLabel(r), m.refused[r])
	}
	metric("kiosk_hub_request_duration_seconds", "histogram", "Time to answer a request, by path.")
	for _, p := range slices.Sorted(maps.Keys(m.latency)) {
		h := m.latency[p]
		var cum uint64
		for i, bound := range m.bounds {
			cum += h.counts[i]
			fmt.Fprintf(&b, "kiosk_hub_request_duration_seconds_bucket{path=\"%s\",le=\"%s\"} %d\n", escapeLabel(p), fmtFloat(bound), cum)
		}
		fmt.Fprintf(&b, "kiosk_hub_request_duration_seconds_bucket{path=\"%s\",le=\"+Inf\"} %d\n", escapeLabel(p), h.n)
		fmt.Fprintf(&b, "kiosk_hub_request_duration_seconds_sum{path=\"%s\"} %s\n", escapeLabel(p), fmtFloat(h.sum))
		fmt.Fprintf(&b, "kiosk_hub_request_duration_seconds_count{path=\"%s\"} %d\n", escapeLabel(p), h.n)
	}
	m.mu.Unlock()
	_, err = io.WriteString(w, b.String())
	return err
}
