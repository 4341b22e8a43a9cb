package visits

import (
	"database/sql"
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

// EachRecord calls fn for every row of rows, whose columns are a visit's
// id, point, start (Unix milliseconds), the start's UTC offset (seconds)
// and end (Unix milliseconds): the way both the kiosk's and the office
// hub's databases keep visits. Each record's times are in the offset's
// zone, so the start's date is the day the point counted it on. It closes
// rows.
func EachRecord(rows *sql.Rows, fn func(VisitRecord) error) error {
	defer rows.Close()
	zones := map[int64]*time.Location{}
	for rows.Next() {
		var v VisitRecord
		var start, tz, end int64
		if err := rows.Scan(&v.ID, &v.Point, &start, &tz, &end); err != nil {
			return err
		}
		loc := zones[tz]
		if loc == nil {
			loc = time.FixedZone("", int(tz))
			zones[tz] = loc
		}
		v.Start = time.UnixMilli(start).In(loc)
		v.End = time.UnixMilli(end).In(loc)
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}
