package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kiosk/internal/pgtest"
	"kiosk/visits"
)

// BenchmarkAddVisits stores 1,000-visit batches (the protocol's largest),
// each one transaction: go test ./hub/store -bench AddVisits -run ^$
func BenchmarkAddVisits(b *testing.B) {
	for name, db := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "" },
		"postgres": nil,
	} {
		b.Run(name, func(b *testing.B) {
			database := b.TempDir() + "/hub.db"
			if db == nil {
				database = pgtest.Schema(b)
			}
			s, err := Open(context.Background(), database)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, err := s.ImportPoints(context.Background(), twoPoints, t0); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				batch := make([]visits.VisitRecord, 1000)
				for j := range batch {
					st := t0.Add(time.Duration(i*1000+j) * time.Minute)
					batch[j] = visits.VisitRecord{ID: fmt.Sprintf("%08d", i*1000+j), Point: "xq-01", Start: st, End: st.Add(time.Minute)}
				}
				if n, _, err := s.AddVisits(context.Background(), "xq-01", batch, t0); err != nil || n != 1000 {
					b.Fatal(n, err)
				}
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "visits/s")
		})
	}
}
