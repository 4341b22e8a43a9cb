package visits

import (
	"errors"
	"fmt"
	"time"
)

// VisitJSON is one visit as it travels between programs: an element of a
// JSON export's "visits" list and of an upload batch to the office hub.
// Start and End are RFC 3339 with the kiosk's UTC offset, to the second;
// the start's local date is the visit's day.
type VisitJSON struct {
	ID    string `json:"id"`
	Point string `json:"point"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// JSON is v as it travels.
func (v VisitRecord) JSON() VisitJSON {
	return VisitJSON{ID: v.ID, Point: v.Point, Start: v.Start.Format(time.RFC3339), End: v.End.Format(time.RFC3339)}
}

// Record parses v. The error says what is wrong, Chinese first.
func (v VisitJSON) Record() (VisitRecord, error) {
	if v.ID == "" {
		return VisitRecord{}, errors.New("访问记录缺少 id (a visit without id)")
	}
	start, err := time.Parse(time.RFC3339, v.Start)
	if err != nil {
		return VisitRecord{}, fmt.Errorf("访问 %s 的开始时间 %q 不是 RFC 3339 时间 (visit %s: start is not an RFC 3339 time)", v.ID, v.Start, v.ID)
	}
	end, err := time.Parse(time.RFC3339, v.End)
	if err != nil {
		return VisitRecord{}, fmt.Errorf("访问 %s 的结束时间 %q 不是 RFC 3339 时间 (visit %s: end is not an RFC 3339 time)", v.ID, v.End, v.ID)
	}
	if end.Before(start) {
		return VisitRecord{}, fmt.Errorf("访问 %s 的结束早于开始 (visit %s ends before it starts)", v.ID, v.ID)
	}
	return VisitRecord{ID: v.ID, Point: v.Point, Start: start, End: end}, nil
}
